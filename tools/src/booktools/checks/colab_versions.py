"""Has Google Colab moved? Compare requirements-colab.txt with Colab's published versions.

    booktools colab-versions [FREEZE] [OS_INFO]

FREEZE is Colab's ``pip-freeze.gpu.txt`` and OS_INFO its ``os-info-gpu.txt``, as files or URLs;
by default both are read from the public repository googlecolab/backend-info (main branch).
Every package pinned in requirements-colab.txt must have the same version there, and the
Python in .github/colab-python-version the same major.minor. Otherwise this names what moved
and exits with status 1: copy the new versions into those two files (README, "Run in Colab").
Needs only ``packaging`` and booktools itself (installed alone, ``--no-deps``), so the drift job
installs nothing else.
"""

from __future__ import annotations

import re
import sys
import urllib.request
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from booktools.project import ROOT

BACKEND_INFO = "https://raw.githubusercontent.com/googlecolab/backend-info/main/"


def normalize(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): case and -_. do not matter."""
    return canonicalize_name(name)


def pins(text: str) -> dict[str, str]:
    """normalized name -> version of every requirement pinned with ``==`` in a requirements file
    or ``pip freeze`` output, read by ``packaging`` as pip reads it: comments, options (``-r``,
    ``--index-url``) and unpinned requirements are passed over; a line that is none of these is an
    error. A package pinned twice, under different markers, must be one release."""
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not line or line.startswith("-"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ValueError(f"line {number} is not a requirement: {raw!r} ({error})") from None
        pinned = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if not pinned:
            continue
        name = normalize(requirement.name)  # under two markers: one release (torch 2.13.0 and 2.13.0+cpu)
        if Version(found.setdefault(name, pinned[0])).public != Version(pinned[0]).public:
            raise ValueError(f"line {number}: {name} pinned to {pinned[0]} and to {found[name]}")
    return found


def colab_python(os_info: str) -> str:
    match = re.search(r"^Python (\d+\.\d+)", os_info, re.M)
    if not match:
        raise ValueError("no 'Python X.Y' line in Colab's os-info file")
    return match.group(1)


def moved(ours: dict[str, str], colab: dict[str, str]) -> list[str]:
    """One line per pinned package whose version Colab no longer has."""
    lines = []
    for name, version in sorted(ours.items()):
        if name not in colab:
            lines.append(f"{name}: pinned {version}, not installed in Colab any more")
        elif colab[name] != version:
            lines.append(f"{name}: pinned {version}, Colab has {colab[name]}")
    return lines


def read(source: str) -> str:
    if re.match(r"https?://", source):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 - a fixed https URL
            return response.read().decode()
    return Path(source).read_text()


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    freeze = argv[0] if argv else BACKEND_INFO + "pip-freeze.gpu.txt"
    os_info = argv[1] if len(argv) > 1 else BACKEND_INFO + "os-info-gpu.txt"
    lines = moved(pins((ROOT / "requirements-colab.txt").read_text()), pins(read(freeze)))
    ours_python = (ROOT / ".github" / "colab-python-version").read_text().strip()
    theirs_python = colab_python(read(os_info))
    if theirs_python != ours_python:
        lines.append(f"python: .github/colab-python-version says {ours_python}, Colab runs {theirs_python}")
    if lines:
        print("Colab has moved since requirements-colab.txt was written:", *lines, sep="\n  ")
        return 1
    print(f"requirements-colab.txt matches Colab (Python {theirs_python}).")
    return 0
