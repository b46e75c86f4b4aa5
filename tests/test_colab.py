"""Open in Colab: generated notebooks, launch buttons, and the notebooks run outside the repo.

The build writes _build/notebooks; `scripts/check-colab` runs them in a bare environment and
writes _build/colab-run. These tests read both.
"""

import ast
import json
import math
import re
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from .test_toc import NOT_NOTEBOOKS, ROOT, toc_files

sys.path.insert(0, str(ROOT / "scripts"))  # the build's own modules, to test them directly
import colab  # noqa: E402

BUILD = ROOT / "_build"
SETTINGS = colab.read_settings(ROOT)
CHAPTERS = colab.chapters(ROOT)


def notebook(name: str) -> nbformat.NotebookNode:
    path = BUILD / "notebooks" / f"{name}.ipynb"
    if not path.exists():
        pytest.fail(f"{path} missing: build the book first (make book)")
    return nbformat.read(path, as_version=4)


# --- the settings and the converter (fast) ----------------------------------------------------


def test_every_chapter_in_book_is_a_notebook_chapter():
    on_disk = sorted(p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "book").glob("*.md"))
    assert sorted(CHAPTERS) == [name for name in on_disk if name not in NOT_NOTEBOOKS]
    assert CHAPTERS == [name for name in toc_files() if name in CHAPTERS]  # reading order


def test_helper_ref_is_the_release_of_the_helper_package():
    import dlbook

    assert SETTINGS.helper_ref == f"v{dlbook.__version__}"
    assert SETTINGS.colab_url("book/training") == (
        f"https://colab.research.google.com/github/{SETTINGS.org_repo}/blob/"
        f"{SETTINGS.notebooks_branch}/book/training.ipynb"
    )


def test_plain_markdown_conversion():
    titles = {"ch-training": ("Training the network", "book/training.html")}
    text = (
        "(ch-x)=\n# Title\n\nAccuracy {glue:text}`test_acc:.1%` and {glue}`n`; see {ref}`ch-training`"
        " or {ref}`that chapter <ch-training>`.\n\nTerm\n: its definition\n\n"
        "A {term}`gradient`, {term}`learning rates <learning rate>` and {term}`relu`.\n\n"
        "```{glue:figure} fig-a\n:name: fig-a\n:alt: Alt.\n\nThe caption.\n```\n\n"
        "```{exercise}\n:label: ex-1\n\nDo it.\n```\n\n```{solution} ex-1\n:class: dropdown\n\nDone.\n```\n"
    )
    out = colab.to_plain_markdown(text, SETTINGS, titles)
    assert "(ch-x)=" not in out and "{" not in out
    assert "Accuracy `test_acc` and `n`" in out
    assert f"[Training the network]({SETTINGS.site_url}book/training.html)" in out
    assert f"[that chapter]({SETTINGS.site_url}book/training.html)" in out
    assert "**Term**: its definition" in out
    glossary = f"{SETTINGS.site_url}book/glossary.html"
    assert f"A [gradient]({glossary}#term-gradient), [learning rates]({glossary}#term-learning-rate)" in out
    assert f"and [relu]({glossary}#term-ReLU)." in out  # the glossary's spelling, as in Sphinx's anchor
    assert "> **Figure** (drawn by the code cell above): The caption." in out
    assert "**Exercise.** Do it." in out
    assert "<details><summary>Solution</summary>\n\nDone.\n\n</details>" in out


def test_every_reference_in_the_book_converts():
    titles = colab.chapter_titles(ROOT)
    assert titles["ch-training"] == ("Training the network", "book/training.html")
    assert titles["sec-training-speed"][1] == "book/backends-and-speed.html#sec-training-speed"
    for name in CHAPTERS:
        colab.colab_notebook(name, SETTINGS, ROOT, titles)  # raises on anything it cannot convert


@pytest.mark.parametrize(
    "bad",
    [
        "{ref}`ch-nowhere`",
        "```{warning}\nCareful.\n```\n",
        "An {abbr}`MNIST (Modified NIST)` role.",
        "A {term}`word the glossary lacks`.",
    ],
)
def test_conversion_refuses_what_it_cannot_convert(bad):
    with pytest.raises(ValueError):
        colab.to_plain_markdown(bad, SETTINGS, {})


def test_settings_must_name_a_github_repository(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "repository: {url: https://gitlab.com/a/b}\nhtml: {baseurl: https://x.org/}\n"
        "colab: {notebooks_branch: nb, helper_ref: v1}\n"
    )
    with pytest.raises(ValueError, match="github.com/<org>/<repo>"):
        colab.read_settings(tmp_path).colab_url("book/a")
    (tmp_path / "_config.yml").write_text("repository: {url: https://github.com/a/b}\nhtml: {baseurl: x}\n")
    with pytest.raises(ValueError, match="notebooks_branch, helper_ref"):
        colab.read_settings(tmp_path)


