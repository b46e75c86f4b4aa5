"""The helper package as a whole: nothing happens at import, one import path."""

import subprocess
import sys


def test_import_has_no_side_effects():
    """Importing every module loads no deep-learning framework and changes no plot style."""
    code = """
import sys, matplotlib
before = dict(matplotlib.rcParams)
import dlbook, dlbook.data, dlbook.plots, dlbook.metrics, dlbook.models, dlbook.glue
import dlbook.reference, dlbook.measurements, dlbook.devices, dlbook.claims
heavy = sorted(m for m in ("keras", "tensorflow", "jax", "torch") if m in sys.modules)
assert not heavy, f"importing dlbook imported {heavy}"
changed = [k for k, v in matplotlib.rcParams.items() if before.get(k) != v and k != "backend"]
assert not changed, f"importing dlbook changed rcParams {changed}"
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_importable_from_any_folder(tmp_path):
    """The package is installed, not found through the working directory or sys.path edits."""
    result = subprocess.run(
        [sys.executable, "-c", "import dlbook, code; print(dlbook.__file__); print(code.interact)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("dlbook/__init__.py")
