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
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


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
    for path in sorted(notebook_dir.rglob("*.ipynb")):
        name = path.relative_to(notebook_dir).with_suffix("").as_posix()
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="dlbook-run-") as cwd:
            try:
                error, values = _execute(notebook, cwd, timeout)
            except DeadKernelError as err:
                error, values = str(err)[-3000:], {}
        seconds = time.perf_counter() - start
        report["notebooks"][name] = {"seconds": round(seconds, 2), "error": error, "values": values}
        target = out_dir / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
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
    result = run(notebook_dir, out_dir)
    sys.exit(1 if any(n["error"] for n in result["notebooks"].values()) else 0)
