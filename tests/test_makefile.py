"""The Makefile stops at once, saying what to install, when a tool it needs is missing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "target",
    ["tools/math/node_modules/.package-lock.json", "tests/browser/node_modules/.package-lock.json"],
)
def test_without_node_make_says_what_to_install(tmp_path, target):
    bin_dir = tmp_path / "bin"  # make and a shell, and no npm
    bin_dir.mkdir()
    for tool in ("make", "sh"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    lock = str(Path(target).parent.parent / "package-lock.json")
    run = subprocess.run(
        [str(bin_dir / "make"), "-W", lock, target], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PATH": str(bin_dir)}, timeout=60,
    )  # fmt: skip
    assert run.returncode != 0
    assert (
        "Node.js 18 or newer with npm is needed" in run.stderr and "apt-get install nodejs npm" in run.stderr
    )
