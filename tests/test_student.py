"""The student edition: the same book without the exercises' solutions (``make student``).

The solutions must be absent, not hidden: from every file of the student site (pages, search
index, the ``.md`` and ``.ipynb`` downloads, the notebooks zip) and from its Colab notebooks.
Each check also runs on the full edition, where the same text must be found, so a check that
could not see a solution cannot pass by looking at nothing.
"""

import io
import re
import zipfile
from pathlib import Path

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup

from booktools import project
from booktools.notebooks import colab

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "_build"
STUDENT = ROOT / "_build" / "student" / "_build"


def solution_texts(chapter: str) -> dict[str, list[str]]:
    """Label -> runs of at least six plain words from each solution of a chapter (no markup,
    no glued values), and the code of its solution cells, line by line."""
    source = (ROOT / f"{chapter}.md").read_text()
    found = {}
    for match in re.finditer(r"^```\{solution\}[ \t]*(\S+)\n(.*?)^```", source, re.M | re.S):
        label, body = match.groups()
        body = re.sub(r"^:[\w-]+:.*$", "", body, flags=re.M)  # directive options
        runs = re.split(r"`[^`]*`|\{[^}]*\}|[*_$|\[\]()]|\n\s*\n|\n\s*[-\d]+[.)]?\s", body)
        words = [" ".join(run.split()) for run in runs]
        found[label] = [run for run in words if len(run.split()) >= 6]
        assert found[label], f"{chapter}: no plain sentence to look for in the solution {label}"
    notebook = jupytext.read(ROOT / f"{chapter}.md")
    # lines the rest of the chapter has too (other cells, the prose) are no sign of a solution
    elsewhere = colab.without_solutions(source)
    code = [
        line.strip()
        for cell in notebook.cells
        if colab.is_solution_cell(cell)
        for line in cell.source.splitlines()
        if len(line.strip()) >= 30 and line.strip() not in elsewhere
    ]
    if code:
        found["solution cells"] = code
    return found


def site_text(html_dir: Path) -> str:
    """Everything a reader of a site can reach, as text: every page's visible text and every
    other text file (search index, downloads), and the members of the notebooks zip."""
    parts = []
    for path in sorted(html_dir.rglob("*")):
        if path.suffix == ".html":
            parts.append(BeautifulSoup(path.read_text(), "html.parser").get_text(" "))
        elif path.suffix in {".js", ".json", ".md", ".ipynb", ".txt"}:
            parts.append(path.read_text(errors="replace"))
        elif path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as bundle:
                parts += [bundle.read(name).decode() for name in bundle.namelist()]
    return " ".join(" ".join(parts).replace("\\n", " ").replace('\\"', '"').split())


def notebooks_text(notebook_dir: Path) -> dict[str, str]:
    """Chapter -> the text of its notebook, whitespace squeezed."""
    return {
        path.relative_to(notebook_dir).with_suffix("").as_posix(): " ".join(
            " ".join(cell.source.split()) for cell in nbformat.read(path, as_version=4).cells
        )
        for path in sorted(notebook_dir.rglob("*.ipynb"))
    }


@pytest.fixture(scope="module")
def editions():
    """The text of both editions' sites and notebooks."""
    if not (STUDENT / "html" / "index.html").exists():
        pytest.fail("No student edition in _build/student: run `make student` first.")
    return {
        "full": (site_text(FULL / "html"), notebooks_text(FULL / "notebooks")),
        "student": (site_text(STUDENT / "html"), notebooks_text(STUDENT / "notebooks")),
    }


def test_solution_cells_come_after_every_other_code_cell(chapter):
    """The student notebooks drop the solution cells, so nothing after them may need them."""
    cells = [c for c in jupytext.read(ROOT / f"{chapter}.md").cells if c.cell_type == "code"]
    kinds = [colab.is_solution_cell(c) for c in cells]
    assert kinds == sorted(kinds), f"{chapter}: a code cell follows a solution cell"


@pytest.mark.book
def test_no_solution_reaches_the_student_edition(chapter, editions):
    texts = solution_texts(chapter)
    if not texts:
        pytest.skip(f"{chapter} has no solutions")
    for label, runs in texts.items():
        for edition, (site, notebooks) in editions.items():
            # a solution cell's code is looked for in its own chapter's notebook, the prose everywhere
            where = notebooks[chapter] if label == "solution cells" else " ".join([site, *notebooks.values()])
            present = [run for run in runs if run in where]
            if edition == "full":  # the check sees the solutions where they are
                assert present, f"{chapter}, {label}: not found in the full edition either"
            else:
                assert not present, f"{chapter}, {label}: in the student edition: {present[:2]}"


