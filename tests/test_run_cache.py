"""scripts/run_notebooks.py: a finished run is reused only when nothing it depends on changed,
and a failed run never is. Checked on two small notebooks, each run in a real kernel."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # each round starts kernels


def write(folder: Path, name: str, source: str) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbformat.write(notebook, folder / f"{name}.ipynb")


def run(notebooks: Path, out: Path, cache: Path, **env) -> dict:
    subprocess.run(
        [sys.executable, ROOT / "scripts" / "run_notebooks.py", notebooks, out],
        env={**os.environ, "DLBOOK_CACHE": str(cache), **env},
        capture_output=True,
        text=True,
    )
    return json.loads((out / "run.json").read_text())["notebooks"]


def test_reused_when_unchanged_rerun_when_changed_failures_never_kept(tmp_path):
    notebooks, cache = tmp_path / "nb", tmp_path / "cache"
    notebooks.mkdir()
    write(notebooks, "good", "from dlbook.glue import glue\nglue('answer', 42)")
    write(notebooks, "bad", "1 / 0")
    first = run(notebooks, tmp_path / "out1", cache)
    assert not first["good"].get("cached") and first["good"]["values"] == {"answer": 42}
    assert first["bad"]["error"] and "ZeroDivisionError" in first["bad"]["error"]

    second = run(notebooks, tmp_path / "out2", cache)
    assert second["good"]["cached"] is True and second["good"]["values"] == {"answer": 42}
    assert second["good"]["seconds"] == first["good"]["seconds"]  # the run that made it
    assert nbformat.read(tmp_path / "out2" / "good.ipynb", as_version=4).cells[0].source.startswith("from")
    assert not second["bad"].get("cached") and second["bad"]["error"]  # a failure is run again

    write(notebooks, "good", "from dlbook.glue import glue\nglue('answer', 43)")
    assert run(notebooks, tmp_path / "out3", cache)["good"]["values"] == {"answer": 43}  # cells changed
    other = run(notebooks, tmp_path / "out4", cache, OMP_NUM_THREADS="1")  # the environment changed
    assert not other["good"].get("cached")
    forced = run(notebooks, tmp_path / "out5", cache, DLBOOK_EXECUTE="force")
    assert not forced["good"].get("cached")
