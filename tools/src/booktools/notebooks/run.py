"""Execute notebooks top to bottom, as a reader would, and record what happened.

    booktools run-notebooks NOTEBOOK_DIR OUT_DIR [--python PYTHON]

Each notebook runs in a new kernel, from a new empty temporary directory, with the current
environment (``DLBOOK_MNIST``, ``KERAS_BACKEND``). The kernel is this interpreter's, or with
``--python`` another interpreter's: a bare virtual environment that holds only the chapters'
requirements and the helper package (scripts/check-colab), where neither this package nor the
book's build tools are installed. The executed notebooks go to OUT_DIR, mirroring NOTEBOOK_DIR,
next to ``run.json``: the kernel's environment (Python, Keras backend and version, which of
myst_nb / jupyter_book / dlbook are importable and from where: :mod:`.environment`) and, per
notebook, the time it took, the error if it failed, and the values its cells glued (read from
``dlbook.glue.recorded()`` in the notebook's own kernel after its last cell, so the notebook
itself carries no extra output). Exit status 1 if any notebook failed.

**Reuse.** With ``DLBOOK_CACHE`` set to a folder, a notebook that already ran successfully with
exactly the same inputs is not run again: its executed copy and result are taken from
``DLBOOK_CACHE/runs/<key>``, and run.json marks it ``"cached": true`` with the seconds of the
run that made it. The key hashes everything the run depends on (the kernel's
:func:`.environment.fingerprint`: the interpreter, the packages a run can import and their versions,
the helper package's files, the MNIST file, the Keras backend and thread settings; this runner's
code) and the notebook's code cells (:func:`code_cells`). Runs that fail are never stored.
``DLBOOK_EXECUTE=force`` runs everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from booktools.notebooks import environment


def cache_dir() -> Path | None:
    """Where finished runs are kept (``DLBOOK_CACHE``), or None: no reuse."""
    if not os.environ.get("DLBOOK_CACHE") or os.environ.get("DLBOOK_EXECUTE") == "force":
        return None
    return Path(os.environ["DLBOOK_CACHE"]).expanduser() / "runs"


def code_cells(notebook) -> list[str]:
    """What a run of the notebook executes: its code cells' sources, in order. Markdown does not
    run, so a change of prose alone reuses every run. The setup cell names the commit it would
    install the helper from, which changes with every commit; the runs have the helper installed,
    so it installs nothing, and the commit is left out."""
    sources = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        if cell.metadata.get("id") == "setup":
            source = re.sub(r"\b[0-9a-f]{12,40}\b", "<commit>", source)
        sources.append(source)
    return sources


def run_key(notebook, environment_key: str) -> str:
    """The cache key of one notebook's run: its code cells, the environment, this script, and
    whether (and how) the test set is sealed in it."""
    digest = hashlib.sha256(json.dumps(code_cells(notebook)).encode())
    digest.update(environment_key.encode())
    digest.update(Path(__file__).read_bytes())
    if test_set_sealed(notebook):
        digest.update(SEAL.read_bytes())
    return digest.hexdigest()[:32]


#: The IPython startup file that seals the test set (see test_set_sealed).
SEAL = Path(__file__).with_name("seal_test_set.py")


def test_set_sealed(notebook) -> bool:
    """Whether the notebook is a chapter before the one that opens the test set (its metadata
    says so: booktools.notebooks.colab). Its kernel then runs seal_test_set.py first, which stops
    the chapter when a model is run on test images."""
    return bool(notebook.metadata.get("dlbook", {}).get("test_set_sealed"))


@contextlib.contextmanager
def _environ(name: str, value: str):
    """``name`` set to ``value`` for the kernels started inside (they inherit the environment)."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name)
        else:
            os.environ[name] = before


@contextlib.contextmanager
def sealed_kernels():
    """Kernels started inside run seal_test_set.py at startup (a fresh IPYTHONDIR)."""
    with tempfile.TemporaryDirectory(prefix="dlbook-ipython-") as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        shutil.copyfile(SEAL, startup / "00-seal-test-set.py")
        with _environ("IPYTHONDIR", ipython_dir):
            yield


@contextlib.contextmanager
def kernel(python: str | None):
    """The name of the kernel to run the notebooks in: ``python3``, this interpreter's, or with
    ``python`` a kernel of that interpreter, declared in a kernelspec of its own (Jupyter's
    ``kernel.json``, found through ``JUPYTER_PATH``) for as long as the block runs."""
    if python is None:
        yield "python3"
        return
    with tempfile.TemporaryDirectory(prefix="dlbook-kernel-") as folder:
        spec = Path(folder) / "kernels" / "dlbook-run"
        spec.mkdir(parents=True)
        argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": python, "language": "python"})
        )
        with _environ(
            "JUPYTER_PATH", os.pathsep.join(filter(None, [folder, os.environ.get("JUPYTER_PATH")]))
        ):
            yield "dlbook-run"


