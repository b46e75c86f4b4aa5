"""``booktools lock [NAME ...]``: compile each environment's requirement file into its lock file,
``locks/NAME.txt``: every package the environment installs, transitive ones included, at one
version, with the hashes of its files, resolved by uv (``uv pip compile --generate-hashes``).

Every install of the project reads a lock, never a requirement file, and with
``--require-hashes``: ``make install`` and ``make backends``, ``scripts/check-colab`` and the
workflows (see LOCKS). So a new release of a package nobody pinned changes nothing until the
locks are compiled again, and a release's numbers can be rebuilt from the locks it records.

The requirement files stay what a person edits (the packages the book uses, pinned); ``make lock``
then recompiles every lock, keeping each version a lock already has unless its requirement file
now asks for another. ``make lock UPGRADE=1`` (``booktools lock --upgrade``) also moves every
transitive package to its newest version, as the weekly job (.github/workflows/locks.yml) does.
tests/test_locks.py checks, offline, that each lock agrees with its requirement file.

    booktools lock [--upgrade] [NAME ...]      (no NAME: every lock)
    booktools lock --check [NAME ...]          does each lock agree with its requirement file?
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from booktools.project import ROOT

FOLDER = "locks"


@dataclass(frozen=True)
class Lock:
    #: the requirement file it is compiled from
    source: str
    #: what installs it
    used_by: str
    #: None: a universal lock, for every platform and Python from .python-version's on; else the
    #: one platform (uv's --python-platform) the environment exists on
    platform: str | None = None
    #: locks whose versions this one keeps, because it is installed on top of their environment
    constraints: tuple[str, ...] = ()
    #: packages built from this repository, installed from their folders (editable, --no-deps)
    own: tuple[str, ...] = ()


#: Every environment the project installs, by lock name (locks/NAME.txt).
LOCKS = {
    "build": Lock(
        "requirements.txt",
        "make install: the book's build and tests (.venv)",
        own=("dlbook", "booktools"),
    ),
    "backends": Lock(
        "requirements-backends.txt",
        "make backends: Keras' JAX and PyTorch backends, on top of the build",
        constraints=("build",),
    ),
    "runtime": Lock(
        "requirements-runtime.txt",
        "scripts/check-colab runtime: a bare environment with the newest pinned versions",
    ),
    "colab": Lock(
        "requirements-colab.txt",
        "scripts/check-colab colab: a bare environment with Colab's versions",
    ),
    "checks": Lock(
        "requirements-checks.txt",
        "the workflows' jobs that run booktools alone (links, Colab's versions, release notes)",
    ),
    "gpu-tensorflow": Lock(
        "requirements-gpu-tensorflow.txt",
        "the GPU runs on TensorFlow with CUDA (gpu.yml; publish.yml, on top of the build)",
        platform="x86_64-manylinux_2_28",
        constraints=("build",),
    ),
    "gpu-jax": Lock(
        "requirements-gpu-jax.txt",
        "the GPU runs on JAX with CUDA (gpu.yml)",
        platform="x86_64-manylinux_2_28",
        constraints=("build",),
    ),
}


def path(name: str, root: Path = ROOT) -> Path:
    return root / FOLDER / f"{name}.txt"


def python_version(root: Path = ROOT) -> str:
    """The lowest Python the book supports: .python-version, which CI's setup-python reads too."""
    return (root / ".python-version").read_text().strip()


def command(name: str, uv: str = "uv", upgrade: bool = False, root: Path = ROOT) -> list[str]:
    """The uv command that compiles lock NAME (run in the repository's root)."""
    lock = LOCKS[name]
    args = [uv, "pip", "compile", lock.source, "-o", f"{FOLDER}/{name}.txt", "--generate-hashes"]
    args += ["--python-version", python_version(root), "--custom-compile-command", "make lock"]
    # PyTorch's CPU build is on PyTorch's own index, under the same name as PyPI's CUDA build: uv
    # takes a package from the first index that has it unless told to compare them all.
    args += ["--index-strategy", "unsafe-best-match", "--quiet"]
    args += ["--python-platform", lock.platform] if lock.platform else ["--universal"]
    for other in lock.constraints:
        args += ["--constraint", f"{FOLDER}/{other}.txt"]
    for package in lock.own:
        args += ["--no-emit-package", package]
    if re.search(r"^--(extra-)?index-url", (root / lock.source).read_text(), re.M):
        args.append("--emit-index-url")  # pip, installing the lock, needs the index too
    if upgrade:
        args.append("--upgrade")
    return args


