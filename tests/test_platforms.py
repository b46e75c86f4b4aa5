"""The locked environments install on every platform the README supports: for Linux x86-64, Linux
ARM64 and macOS 14 on Apple Silicon, uv finds a binary wheel of every package that the build's and
the backends' locks (locks/build.txt, locks/backends.txt: what `make install` and `make backends`
put in one environment) select there, and the CPU builds of TensorFlow and PyTorch are the ones
selected where those are separate distributions (Linux x86-64).

One `uv pip compile --python-platform ... --no-deps --only-binary :all:` per platform: the locks pin
every version, so uv evaluates their markers for that platform and looks for a wheel of each
package with that platform's tags, installing nothing (PyPI: needs the network). The locks were
compiled for every platform at once (`uv pip compile --universal`, booktools.locks); this is the
check that each platform also has the wheels.

PyTorch's CPU build for Linux x86-64 is on PyTorch's own index, which the backends' lock names.
Where that index cannot be reached (this machine reaches PyPI alone), the folders of wheels pip is
configured with (``pip config``'s find-links) stand in for it, on Linux x86-64 alone: elsewhere
the CPU build's higher version would be preferred to PyPI's build, for which it has no wheel.
"""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from booktools import locks

ROOT = Path(__file__).resolve().parents[1]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # resolve for this interpreter's version
UV = str(Path(sys.executable).with_name("uv"))
#: Published only as source: pure Python, which pip builds anywhere (cffconvert -> pykwalify -> docopt).
SOURCE_ONLY = ["docopt"]
PYTORCH_INDEX = "download.pytorch.org"


class Platform(NamedTuple):
    target: str  # uv's --python-platform
    tensorflow: str  # the TensorFlow distribution the locks select there
    torch_cpu: bool  # the backends' lock selects PyTorch's CPU build (+cpu) there
    cpu_only: bool  # no CUDA libraries at all (on Linux ARM64, PyPI's torch is a CUDA build)


PLATFORMS = {
    "linux-x86_64": Platform("x86_64-manylinux_2_28", "tensorflow-cpu", torch_cpu=True, cpu_only=True),
    "linux-aarch64": Platform("aarch64-manylinux_2_28", "tensorflow", torch_cpu=False, cpu_only=False),
    "macos-arm64": Platform("aarch64-apple-darwin", "tensorflow", torch_cpu=False, cpu_only=True),
}


def reachable(host: str) -> bool:
    try:
        socket.create_connection((host, 443), timeout=5).close()
        return True
    except OSError:
        return False


def pip_find_links() -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    )
    links = re.findall(r"find-links='([^']+)'", result.stdout)
    return sorted({folder for value in links for folder in value.split()})


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS.values(), ids=list(PLATFORMS))
def test_the_locks_have_wheels_for_every_supported_platform(platform: Platform, tmp_path: Path):
    files = []
    pytorch = reachable(PYTORCH_INDEX)
    for name in ("build", "backends"):
        text = locks.path(name).read_text()
        if not pytorch:  # its index lines would stop uv at once
            text = "".join(line for line in text.splitlines(True) if not line.startswith("--"))
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text(text)
    command = [UV, "pip", "compile", *map(str, files), "--python-platform", platform.target]
    command += ["--python-version", PYTHON, "--no-deps", "--only-binary", ":all:", "--no-header"]
    command += ["--no-annotate", "--index-strategy", "unsafe-best-match", "-o", str(tmp_path / "out.txt")]
    for package in SOURCE_ONLY:
        command += ["--no-binary", package]
    if not pytorch and platform.torch_cpu:
        for folder in pip_find_links():
            command += ["--find-links", folder]
    environment = {**os.environ, "MACOSX_DEPLOYMENT_TARGET": "14.0"}  # README: macOS 14 or later
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)
    assert result.returncode == 0, f"no wheels for {platform.target}:\n{result.stderr[-6000:]}"

    chosen = {
        re.sub(r"[-_.]+", "-", m.group(1)).lower(): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9][^=\s]*)==(\S+)", (tmp_path / "out.txt").read_text(), re.M)
    }
    tensorflows = {d: v for d, v in chosen.items() if d in ("tensorflow", "tensorflow-cpu")}
    assert list(tensorflows) == [platform.tensorflow], tensorflows
    assert "torch" in chosen and "jax" in chosen, chosen
    assert chosen["torch"].endswith("+cpu") == platform.torch_cpu, chosen["torch"]
    cuda = sorted(d for d in chosen if d.startswith(("nvidia-", "cuda-")))
    assert bool(cuda) != platform.cpu_only, f"CUDA libraries: {cuda}"