def probe(python: str | None) -> dict:
    """The kernel's interpreter's :func:`.environment.fingerprint` and :func:`.environment.describe`,
    asked of that interpreter itself (``-P``: nothing beside environment.py is importable)."""
    if python is None:
        return {"fingerprint": environment.fingerprint(), "environment": environment.describe()}
    done = subprocess.run([python, "-P", environment.__file__], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{python} could not describe its environment:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


#: Run in the notebook's kernel after its last cell; prints the glued values between markers.
_VALUES_CELL = """
import json as _json
try:
    from dlbook.glue import recorded as _recorded
except ImportError:
    _values = {}
else:
    _values = _recorded()
print("<<glued>>" + _json.dumps(_values, default=repr) + "<<glued>>")
"""


def _execute(notebook, cwd: str, timeout: int, kernel_name: str) -> tuple[str | None, dict]:
    """Run every cell in one kernel, then ask the kernel what was glued: (error, values)."""
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name=kernel_name, resources={"metadata": {"path": cwd}}
    )
    client.reset_execution_trackers()
    error, values = None, {}
    with client.setup_kernel():
        try:
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellTimeoutError as err:  # the kernel is still busy: record, go on
            return str(err)[-3000:], values
        except CellExecutionError as err:  # record, go on
            error = str(err)[-3000:]
        asking = nbformat.v4.new_code_cell(_VALUES_CELL)
        notebook.cells.append(asking)  # nbclient executes cells of its notebook only
        try:
            client.execute_cell(asking, len(notebook.cells) - 1)
            text = "".join(o.get("text", "") for o in asking.outputs if o.get("output_type") == "stream")
            found = re.search(r"<<glued>>(.*)<<glued>>", text)
            values = json.loads(found.group(1)) if found else {}
        except (CellExecutionError, CellTimeoutError, DeadKernelError):
            pass  # the kernel is gone; the error above says why
        finally:
            notebook.cells.pop()
    return error, values


def run(notebook_dir: Path, out_dir: Path, timeout: int = 900, python: str | None = None) -> dict:
    """Run every notebook under ``notebook_dir`` in a kernel of ``python`` (default: this
    interpreter), writing the executed notebooks and ``run.json`` to ``out_dir``."""
    described = probe(python)
    report = {"environment": described["environment"], "notebooks": {}}
    cache = cache_dir()
    environment_key = described["fingerprint"] if cache else ""
    for path in sorted(notebook_dir.rglob("*.ipynb")):
        name = path.relative_to(notebook_dir).with_suffix("").as_posix()
        notebook = nbformat.read(path, as_version=4)
        target = out_dir / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        stored = cache / run_key(notebook, environment_key) if cache else None
        if stored and (stored / "result.json").exists():
            result = {**json.loads((stored / "result.json").read_text()), "cached": True}
            shutil.copyfile(stored / "notebook.ipynb", target)
            os.utime(stored)  # in use: scripts/ci prunes entries nobody reused for a month
            report["notebooks"][name] = result
            print(f"{name}: ok, reused from {stored} (it ran in {result['seconds']:.1f} s)", flush=True)
            continue
        start = time.perf_counter()
        sealed = test_set_sealed(notebook)
        with tempfile.TemporaryDirectory(prefix="dlbook-run-") as cwd:
            with sealed_kernels() if sealed else contextlib.nullcontext(), kernel(python) as kernel_name:
                try:
                    error, values = _execute(notebook, cwd, timeout, kernel_name)
                except DeadKernelError as err:
                    error, values = str(err)[-3000:], {}
        seconds = time.perf_counter() - start
        result = {"seconds": round(seconds, 2), "error": error, "values": values, "test_set_sealed": sealed}
        report["notebooks"][name] = result
        nbformat.write(notebook, target)
        if stored and error is None:  # a failure is never reused
            partial = stored.with_name(stored.name + f".tmp{os.getpid()}")
            partial.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, partial / "notebook.ipynb")
            (partial / "result.json").write_text(json.dumps(result, indent=2))
            if stored.exists():
                shutil.rmtree(partial)
            else:
                partial.rename(stored)
        print(f"{name}: {'FAILED' if error else 'ok'} in {seconds:.1f} s", flush=True)
    (out_dir / "run.json").write_text(json.dumps(report, indent=2))
    return report


def main(argv: list[str]) -> int:
    args = list(argv)
    python = None
    if "--python" in args:
        at = args.index("--python")
        python = args[at + 1] if at + 1 < len(args) else None
        if python is None or not Path(python).is_file():
            print(f"--python needs the path of an interpreter; got {python!r}.", file=sys.stderr)
            return 2
        del args[at : at + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    notebook_dir, out_dir = Path(args[0]), Path(args[1])
    if not any(notebook_dir.rglob("*.ipynb")):
        print(f"No notebooks under {notebook_dir}; build the book first (make book).", file=sys.stderr)
        return 1
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    os.environ["DLBOOK_STRICT"] = "1"  # a sentence the run contradicts stops it (dlbook.claims)
    result = run(notebook_dir, out_dir, python=python)
    return 1 if any(n["error"] for n in result["notebooks"].values()) else 0