def order(names: list[str]) -> list[str]:
    """NAMES with every lock after those it is constrained by."""
    done: list[str] = []

    def visit(name: str) -> None:
        for other in LOCKS[name].constraints:
            visit(other)
        if name not in done:
            done.append(name)

    for name in names:
        visit(name)
    return [name for name in done if name in names]


def pins(text: str) -> dict[str, set[str]]:
    """Name -> the versions a requirement file or a lock pins with ``==``, read by ``packaging`` as
    pip reads them (two versions where markers choose: tensorflow-cpu/tensorflow, or scipy for
    Python 3.11 and for 3.12 on). Options, comments and a lock's ``--hash`` options are passed over."""
    found: dict[str, set[str]] = {}
    for line in re.sub(r"\\\n", " ", text).splitlines():  # a lock continues an entry after a backslash
        line = re.sub(r"\s--hash=\S+", "", re.sub(r"(^|\s)#.*", "", line)).strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        for spec in requirement.specifier:
            if spec.operator == "==":
                found.setdefault(canonicalize_name(requirement.name), set()).add(spec.version)
    return found


def sources(name: str, root: Path = ROOT) -> str:
    """Lock NAME's requirement file with the files it includes (``-r``), as one text."""
    seen: list[str] = []

    def read(relative: str) -> None:
        if relative in seen:
            return
        seen.append(relative)
        text = (root / relative).read_text()
        for included in re.findall(r"^-r\s+(\S+)", text, re.M):
            read(included)

    read(LOCKS[name].source)
    return "\n".join((root / relative).read_text() for relative in seen)


def disagreements(name: str, root: Path = ROOT) -> list[str]:
    """What lock NAME pins otherwise than its requirement file does, or lacks: empty when the lock
    was compiled from the requirement file as it is now (checked offline, by version alone)."""
    wanted, locked = pins(sources(name, root)), pins(path(name, root).read_text())
    problems = []
    for package, versions in sorted(wanted.items()):
        if not versions <= locked.get(package, set()):
            have = ", ".join(sorted(locked.get(package, set()))) or "nothing"
            problems.append(
                f"{package}: {LOCKS[name].source} pins {', '.join(sorted(versions))}, the lock {have}"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="booktools lock", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="one of " + ", ".join(LOCKS))
    parser.add_argument(
        "--upgrade", action="store_true", help="also move transitive packages to their newest versions"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compile nothing; fail if a lock disagrees with its requirement file",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in LOCKS]
    if unknown:
        parser.error(f"no lock named {', '.join(unknown)}; the locks are {', '.join(LOCKS)}")
    if args.check:
        problems = [
            f"locks/{name}.txt: {problem}" for name in args.names or LOCKS for problem in disagreements(name)
        ]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("A requirement file changed after its lock was compiled: run make lock.", file=sys.stderr)
        return 1 if problems else 0
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(uv).exists() and not shutil.which(uv):
        sys.exit("booktools lock: uv is not installed; make install installs it (requirements.txt pins it).")
    (ROOT / FOLDER).mkdir(exist_ok=True)
    for name in order(args.names or list(LOCKS)):
        print(f"locks/{name}.txt <- {LOCKS[name].source}", file=sys.stderr)
        before = path(name).read_text() if path(name).exists() else ""
        if subprocess.run(command(name, uv, args.upgrade), cwd=ROOT).returncode:
            print(
                f"booktools lock: uv could not compile locks/{name}.txt (its message is above)",
                file=sys.stderr,
            )
            return 1
        for change in moved(before, path(name).read_text()):
            print(f"  {change}")
    return 0


def moved(before: str, after: str) -> list[str]:
    """What changed between two versions of a lock, a line a package: ``scipy 1.17.1 -> 1.18.1``."""
    old, new = pins(before), pins(after)
    show = lambda versions: ", ".join(sorted(versions)) or "(none)"  # noqa: E731
    return [
        f"{package} {show(old.get(package, set()))} -> {show(new.get(package, set()))}"
        for package in sorted(old.keys() | new.keys())
        if old.get(package) != new.get(package)
    ]
