"""The lock files (booktools.locks): one per environment, each agreeing with its requirement file,
every package hashed, and every install of the project reading a lock with --require-hashes."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from booktools import locks
from booktools.project import ROOT

#: `name==version ; markers \` and the `--hash=sha256:...` lines under it, one entry per package
ENTRY = re.compile(
    r"^(?P<pin>[A-Za-z0-9][^\s\\]*==[^\s;\\]+)[^\n]*\\\n"
    r"(?P<hashes>(?:\s+--hash=sha256:[0-9a-f]{64}[ \\]*\n?)+)",
    re.M,
)


def test_every_requirement_file_has_exactly_one_lock():
    files = sorted(p.name for p in ROOT.glob("requirements*.txt"))
    assert sorted(lock.source for lock in locks.LOCKS.values()) == files
    assert sorted(p.stem for p in (ROOT / locks.FOLDER).glob("*.txt")) == sorted(locks.LOCKS)


@pytest.mark.parametrize("name", list(locks.LOCKS))
def test_each_lock_agrees_with_its_requirement_file(name):
    assert locks.disagreements(name) == []


@pytest.mark.parametrize("name", list(locks.LOCKS))
def test_every_package_of_a_lock_is_pinned_with_hashes(name):
    text = locks.path(name).read_text()
    requirements = [line for line in text.splitlines() if re.match(r"[A-Za-z0-9]", line)]
    entries = ENTRY.findall(text)
    assert requirements and len(entries) == len(requirements), "a package without hashes"
    assert not re.search(r"^-e |^\.|file://", text, re.M), "a lock names a local path"


def test_a_pin_changed_after_the_lock_is_named_with_both_versions(tmp_path):
    for relative in ["requirements-runtime.txt", "requirements-checks.txt", "requirements.txt"]:
        shutil.copy(ROOT / relative, tmp_path / relative)
    shutil.copytree(ROOT / locks.FOLDER, tmp_path / locks.FOLDER)
    runtime = tmp_path / "requirements-runtime.txt"
    runtime.write_text(runtime.read_text().replace("numpy==2.4.6", "numpy==2.4.7"))
    for name in ("runtime", "build"):  # requirements.txt includes requirements-runtime.txt
        assert locks.disagreements(name, tmp_path) == [
            f"numpy: {locks.LOCKS[name].source} pins 2.4.7, the lock 2.4.6"
        ]
    assert locks.disagreements("checks", tmp_path) == []


def test_the_check_fails_with_the_advice_to_compile_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        locks, "disagreements", lambda name, root=ROOT: ["numpy: differs"] if name == "colab" else []
    )
    assert locks.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "locks/colab.txt: numpy: differs" in err and "run make lock" in err
    monkeypatch.setattr(locks, "disagreements", lambda name, root=ROOT: [])
    assert locks.main(["--check"]) == 0


def test_an_unknown_lock_is_refused():
    with pytest.raises(SystemExit) as stop:
        locks.main(["--check", "nightly"])
    assert stop.value.code == 2


def test_locks_compile_after_the_locks_they_keep_and_say_for_which_platform():
    assert locks.order(["gpu-jax", "runtime", "build"]) == ["build", "gpu-jax", "runtime"]
    assert locks.order(["gpu-jax"]) == ["gpu-jax"]
    assert locks.order(list(locks.LOCKS)).index("build") == 0
    build = locks.command("build")
    assert "--universal" in build and build[build.index("--python-version") + 1] == "3.11"
    assert {"dlbook", "booktools"} <= set(
        build[i + 1] for i, a in enumerate(build) if a == "--no-emit-package"
    )
    gpu = locks.command("gpu-tensorflow")
    assert "--universal" not in gpu and gpu[gpu.index("--python-platform") + 1].startswith("x86_64-manylinux")
    assert gpu[gpu.index("--constraint") + 1] == "locks/build.txt"
    # the PyTorch index named in requirements-backends.txt reaches the lock, for pip to install from
    assert "--emit-index-url" in locks.command("backends") and "--emit-index-url" not in build
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in locks.path("backends").read_text()


def test_moved_names_each_package_whose_version_changed():
    before = "a==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\nb==2.0 \\\n    --hash=sha256:" + "1" * 64 + "\n"
    after = before.replace("b==2.0", "b==2.1") + "c==3.0 \\\n    --hash=sha256:" + "2" * 64 + "\n"
    assert locks.moved(before, after) == ["b 2.0 -> 2.1", "c (none) -> 3.0"]


#: Every install command of the project: the Makefile's recipes, scripts/ and the workflows' steps.
def install_lines() -> list[str]:
    texts = [(ROOT / "Makefile").read_text()]
    texts += [p.read_text() for p in (ROOT / "scripts").iterdir() if p.is_file()]
    texts += [p.read_text() for p in (ROOT / ".github" / "workflows").glob("*.yml")]
    lines = [re.sub(r"(^|\s)#.*", "", line) for text in texts for line in text.splitlines()]
    return [line.strip() for line in lines if re.search(r"pip[\"\]\}]*\s+install\b", line)]


def test_every_install_reads_a_lock_with_hashes_or_installs_the_books_own_packages():
    lines = install_lines()
    assert len(lines) >= 8, lines
    for line in lines:
        own = re.search(r"--no-deps|--no-index", line) and re.search(
            r"(\./code|\./tools|dlbook-\*\.whl)", line
        )
        locked = re.search(r"--require-hashes -r \"?(locks/|\$lock\b)", line)
        pip_itself = line.endswith("install --upgrade pip")
        assert own or locked or pip_itself, f"an install that reads no lock: {line}"
        assert not re.search(r"-r \"?requirements", line), line


@pytest.mark.slow
@pytest.mark.parametrize("name", ["runtime", "colab", "checks", "gpu-tensorflow"])
def test_uv_compiles_the_same_lock_from_the_requirement_file_today(name, tmp_path):
    """Compiled again, keeping the versions the lock has (uv's default), a lock comes out as it is
    in the repository: it was written by `make lock`, from its requirement file as it is (PyPI:
    needs the network; the locks of the book's own packages and PyTorch's index are left out)."""
    lock = locks.LOCKS[name]
    for relative in [lock.source, ".python-version", *(f"{locks.FOLDER}/{c}.txt" for c in lock.constraints)]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    locks.path(name, tmp_path).parent.mkdir(exist_ok=True)
    shutil.copy(locks.path(name), locks.path(name, tmp_path))
    uv = str(Path(sys.executable).with_name("uv"))
    subprocess.run(locks.command(name, uv, root=tmp_path), cwd=tmp_path, check=True, timeout=300)
    assert locks.path(name, tmp_path).read_text() == locks.path(name).read_text()
