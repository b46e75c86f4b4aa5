"""Execute notebooks top to bottom, as a reader would, and record what happened.

    python scripts/run_notebooks.py NOTEBOOK_DIR OUT_DIR

Each notebook runs with the ``python3`` kernel of the interpreter that runs this script, from a
new empty temporary directory, with the current environment (``DLBOOK_MNIST``, ``KERAS_BACKEND``).
The executed notebooks go to OUT_DIR, mirroring NOTEBOOK_DIR, next to ``run.json``: the
environment (Python, Keras backend and version, which of myst_nb / jupyter_book / dlbook are
importable and from where) and, per notebook, the time it took, the error if it failed, and the
values its cells glued (read from ``dlbook.glue.recorded()`` in the notebook's own kernel after
its last cell, so the notebook itself carries no extra output).
Exit status 1 if any notebook failed.

**Reuse.** With ``DLBOOK_CACHE`` set to a folder, a notebook that already ran successfully with
exactly the same inputs is not run again: its executed copy and result are taken from
``DLBOOK_CACHE/runs/<key>``, and run.json marks it ``"cached": true`` with the seconds of the
run that made it. The key hashes everything the run depends on (:func:`fingerprint`: the
interpreter, every installed distribution and its version, the helper package's files, the
MNIST file, the Keras backend and thread settings, this script) and the notebook's code cells
(:func:`code_cells`). Runs
that fail are never stored. ``DLBOOK_EXECUTE=force`` runs everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

#: Environment variables that change what a chapter computes or how it runs.
SETTINGS = ("KERAS_BACKEND", "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED")
#: Files of the helper package that no chapter's run depends on through the fingerprint: the
#: benchmark's results, which the one page that reads them pins by hash in its own cells
#: (dlbook.measurements.load), so that a benchmark run re-executes that page alone.
NOT_FINGERPRINTED = {"measurements.json"}


def fingerprint() -> str:
    """A hash of everything a chapter's outputs depend on besides its own cells: the
    interpreter, every installed distribution and version, the files of the helper package
    ``dlbook`` (wherever it is installed from), the MNIST file and the settings in SETTINGS.
    The book build keys its execution cache on it too (scripts/sphinx_extension.py)."""
    digest = hashlib.sha256()

    def add(*parts):
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode())
            digest.update(b"\0")

    add(sys.version, sys.platform)
    add(*sorted(f"{d.metadata['Name']}=={d.version}".lower() for d in importlib.metadata.distributions()))
    spec = importlib.util.find_spec("dlbook")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The helper package dlbook is not installed; run `make install`.")
    package = Path(next(iter(spec.submodule_search_locations)))
    files = (p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(p for p in files if p.relative_to(package).as_posix() not in NOT_FINGERPRINTED):
        add(path.relative_to(package).as_posix(), path.read_bytes())
    mnist = os.environ.get("DLBOOK_MNIST")
    add(hashlib.sha256(Path(mnist).read_bytes()).hexdigest() if mnist and Path(mnist).is_file() else mnist)
    add(*(f"{name}={os.environ.get(name)}" for name in SETTINGS))
    return digest.hexdigest()


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
    says so: scripts/colab.py). Its kernel then runs scripts/seal_test_set.py first, which stops
    the chapter when a model is run on test images."""
    return bool(notebook.metadata.get("dlbook", {}).get("test_set_sealed"))


@contextlib.contextmanager
def sealed_kernels():
    """Kernels started inside run scripts/seal_test_set.py at startup (a fresh IPYTHONDIR)."""
    with tempfile.TemporaryDirectory(prefix="dlbook-ipython-") as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        shutil.copyfile(SEAL, startup / "00-seal-test-set.py")
        before = os.environ.get("IPYTHONDIR")
        os.environ["IPYTHONDIR"] = ipython_dir
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("IPYTHONDIR")
            else:
                os.environ["IPYTHONDIR"] = before


def environment() -> dict:
    def where(module):
        spec = importlib.util.find_spec(module)
        return spec.origin if spec else None

    import keras

    return {
        "python": sys.executable,
        "keras_backend": keras.config.backend(),
        "keras_version": keras.__version__,
        "modules": {name: where(name) for name in ("dlbook", "myst_nb", "jupyter_book", "jupytext")},
    }


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


def _execute(notebook, cwd: str, timeout: int) -> tuple[str | None, dict]:
    """Run every cell in one kernel, then ask the kernel what was glued: (error, values)."""
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": cwd}}
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
        probe = nbformat.v4.new_code_cell(_VALUES_CELL)
        notebook.cells.append(probe)  # nbclient executes cells of its notebook only
        try:
            client.execute_cell(probe, len(notebook.cells) - 1)
            text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
            found = re.search(r"<<glued>>(.*)<<glued>>", text)
            values = json.loads(found.group(1)) if found else {}
        except (CellExecutionError, CellTimeoutError, DeadKernelError):
            pass  # the kernel is gone; the error above says why
        finally:
            notebook.cells.pop()
    return error, values


def run(notebook_dir: Path, out_dir: Path, timeout: int = 900) -> dict:
    report = {"environment": environment(), "notebooks": {}}
    cache = cache_dir()
    environment_key = fingerprint() if cache else ""
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
            with sealed_kernels() if sealed else contextlib.nullcontext():
                try:
                    error, values = _execute(notebook, cwd, timeout)
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


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    notebook_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    if not any(notebook_dir.rglob("*.ipynb")):
        sys.exit(f"No notebooks under {notebook_dir}; build the book first (make book).")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    os.environ["DLBOOK_STRICT"] = "1"  # a sentence the run contradicts stops it (dlbook.claims)
    result = run(notebook_dir, out_dir)
    sys.exit(1 if any(n["error"] for n in result["notebooks"].values()) else 0)
