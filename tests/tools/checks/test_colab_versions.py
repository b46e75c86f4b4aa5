"""booktools.checks.colab_versions: the scheduled check that names what Colab upgraded."""

import subprocess
import sys
from pathlib import Path

import pytest

from booktools.checks import colab_versions

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = [sys.executable, "-m", "booktools", "colab-versions"]


def colab_files(tmp_path: Path, changes: dict[str, str | None], python: str | None = None) -> list[str]:
    """Colab's two files as they would be if Colab had made ``changes`` (None: uninstalled)."""
    ours = colab_versions.pins((ROOT / "requirements-colab.txt").read_text())
    theirs = {**ours, **changes}
    lines = ["# a comment", "absl-py==1.4.0", "some_other_lib==2.0"]
    lines += [f"{name.replace('-', '_')}=={v}" for name, v in theirs.items() if v is not None]
    freeze = tmp_path / "pip-freeze.gpu.txt"
    freeze.write_text("\n".join(lines) + "\n")
    ours_python = (ROOT / ".github" / "colab-python-version").read_text().strip()
    os_info = tmp_path / "os-info-gpu.txt"
    os_info.write_text(f"# generated\nUbuntu 22.04.5 LTS\nPython {python or ours_python}.15\nR version 4\n")
    return [str(freeze), str(os_info)]


def run(args):
    return subprocess.run([*SCRIPT, *args], capture_output=True, text=True)


def test_unchanged_colab_passes(tmp_path):
    result = run(colab_files(tmp_path, {}))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches Colab" in result.stdout


def test_an_upgrade_a_removal_and_a_new_python_are_named(tmp_path):
    result = run(colab_files(tmp_path, {"keras": "9.9.9", "nbclient": None}, python="3.99"))
    assert result.returncode == 1
    assert "keras: pinned" in result.stdout and "Colab has 9.9.9" in result.stdout
    assert "nbclient: pinned" in result.stdout and "not installed in Colab" in result.stdout
    assert "Colab runs 3.99" in result.stdout
    assert "tensorflow" not in result.stdout  # only what moved


def test_names_compare_as_pip_compares_them():
    assert colab_versions.normalize("Jupyter_Client") == colab_versions.normalize("jupyter-client")
    assert colab_versions.pins("scikit-learn==1.6.1  # note\nfoo>=1\n") == {"scikit-learn": "1.6.1"}
    text = "-r other.txt\nTorch==2.13.0+cpu ; os_name == 'posix'\ntorch==2.13.0 ; os_name != 'posix'\n"
    assert colab_versions.pins(text) == {"torch": "2.13.0+cpu"}  # one release under two markers
    assert colab_versions.pins("keras[jax]==3.15.1\njax-cuda12-plugin @ https://x.org/a.whl\n") == {
        "keras": "3.15.1"
    }
    for bad in ("torch==2.13.0 ; a\ntorch==2.12.0 ; b\n", "pip install numpy\n"):
        with pytest.raises(ValueError, match="line"):
            colab_versions.pins(bad)
