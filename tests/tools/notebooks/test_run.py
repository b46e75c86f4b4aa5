"""booktools.notebooks.run: a finished run is reused only when nothing it depends on changed,
and a failed run never is. Checked on two small notebooks, each run in a real kernel."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from booktools.notebooks.run import run_key

ROOT = Path(__file__).resolve().parents[3]


def write(folder: Path, name: str, source: str) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nbformat.write(notebook, folder / f"{name}.ipynb")


def run(notebooks: Path, out: Path, cache: Path, **env) -> dict:
    subprocess.run(
        [sys.executable, "-m", "booktools", "run-notebooks", notebooks, out],
        env={**os.environ, "DLBOOK_CACHE": str(cache), **env},
        capture_output=True,
        text=True,
    )
    return json.loads((out / "run.json").read_text())["notebooks"]


@pytest.mark.slow  # each round starts kernels
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


@pytest.mark.slow  # hashes every installed distribution
def test_fingerprint_covers_the_helper_package_but_not_the_benchmark_results(tmp_path, monkeypatch):
    """A change to the helper package re-executes every chapter; new benchmark results do not (the
    appendix pins them by hash in its own cells, which its cache key covers)."""
    import importlib.util
    import shutil as sh
    from types import SimpleNamespace

    import dlbook
    from booktools.notebooks import environment

    package = tmp_path / "dlbook"
    sh.copytree(Path(dlbook.__file__).parent, package, ignore=sh.ignore_patterns("__pycache__"))
    spec = SimpleNamespace(submodule_search_locations=[str(package)])
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec if name == "dlbook" else real(name))

    before = environment.fingerprint()
    assert environment.NOT_FINGERPRINTED == {"measurements.json"}
    (package / "measurements.json").write_text('{"new": "results"}\n')
    assert environment.fingerprint() == before
    (package / "data.py").write_text((package / "data.py").read_text() + "\n# changed\n")
    assert environment.fingerprint() != before


def _distribution(name: str, version: str, requires: list[str]):
    from types import SimpleNamespace

    return SimpleNamespace(metadata={"Name": name}, version=version, requires=requires)


def test_fingerprint_covers_what_a_run_depends_on_not_the_builds_tools(monkeypatch):
    """A new version of anything a chapter's run can import (the helper's dependencies, their
    dependencies, the kernel) re-executes every chapter; a new version of a tool only the build or
    the tests use (pytest, the site's theme) or an optional extra's package re-executes nothing."""
    import importlib.metadata

    from booktools.notebooks import environment

    def installed(pytest_version="9.0", pyzmq_version="27.0", theme_version="1.3"):
        return [
            _distribution("dlbook", "0.1", ["keras>=3", "numpy>=1.24"]),
            _distribution("keras", "3.15", ["numpy", "rich ; extra == 'dev'"]),
            _distribution("numpy", "2.4", []),
            _distribution("ipykernel", "7.4", ["pyzmq>=25", "pytest ; extra == 'test'"]),
            _distribution("pyzmq", pyzmq_version, []),
            _distribution("rich", "14.0", []),
            _distribution("pytest", pytest_version, []),
            _distribution("sphinx_book_theme", theme_version, []),
        ]

    def fingerprint(**versions):
        monkeypatch.setattr(importlib.metadata, "distributions", lambda: installed(**versions))
        return environment.fingerprint()

    before = fingerprint()
    assert set(environment.runtime_distributions()) == {"dlbook", "keras", "numpy", "ipykernel", "pyzmq"}
    assert fingerprint(pytest_version="9.1") == before  # a test tool, and only an extra's
    assert fingerprint(theme_version="1.4") == before  # the site's theme
    assert fingerprint(pyzmq_version="27.1") != before  # what the kernel runs on


@pytest.mark.parametrize(
    ("change", "same"),
    [
        (lambda nb: nb.cells.insert(0, nbformat.v4.new_markdown_cell("New prose, **0.93**")), True),
        (
            lambda nb: setattr(
                nb.cells[0], "source", nb.cells[0].source.replace("0123456789ab", "ba9876543210")
            ),
            True,
        ),
        (lambda nb: setattr(nb.cells[1], "source", "glue('answer', 43)"), False),
        (lambda nb: nb.cells.append(nbformat.v4.new_code_cell("print(1)")), False),
    ],
    ids=["prose", "setup commit", "code", "another cell"],
)
def test_a_run_is_keyed_on_what_executes(change, same):
    """Markdown does not run and the setup cell's commit installs nothing where the helper is
    installed: changing either reuses a run; changing code does not."""

    def notebook():
        setup = nbformat.v4.new_code_cell("# commit 0123456789ab\nimport dlbook", metadata={"id": "setup"})
        return nbformat.v4.new_notebook(cells=[setup, nbformat.v4.new_code_cell("glue('answer', 42)")])

    changed = notebook()
    change(changed)
    assert (run_key(changed, "environment") == run_key(notebook(), "environment")) is same
