"""The pinned requirements resolve on every platform the README supports: pip resolves them, without
installing anything, for Linux x86-64, Linux ARM64 and macOS on Apple Silicon, and picks the CPU
builds of TensorFlow and PyTorch where those are separate distributions (Linux x86-64).

One `pip install --dry-run --platform ...` per platform, for everything `make install` and `make
backends` put in one environment: requirements.txt (the dependencies of the book's own packages,
code/ and tools/, instead of their editable installs, which pip cannot resolve for another
platform) and requirements-backends.txt.
pip installs nothing but reads every wheel's metadata from the index (PyPI: needs the network).
"""

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # resolve for this interpreter's version
#: requirements.txt's lines for the book's own packages: the helper package and the machinery
OWN = {"-e ./code": "code", "-e ./tools": "tools"}
#: Dependencies published only as source, which --platform (binary wheels only) cannot take: pure
#: Python, so pip builds them anywhere. A stand-in wheel (name, version, no dependencies) takes
#: their place. docopt: cffconvert -> pykwalify -> docopt.
SOURCE_ONLY = {"docopt": "0.6.2"}
#: pip's errors for a download that broke off (a 540 MB CUDA wheel whose metadata pip reads whole,
#: cut off at 352 MB in CI's run of 7 December 2026), as opposed to requirements that do not resolve.
NETWORK_FAILURE = re.compile(
    r"error: incomplete-download|ReadTimeoutError|ConnectionResetError|ProtocolError"
)

#: pip evaluates environment markers, ours ("; sys_platform == 'linux'") and those of the packages'
#: own dependencies (torch's CUDA libraries, "; platform_system == 'Linux'"), for the machine it
#: runs on, whatever --platform says. This runs pip with the target's marker values instead; the
#: report's "environment" shows the values pip used, and the test checks them.
PIP_FOR_PLATFORM = """
import json, sys
from pip._vendor.packaging import markers
from pip._internal.models import installation_report
target, host = json.loads(sys.argv.pop(1)), markers.default_environment
markers.default_environment = installation_report.default_environment = lambda: {**host(), **target}
from pip._internal.cli.main import main
sys.exit(main())
"""


def manylinux(arch: str, glibc: int = 28) -> list[str]:
    """The wheel tags a Linux with glibc 2.<glibc> takes: pip widens a macOS tag to the older
    macOS versions but takes manylinux_2_28 alone, and TensorFlow's wheels are manylinux_2_27."""
    return [f"manylinux_2_{minor}_{arch}" for minor in range(glibc, 16, -1)] + [f"manylinux2014_{arch}"]


class Platform(NamedTuple):
    tags: list[str]
    markers: dict[str, str]
    tensorflow: str  # the TensorFlow distribution requirements-runtime.txt selects there
    torch_cpu: bool  # requirements-backends.txt pins PyTorch's CPU build (+cpu) there
    cpu_only: bool  # no CUDA libraries at all (on Linux ARM64, PyPI's torch is a CUDA build)


def linux(arch: str, tensorflow: str, *, torch_cpu: bool, cpu_only: bool) -> Platform:
    markers = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": arch}
    return Platform(manylinux(arch), markers, tensorflow, torch_cpu, cpu_only)


PLATFORMS = {
    "linux-x86_64": linux("x86_64", "tensorflow-cpu", torch_cpu=True, cpu_only=True),
    "linux-aarch64": linux("aarch64", "tensorflow", torch_cpu=False, cpu_only=False),
    "macos-arm64": Platform(
        ["macosx_14_0_arm64"],
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
        "tensorflow",
        torch_cpu=False,
        cpu_only=True,
    ),
}


def name(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory) -> Path:
    """A folder of wheels that only declare SOURCE_ONLY's distributions (for --find-links)."""
    folder = tmp_path_factory.mktemp("stand-ins")
    for distribution, version in SOURCE_ONLY.items():
        info, metadata = f"{distribution}-{version}.dist-info", f"Name: {distribution}\nVersion: {version}\n"
        with zipfile.ZipFile(folder / f"{distribution}-{version}-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\n{metadata}")
            wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
            wheel.writestr(f"{info}/RECORD", "")
    return folder


@pytest.fixture(scope="module")
def requirements(tmp_path_factory) -> Path:
    """requirements.txt without the book's editable packages, plus their dependencies."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    for own in OWN:
        assert lines.count(own) == 1, f"requirements.txt: expected one line {own!r}"
    kept = []
    for line in lines:
        if line in OWN:
            continue
        option, _, path = line.partition(" ")
        if option in ("-r", "-c"):  # relative to requirements.txt, not to the copy
            line = f"{option} {ROOT / path}"
        kept.append(line)
    for folder in OWN.values():
        kept += tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]["dependencies"]
    path = tmp_path_factory.mktemp("requirements") / "requirements.txt"
    path.write_text("\n".join(kept) + "\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS.values(), ids=list(PLATFORMS))
def test_requirements_resolve(platform: Platform, requirements: Path, stand_ins: Path, tmp_path: Path):
    target, report = tmp_path / "target", tmp_path / "report.json"
    target.mkdir()
    command = [
        sys.executable,
        "-c",
        PIP_FOR_PLATFORM,
        json.dumps(platform.markers),
        "install",
        "--dry-run",
        "--ignore-installed",
        "--target",
        str(target),
        "--only-binary=:all:",
        "--find-links",
        str(stand_ins),
        *(f"--platform={tag}" for tag in platform.tags),
        "--python-version",
        PYTHON,
        # One immediate retry, not five with back-off: where download.pytorch.org cannot be
        # reached, each package's page there would otherwise cost about 8 s.
        "--retries",
        "1",
        "--report",
        str(report),
        "--quiet",
        "-r",
        str(requirements),
        "-r",
        str(ROOT / "requirements-backends.txt"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:  # pip's errors, without its warnings about unreachable indexes
        errors = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("WARNING:"))
        if NETWORK_FAILURE.search(errors):  # the download broke off: says nothing about the pins
            pytest.skip(f"the network failed while pip read the index:\n{errors[-2000:]}")
        pytest.fail(f"pip cannot resolve the requirements:\n{errors[-6000:]}")

    resolved = json.loads(report.read_text())
    environment = resolved["environment"]
    assert {key: environment[key] for key in platform.markers} == platform.markers
    chosen = {name(item["metadata"]["name"]): item["metadata"]["version"] for item in resolved["install"]}

    # The versions are the pins' (pip resolved them); which distribution and build is the question.
    tensorflows = {d: v for d, v in chosen.items() if d in ("tensorflow", "tensorflow-cpu")}
    assert list(tensorflows) == [platform.tensorflow], tensorflows
    assert "torch" in chosen, chosen
    if platform.torch_cpu:  # elsewhere the plain version, or on Linux ARM64 +cpu where pip finds it
        assert chosen["torch"].endswith("+cpu"), chosen["torch"]
    if platform.cpu_only:
        cuda = sorted(d for d in chosen if d.startswith(("nvidia-", "cuda-")))
        assert not cuda, f"CUDA libraries in a CPU-only environment: {cuda}"