@pytest.mark.book
def test_the_student_edition_keeps_every_exercise(chapter):
    def exercises(html_dir: Path) -> list[str]:
        page = BeautifulSoup((html_dir / f"{chapter}.html").read_text(), "html.parser")
        return [" ".join(e.get_text(" ").split()) for e in page.select(".exercise")]

    full, student = exercises(FULL / "html"), exercises(STUDENT / "html")
    assert student == full
    source = (ROOT / f"{chapter}.md").read_text()
    assert len(student) == source.count("```{exercise}")
    assert not any("Solution" in e for e in student)
    # "Exercise 7.2" names the same exercise on the site and in both editions' notebooks
    on_site = [re.match(r"Exercise \d+(?:\.\d+)?", e).group(0) for e in full]
    for edition in (FULL, STUDENT):
        notebook = nbformat.read(edition / "notebooks" / f"{chapter}.ipynb", as_version=4)
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert re.findall(r"^\*\*(Exercise \d+(?:\.\d+)?)\.\*\*", text, re.M) == on_site, edition
        solved = re.findall(r"<summary>Solution to (Exercise [\d.]+)</summary>", text)
        assert solved == ([] if edition == STUDENT else on_site), edition


@pytest.mark.book
def test_student_pages_say_so_and_open_the_student_notebooks(chapter):
    settings = project.read_settings(ROOT, "student")
    page = BeautifulSoup((STUDENT / "html" / f"{chapter}.html").read_text(), "html.parser")
    assert "Student edition" in page.get_text()
    links = [a["href"] for a in page.find_all("a", href=True) if "colab.research.google.com" in a["href"]]
    assert links == [settings.colab_url(chapter)]
    assert "/blob/" + settings.notebooks_ref + "/student/" + chapter + ".ipynb" in links[0]
    assert (STUDENT / "notebooks" / f"{chapter}.ipynb").is_file()
    canonical = page.find("link", rel="canonical")
    assert canonical is not None and canonical["href"].startswith(settings.site_url)


@pytest.mark.book
def test_student_notebooks_are_the_full_ones_less_the_solutions(chapter):
    """Every other cell is kept as it is, so the notebook runs as the full one does."""
    full = nbformat.read(FULL / "notebooks" / f"{chapter}.ipynb", as_version=4)
    student = nbformat.read(STUDENT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    full_code = [c.source for c in full.cells if c.cell_type == "code"]
    student_code = [c.source for c in student.cells if c.cell_type == "code"]
    n_solution = sum(colab.is_solution_cell(c) for c in jupytext.read(ROOT / f"{chapter}.md").cells)
    assert len(student_code) == len(full_code) - n_solution
    assert student_code == full_code[: len(student_code)]


# --- the conversion itself (no build needed) ----------------------------------------------------

SOURCE = """---
kernelspec:
  name: python3
  display_name: Python 3
---

# A chapter

```{code-cell} ipython3
x = 1
```

## Exercises

```{exercise}
:label: ex-a

Predict x.
```

```{solution} ex-a
:class: dropdown

It is one, as the first cell says.
```

```{code-cell} ipython3
:tags: [remove-cell, solution]
assert x == 1
```
"""


def test_without_solutions_keeps_everything_else_as_written():
    text = colab.without_solutions(SOURCE)
    assert "{solution}" not in text and "assert x == 1" not in text and "It is one" not in text
    assert text == SOURCE.split("```{solution}")[0]  # the rest, character for character


def test_a_solution_cell_with_its_options_in_a_yaml_block_is_left_out_too():
    """MyST's parser reads a directive's options however they are written (the regular
    expressions that did this before knew only the one-line form, and refused the other)."""
    odd = SOURCE.replace(":tags: [remove-cell, solution]\n", "---\ntags: [remove-cell, solution]\n---\n")
    assert odd != SOURCE
    assert colab.without_solutions(odd) == colab.without_solutions(SOURCE)


def test_the_edition_comes_from_dlbook_edition(monkeypatch):
    monkeypatch.setenv("DLBOOK_EDITION", "students")
    with pytest.raises(ValueError, match="must be one of full, student"):
        project.edition()
    monkeypatch.setenv("DLBOOK_EDITION", "student")
    settings = project.read_settings(ROOT)
    full = project.read_settings(ROOT, "full")
    assert settings.student and settings.site_url == full.site_url + "student/"
    assert settings.colab_url("book/a") == full.colab_url("student/book/a")
