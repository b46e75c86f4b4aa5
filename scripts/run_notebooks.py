"""Execute notebooks top to bottom, as a reader would, and record what happened.

    python scripts/run_notebooks.py NOTEBOOK_DIR OUT_DIR

Each notebook runs with the ``python3`` kernel of the interpreter that runs this script, from a
new empty temporary directory, with the current environment (``DLBOOK_MNIST``, ``KERAS_BACKEND``).
The executed notebooks go to OUT_DIR, mirroring NOTEBOOK_DIR, next to ``run.json``: the
environment (Python, Keras backend and version, which of myst_nb / jupyter_book / dlbook are
importable and from where) and, per notebook, the time it took and the error if it failed.
Exit status 1 if any notebook failed.
"""

from __future__ import annotations

import importlib.util
import json
import os
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


def run(notebook_dir: Path, out_dir: Path, timeout: int = 900) -> dict:
    report = {"environment": environment(), "notebooks": {}}
    for path in sorted(notebook_dir.rglob("*.ipynb")):
        name = path.relative_to(notebook_dir).with_suffix("").as_posix()
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        error = None
        with tempfile.TemporaryDirectory(prefix="dlbook-run-") as cwd:
            client = NotebookClient(
                notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": cwd}}
            )
            try:
                client.execute()
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:  # record, go on
                error = str(err)[-3000:]
        seconds = time.perf_counter() - start
        report["notebooks"][name] = {"seconds": round(seconds, 2), "error": error}
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
