"""The execution cache notices helper changes (booktools.sphinx), in both layers:
Sphinx re-reads the chapter and jupyter-cache re-executes it. Checked on a one-chapter book
whose chapter prints a value from a stand-in `dlbook` package put first on the path."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow  # each test builds small books in a subprocess

CHAPTER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {name: python3, display_name: Python 3, language: python}
---
# Cache check

```{code-cell} ipython3
import dlbook
print("helper says", dlbook.VALUE)
```
"""


def build(book: Path, env: dict) -> tuple[int, str]:
    result = subprocess.run(
        [Path(sys.executable).parent / "jupyter-book", "build", str(book), "-W", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    executed = len(re.findall(r"Executed notebook in", result.stdout + result.stderr))
    html = (book / "_build/html/chapter.html").read_text()
    return executed, re.search(r"helper says (\w+)", html).group(1)


@pytest.fixture
def mini_book(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(
        "title: Cache check\nonly_build_toc_files: true\nexecute: {execute_notebooks: cache}\n"
        "sphinx:\n  extra_extensions: [booktools.sphinx]\n"
        "repository: {url: https://github.com/a/b}\nhtml: {baseurl: https://a.org/}\n"
        "colab: {notebooks_branch: nb, helper_ref: v1}\n"
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapter\n")
    (book / "chapter.md").write_text(CHAPTER)
    helper = tmp_path / "site" / "dlbook"
    helper.mkdir(parents=True)
    (helper / "__init__.py").write_text('VALUE = "first"\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    env.pop("DLBOOK_EXECUTE", None)  # CI forces execution; this test is about the cache
    env.pop("DLBOOK_CACHE", None)  # the cache in the book's own build folder
    env["DLBOOK_HELPER_COMMIT"] = "0" * 40  # the small book is not a git checkout
    yield book, helper, env
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_unchanged_book_is_not_re_executed_and_helper_change_is(mini_book):
    book, helper, env = mini_book
    assert build(book, env) == (1, "first")  # cold: executed once
    assert build(book, env) == (0, "first")  # nothing changed: nothing executed
    (helper / "__init__.py").write_text('VALUE = "second"\n')
    assert build(book, env) == (1, "second")  # helper changed: re-executed, new output
    assert build(book, env) == (0, "second")
    (helper / "__init__.py").write_text('VALUE = "first"\n')
    assert build(book, env) == (0, "first")  # back to an earlier helper: its cache is reused


@pytest.mark.backends
def test_other_backend_has_its_own_cache(mini_book):
    book, _, env = mini_book
    assert build(book, env)[0] == 1
    assert build(book, dict(env, KERAS_BACKEND="jax"))[0] == 1
    assert build(book, env)[0] == 0


def test_force_and_bad_mode(mini_book):
    book, _, env = mini_book
    assert build(book, env)[0] == 1
    assert build(book, dict(env, DLBOOK_EXECUTE="force"))[0] == 1
    result = subprocess.run(
        [Path(sys.executable).parent / "jupyter-book", "build", str(book)],
        capture_output=True,
        text=True,
        env=dict(env, DLBOOK_EXECUTE="sometimes"),
    )
    assert result.returncode != 0 and "DLBOOK_EXECUTE must be one of" in result.stdout + result.stderr