# --- the built site and notebooks -------------------------------------------------------------


@pytest.mark.book
@pytest.mark.parametrize("name", CHAPTERS)
def test_one_colab_button_pointing_at_an_existing_notebook(name):
    html = BeautifulSoup((BUILD / "html" / f"{name}.html").read_text(), "html.parser")
    links = [a["href"] for a in html.find_all("a", href=True) if "colab.research.google.com" in a["href"]]
    assert links == [SETTINGS.colab_url(name)]
    assert (BUILD / "notebooks" / f"{name}.ipynb").exists()
    downloads = {a.get_text(strip=True): a["href"] for a in html.select(".dropdown-download-buttons a[href]")}
    assert set(downloads) >= {".ipynb", ".md"}
    for href in (downloads[".ipynb"], downloads[".md"]):
        assert (BUILD / "html" / Path(name).parent / href).resolve().is_file(), href
    executed = nbformat.read(BUILD / "html" / Path(name).parent / downloads[".ipynb"], as_version=4)
    assert any(cell.get("outputs") for cell in executed.cells), "the .ipynb download should hold outputs"


@pytest.mark.book
@pytest.mark.parametrize("name", sorted(NOT_NOTEBOOKS))
def test_prose_pages_have_no_colab_button(name):
    html = (BUILD / "html" / f"{name}.html").read_text()
    assert "colab.research.google.com" not in html


@pytest.mark.book
@pytest.mark.parametrize("name", CHAPTERS)
def test_generated_notebook_is_colab_ready(name):
    nb = notebook(name)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3", "language": "python"}
    setup = nb.cells[0]
    assert setup.cell_type == "code"
    assert '"google.colab" in sys.modules' in setup.source
    assert SETTINGS.helper_requirement in setup.source
    assert not any(pkg in setup.source for pkg in ("tensorflow", "keras==", "numpy==", "scikit-learn=="))
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        else:
            assert not re.search(r"\{(glue|ref|exercise|solution)|^```\{|^\([\w-]+\)=", cell.source, re.M), (
                cell.source[:200]
            )
    trains = name in {
        "book/first-program",
        "book/preparing-data",
        "book/training",
        "book/improving-training",
        "book/evaluation",
        "book/predictions",
        "book/how-learning-works",
        "book/convolutional",
        "book/draw-a-digit",
    }
    assert (nb.metadata.get("accelerator") == "GPU") == trains, "chapters that train ask Colab for a GPU"


# --- the notebooks, run outside the repository (scripts/check-colab) ---------------------------


def book_values(name: str) -> dict:
    """The values myst-nb glued into the book (it writes them next to the executed notebook)."""
    glued = json.loads((BUILD / "jupyter_execute" / f"{name}.glue.json").read_text())
    values = {}
    for key, output in glued.items():
        data = output.get("data", {})
        if "text/plain" in data and "image/png" not in data:
            try:
                values[key] = ast.literal_eval(data["text/plain"])
            except (ValueError, SyntaxError):
                values[key] = data["text/plain"]
    return values


def printed_values(nb) -> dict:
    """The values dlbook.glue printed as `name = value` where myst-nb is absent."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines() if output.get("output_type") == "stream" else []:
                match = re.fullmatch(r"([\w-]+) = (.+)", line)
                if match:
                    values[match.group(1)] = ast.literal_eval(match.group(2))
    return values


@pytest.fixture(scope="module")
def colab_run():
    path = BUILD / "colab-run" / "run.json"
    if not path.exists():
        pytest.fail("_build/colab-run is missing: run scripts/check-colab (make test does)")
    return json.loads(path.read_text())


@pytest.mark.book
def test_colab_run_used_a_bare_environment(colab_run):
    modules = colab_run["environment"]["modules"]
    assert modules["myst_nb"] is None and modules["jupyter_book"] is None and modules["jupytext"] is None
    assert "site-packages" in modules["dlbook"] and "code/src" not in modules["dlbook"]
    assert sorted(colab_run["notebooks"]) == sorted(CHAPTERS)


@pytest.mark.book
@pytest.mark.parametrize("name", CHAPTERS)
def test_colab_notebook_ran_and_matches_the_book(colab_run, name):
    assert colab_run["notebooks"][name]["error"] is None, colab_run["notebooks"][name]["error"]
    expected = book_values(name)
    got = printed_values(nbformat.read(BUILD / "colab-run" / f"{name}.ipynb", as_version=4))
    numbers = {k: v for k, v in expected.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    timing = {k for k in numbers if "seconds" in k or "speedup" in k}
    assert numbers, f"{name}: the book glued no numbers"
    for key in sorted(set(numbers) - timing):
        assert key in got, f"{name}: {key} was not printed in the Colab run"
        assert math.isclose(got[key], numbers[key], rel_tol=1e-4, abs_tol=1e-4), (key, got[key], numbers[key])
