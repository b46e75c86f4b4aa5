"""Open in Colab: generated notebooks, launch buttons, downloads, and the notebooks run outside
the repository.

The build writes _build/notebooks and the site's downloads; `scripts/check-colab colab` and
`scripts/check-colab runtime` run the notebooks in bare environments (Colab's versions, the
newest pinned versions) and write _build/colab-run/<name>. These tests read all of them.
"""

import json
import math
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
BUILD = ROOT / "_build"
SETTINGS = project.read_settings(ROOT)
CHAPTERS = project.chapters(ROOT)


def notebook(name: str) -> nbformat.NotebookNode:
    path = BUILD / "notebooks" / f"{name}.ipynb"
    if not path.exists():
        pytest.fail(f"{path} missing: build the book first (make book)")
    return nbformat.read(path, as_version=4)


# --- the settings and the converter (fast) ----------------------------------------------------


def test_every_chapter_in_book_is_a_notebook_chapter():
    on_disk = sorted(p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "book").glob("*.md"))
    prose = {"book/index", "book/instructors", "book/citing", "book/glossary"}  # pages without code
    assert sorted(CHAPTERS) == [name for name in on_disk if name not in prose]
    assert CHAPTERS == [name for name in project.toc_pages(ROOT) if name in CHAPTERS]  # reading order


def test_helper_ref_is_the_release_of_the_helper_package():
    import dlbook

    assert SETTINGS.helper_ref == f"v{dlbook.__version__}"
    # the release's own notebooks: a tag on the notebooks branch named after the release
    assert SETTINGS.notebooks_ref == f"{SETTINGS.notebooks_branch}-{SETTINGS.helper_ref}"
    assert SETTINGS.colab_url("book/training") == (
        f"https://colab.research.google.com/github/{SETTINGS.org_repo}/blob/"
        f"{SETTINGS.notebooks_ref}/book/training.ipynb"
    )


def test_plain_markdown_conversion():
    titles = {"ch-training": ("Training the network", "book/training.html")}
    text = (
        "(ch-x)=\n# Title\n\nAccuracy {glue:text}`test_acc:.1%` and {glue}`n`; see {ref}`ch-training`"
        " or {ref}`that chapter <ch-training>`.\n\nTerm\n: its definition\n\n"
        "A {term}`gradient`, {term}`learning rates <learning rate>` and {term}`relu`.\n\n"
        "```{glue:figure} fig-a\n:name: fig-a\n:alt: Alt.\n\nThe caption.\n```\n\n"
        "```{exercise}\n:label: ex-1\n\nDo it.\n```\n\n```{solution} ex-1\n:class: dropdown\n\nDone.\n```\n"
        "\n```{admonition} If you are new\n:class: tip\n\nLine one\nline two.\n```\n"
    )
    text += "\nA **bold** word.\n"
    out = colab.to_plain_markdown(text, SETTINGS, titles, {"test_acc": "0.90414", "n": "'lower'"})
    assert "(ch-x)=" not in out and "{" not in out
    # the book's numbers in bold, formatted as on the site; a word chosen by the result reads as
    # prose, and the author's own bold becomes italic, so that bold means "the book's number"
    assert "Accuracy **90.4%** and lower;" in out and "A *bold* word." in out
    assert f"[Training the network]({SETTINGS.site_url}book/training.html)" in out
    assert f"[that chapter]({SETTINGS.site_url}book/training.html)" in out
    assert "**Term**: its definition" in out
    glossary = f"{SETTINGS.site_url}book/glossary.html"
    assert f"A [gradient]({glossary}#term-gradient), [learning rates]({glossary}#term-learning-rate)" in out
    assert f"and [relu]({glossary}#term-ReLU)." in out  # the glossary's spelling, as in Sphinx's anchor
    assert "> **Figure** (drawn by the code cell above): The caption." in out
    assert "**Exercise 1.** Do it." in out
    assert "<details><summary>Solution to Exercise 1</summary>\n\nDone.\n\n</details>" in out
    assert "> **If you are new**\n>\n> Line one\n> line two.\n" in out
    student = colab.to_plain_markdown(
        text, project.read_settings(ROOT, "student"), titles, {"test_acc": "0.9", "n": "1"}
    )
    assert "Solution" not in student and "Done." not in student and "**Exercise 1.** Do it." in student


def test_exercises_are_numbered_as_on_the_site_across_cells():
    """ "Do Exercise 7.2" means the same exercise on the site, in Colab and in the student edition:
    the converter numbers a chapter's exercises in order, across its Markdown cells, after the
    chapter's number in the table of contents, and names the exercise a solution solves."""
    numbers = project.chapter_numbers(ROOT)
    assert numbers["book/first-program"] == 1 and numbers["book/evaluation"] == 7
    assert numbers["book/how-learning-works"] == 9  # numbered on across the second part
    assert "book/glossary" not in numbers and "book/index" not in numbers
    exercises = []
    cells = ["```{exercise}\n:label: ex-a\n\nOne.\n```\n", "```{exercise}\n:label: ex-b\n\nTwo.\n```\n"]
    cells.append("```{solution} ex-b\n:class: dropdown\n\nDone.\n```\n")
    out = [colab.to_plain_markdown(c, SETTINGS, {}, {}, exercises, 7) for c in cells]
    assert out[0].startswith("**Exercise 7.1.** One.") and out[1].startswith("**Exercise 7.2.** Two.")
    assert "<summary>Solution to Exercise 7.2</summary>" in out[2]
    with pytest.raises(ValueError, match="not an exercise above it"):
        colab.to_plain_markdown("```{solution} ex-z\n\nDone.\n```\n", SETTINGS, {}, {}, exercises, 7)


def test_a_checked_sentence_reads_as_a_sentence_with_the_books_values():
    text = (
        "It is {checked}`far better than guessing <far_above_chance>`, and\n"
        "{checked}``reaches {glue:text}`acc:.1%`, higher than the\nsigmoid <relu_wins>``."
    )
    out = colab.to_plain_markdown(text, SETTINGS, {}, {"acc": "0.975"})
    assert out == "It is far better than guessing, and\nreaches **97.5%**, higher than the\nsigmoid."


def test_every_reference_in_the_book_converts():
    titles = colab.chapter_titles(ROOT)
    assert titles["ch-training"] == ("Training the network", "book/training.html")
    assert titles["sec-training-speed"][1] == "book/backends-and-speed.html#sec-training-speed"


@pytest.mark.book
def test_every_chapter_converts(chapter):
    colab.colab_notebook(chapter, SETTINGS, ROOT)  # raises on anything it cannot convert


def test_a_value_the_book_did_not_glue_is_refused():
    with pytest.raises(ValueError, match="glued no value"):
        colab.to_plain_markdown("{glue:text}`nowhere:.1f`", SETTINGS, {}, {"elsewhere": "1"})


def test_a_value_another_chapter_glued_is_that_chapters_value(tmp_path):
    """``{glue:text}`first-program.ipynb::name:spec``` pastes a value another chapter glued, its
    path relative to the chapter, as myst-nb reads it; Colab shows the same value, formatted the
    same way. An unknown chapter or name is refused."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "first-program.md").write_text("")
    executed = tmp_path / "_build" / "jupyter_execute" / "book"
    executed.mkdir(parents=True)
    (executed / "first-program.ipynb").write_text("{}")
    glue = {"first_val_acc": {"data": {"text/plain": "0.6635000109672546"}}}
    (executed / "first-program.glue.json").write_text(json.dumps(glue))

    def other(path):
        chapter = colab.other_chapter("book/convolutional", path, tmp_path)
        return colab.glued_values(tmp_path / "_build", chapter)

    text = "First {glue:text}`first-program.ipynb::first_val_acc:.1%`, here {glue:text}`acc:.2%`."
    out = colab.to_plain_markdown(text, SETTINGS, {}, {"acc": "0.9864"}, other_values=other)
    assert out == "First **66.4%**, here **98.64%**."
    assert (
        colab.other_chapter("book/convolutional", "/book/first-program.md", tmp_path) == "book/first-program"
    )
    with pytest.raises(ValueError, match="glued no value of that name"):
        colab.to_plain_markdown(
            "{glue:text}`first-program.ipynb::acc:.1%`", SETTINGS, {}, {}, other_values=other
        )
    for path in ["nowhere.ipynb", "first-program", "book/first-program.ipynb"]:  # no such chapter
        with pytest.raises(ValueError, match="no such chapter"):
            colab.to_plain_markdown(
                f"{{glue:text}}`{path}::first_val_acc:.1%`", SETTINGS, {}, {}, other_values=other
            )


def test_leftover_myst_is_found():
    dirty = ["{glue:text}`x`", "```{note}\nx\n```", "(sec-a)=", ":label: ex-1", "::: {grid}", "{abbr}`A`"]
    for text in dirty:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"Some text.\n\n{text}\n")])
        assert colab.myst_leftovers(nb), text
    clean = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("A `code` span, **bold**: fine.")])
    assert colab.myst_leftovers(clean) == []


def _run_setup_cell(
    source: str, importable: bool, pip_installs: bool, missing: str = "dlbook", version: str | None = None
) -> tuple[list[str], Exception | None, list[str]]:
    """Execute the setup cell as IPython would (its %pip line transformed), with a stand-in
    for IPython's magics and for the import system."""
    import builtins

    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    magics = []
    installed = [importable]

    class Shell:
        def run_line_magic(self, name, line):
            magics.append(f"%{name} {line}")
            installed[0] = installed[0] or pip_installs

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "dlbook" and not installed[0]:
            raise ModuleNotFoundError(f"No module named '{missing}'", name=missing)
        module = real_import(name, *args, **kwargs)
        if name == "dlbook" and version:
            return type("FakeDlbook", (), {"__version__": version})
        return module

    printed = []
    builtins.__import__ = fake_import
    try:
        exec(code, {"get_ipython": Shell, "print": lambda *a: printed.append(" ".join(map(str, a)))})
    except Exception as err:  # noqa: BLE001 - returned for the test to inspect
        return magics, err, printed
    finally:
        builtins.__import__ = real_import
    return magics, None, printed


def test_setup_cell_installs_only_when_dlbook_is_missing_and_says_when_that_fails():
    source = colab.setup_cell(SETTINGS).source
    assert SETTINGS.helper_commit in source and re.fullmatch(r"[0-9a-f]{40}", SETTINGS.helper_commit)
    magics, err, printed = _run_setup_cell(source, importable=True, pip_installs=False)
    assert (magics, err) == ([], None)  # Colab with dlbook already there, a local Jupyter, CI
    assert printed[-1].endswith("is ready.") and not any("Note" in line for line in printed)
    magics, err, _ = _run_setup_cell(source, importable=False, pip_installs=True)
    assert err is None and magics == [f'%pip install --progress-bar off "{SETTINGS.helper_requirement}"']
    magics, err, _ = _run_setup_cell(source, importable=False, pip_installs=False)  # no network, say
    assert isinstance(err, RuntimeError) and "network" in str(err) and "pip install ./code" in str(err)
    assert isinstance(err.__cause__, ModuleNotFoundError)  # the real error stays visible


def test_setup_cell_does_not_blame_the_network_for_a_missing_dependency():
    source = colab.setup_cell(SETTINGS).source
    magics, err, _ = _run_setup_cell(source, importable=False, pip_installs=True, missing="numpy")
    assert magics == [] and isinstance(err, ModuleNotFoundError) and err.name == "numpy"


def test_setup_cell_says_when_another_dlbook_version_is_installed():
    source = colab.setup_cell(SETTINGS).source
    _, err, printed = _run_setup_cell(source, importable=True, pip_installs=False, version="0.0.1")
    assert err is None and "dlbook 0.0.1 is installed" in printed[0] and "--force-reinstall" in printed[0]


def test_helper_commit_comes_from_git_or_a_full_hash(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_HELPER_COMMIT", "v0.1.0")
    with pytest.raises(ValueError, match="40-character"):
        project.helper_commit(ROOT)
    monkeypatch.delenv("DLBOOK_HELPER_COMMIT")
    with pytest.raises(ValueError, match="neither a git checkout with a commit nor an archive"):
        project.helper_commit(tmp_path)  # inside no checkout of its own (not even the one above it)


def test_a_copy_without_git_knows_its_commit_from_git_archive(monkeypatch, tmp_path):
    """GitHub's "Download ZIP", a release's source archive and a DOI service's copy are made by
    `git archive`, which fills in .git_archival.txt: the notebooks' settings come out the same."""
    import subprocess

    if not (ROOT / ".git").exists():  # this copy is such an archive: its own notebooks' test is the build
        pytest.skip("making an archive needs a git checkout; this copy has no .git")
    monkeypatch.delenv("DLBOOK_HELPER_COMMIT", raising=False)
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True)
    archive = subprocess.run(["git", "-C", ROOT, "archive", "HEAD"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", tmp_path], input=archive, check=True)
    assert not (tmp_path / ".git").exists()
    assert project.helper_commit(tmp_path) == head.stdout.strip()
    assert project.read_settings(tmp_path).helper_commit == head.stdout.strip()


@pytest.mark.parametrize(
    "bad",
    [
        "{ref}`ch-nowhere`",
        "```{margin}\nCareful.\n```\n",
        "An {abbr}`MNIST (Modified NIST)` role.",
        "A {term}`word the glossary lacks`.",
    ],
)
def test_conversion_refuses_what_it_cannot_convert(bad):
    with pytest.raises(ValueError):
        colab.to_plain_markdown(bad, SETTINGS, {}, {})


def test_settings_must_name_a_github_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_HELPER_COMMIT", "0" * 40)  # tmp_path is not a git checkout
    (tmp_path / "_config.yml").write_text(
        "repository: {url: https://gitlab.com/a/b}\nhtml: {baseurl: https://x.org/}\n"
        "colab: {notebooks_branch: nb, helper_ref: v1}\n"
    )
    with pytest.raises(ValueError, match="github.com/<org>/<repo>"):
        project.read_settings(tmp_path).colab_url("book/a")
    (tmp_path / "_config.yml").write_text("repository: {url: https://github.com/a/b}\nhtml: {baseurl: x}\n")
    with pytest.raises(ValueError, match="notebooks_branch, helper_ref"):
        project.read_settings(tmp_path)


# --- the built site and notebooks -------------------------------------------------------------


@pytest.mark.book
def test_one_colab_button_pointing_at_an_existing_notebook(chapter):
    html = BeautifulSoup((BUILD / "html" / f"{chapter}.html").read_text(), "html.parser")
    links = [a["href"] for a in html.find_all("a", href=True) if "colab.research.google.com" in a["href"]]
    assert links == [SETTINGS.colab_url(chapter)]
    assert (BUILD / "notebooks" / f"{chapter}.ipynb").exists()


@pytest.mark.book
def test_the_ipynb_download_is_the_colab_notebook_with_the_books_outputs(chapter):
    html = BeautifulSoup((BUILD / "html" / f"{chapter}.html").read_text(), "html.parser")
    downloads = {a.get_text(strip=True): a["href"] for a in html.select(".dropdown-download-buttons a[href]")}
    assert set(downloads) >= {".ipynb", ".md"}
    for href in (downloads[".ipynb"], downloads[".md"]):
        assert (BUILD / "html" / Path(chapter).parent / href).resolve().is_file(), href
    got = nbformat.read(BUILD / "html" / Path(chapter).parent / downloads[".ipynb"], as_version=4)
    colab_nb = notebook(chapter)
    assert [c.source for c in got.cells] == [c.source for c in colab_nb.cells]  # not MyST in a wrapper
    assert colab.myst_leftovers(got) == []
    outputs = [o for c in got.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs, "the download should hold the book's outputs"
    assert not any("scrapbook" in o.get("metadata", {}) for o in outputs), "myst-nb's glue records left in"
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    figures = len(re.findall(r"\{glue:figure\}", (ROOT / f"{chapter}.md").read_text()))
    assert images >= figures, f"{images} images for {figures} glued figures"


@pytest.mark.book
def test_the_landing_page_offers_every_notebook_in_one_zip():
    landing = BUILD / "html" / f"{project.toc_pages(ROOT)[0]}.html"
    html = BeautifulSoup(landing.read_text(), "html.parser")
    (link,) = [a for a in html.find_all("a", href=True) if a["href"].endswith("notebooks.zip")]
    with zipfile.ZipFile(landing.parent / link["href"]) as bundle:
        names = sorted(bundle.namelist())
        assert names == sorted(f"dlbook-notebooks/{c}.ipynb" for c in CHAPTERS)
        for chapter in CHAPTERS:
            inside = nbformat.reads(bundle.read(f"dlbook-notebooks/{chapter}.ipynb").decode(), as_version=4)
            assert inside.cells[0].source == notebook(chapter).cells[0].source


@pytest.mark.book
def test_prose_pages_have_no_colab_button(prose_page):
    html = (BUILD / "html" / f"{prose_page}.html").read_text()
    assert "colab.research.google.com" not in html


@pytest.mark.book
def test_generated_notebook_is_colab_ready(chapter):
    nb = notebook(chapter)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3", "language": "python"}
    setup = nb.cells[0]
    assert setup.cell_type == "code" and setup.source == colab.setup_cell(SETTINGS).source
    assert not any(pkg in setup.source for pkg in ("tensorflow", "keras==", "numpy==", "scikit-learn=="))
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert colab.myst_leftovers(nb) == []
    # only the convolutional network needs a GPU; the dense ones train in seconds on Colab's CPU
    assert (nb.metadata.get("accelerator") == "GPU") == (chapter == "book/convolutional")


@pytest.mark.book
def test_the_text_holds_the_books_numbers_not_placeholders(chapter, book_values):
    """Every glued value is in the Markdown, formatted as on the site; the numbers in bold."""
    nb = notebook(chapter)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    source = (ROOT / f"{chapter}.md").read_text()
    html = BeautifulSoup((BUILD / "html" / f"{chapter}.html").read_text(), "html.parser")
    on_site = [span.get_text() for span in html.select("span.pasted-text")]
    roles = re.findall(r"\{glue:text\}`((?:[^`:]+::)?[^`:]+)", source)  # path::name: another chapter's
    assert len(on_site) == len(roles)
    text = text.replace("'", "’")  # the site's typographic quotes
    for role, shown in zip(roles, on_site, strict=True):  # numbers in bold, words and versions not
        path, _, name = role.rpartition("::")
        values = book_values(colab.other_chapter(chapter, path) if path else chapter)
        number = isinstance(values[name], (int, float)) and not isinstance(values[name], bool)
        assert (f"**{shown}**" if number else shown) in text, shown
    for name in set(roles):
        assert f"`{name}`" not in text, f"placeholder `{name}` left in the text"


@pytest.mark.book
def test_cells_the_book_hides_are_collapsed_not_dropped(chapter):
    nb = notebook(chapter)
    source_cells = [c for c in jupytext.read(ROOT / f"{chapter}.md").cells if c.cell_type == "code"]
    ours = [c for c in nb.cells[1:] if c.cell_type == "code"]
    assert len(ours) == len(source_cells)
    for cell, original in zip(ours, source_cells, strict=True):
        hidden = "remove-cell" in original.metadata.get("tags", [])
        assert (cell.metadata.get("cellView") == "form") == hidden
        assert cell.metadata.get("jupyter", {}).get("source_hidden", False) == hidden
        titled = cell.source.startswith((colab.HIDDEN_TITLE, colab.FIGURE_TITLE))
        assert titled == hidden
        if 'glue("fig-' in original.source and hidden:
            assert cell.source.startswith(colab.FIGURE_TITLE)


# --- the notebooks, run outside the repository (scripts/check-colab) ---------------------------


@pytest.fixture(scope="module", params=["runtime", "colab"])
def colab_run(request):
    path = BUILD / "colab-run" / request.param / "run.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/check-colab {request.param} (make test does)")
    return request.param, json.loads(path.read_text())


@pytest.mark.book
def test_colab_runs_sealed_the_test_set_before_evaluation(colab_run):
    """booktools' seal_test_set.py was loaded in exactly the chapters before the evaluation chapter
    (it runs in the bare environments too: it needs only NumPy, Keras and dlbook)."""
    _, report = colab_run
    sealed = {name for name, r in report["notebooks"].items() if r.get("test_set_sealed")}
    assert sealed == set(CHAPTERS[: CHAPTERS.index(project.TEST_SET_OPENED_IN)])


@pytest.mark.book
def test_colab_run_used_a_bare_environment(colab_run):
    name, report = colab_run
    modules = report["environment"]["modules"]
    assert modules["myst_nb"] is None and modules["jupyter_book"] is None and modules["jupytext"] is None
    assert "site-packages" in modules["dlbook"] and "code/src" not in modules["dlbook"]
    assert sorted(report["notebooks"]) == sorted(CHAPTERS)
    keras = [
        line
        for line in (ROOT / f"requirements-{name}.txt").read_text().splitlines()
        if line.startswith("keras==")
    ]
    assert [f"keras=={report['environment']['keras_version']}"] == keras
    values = report["notebooks"]["book/backends-and-speed"]["values"]
    assert values["built_keras"] == report["environment"]["keras_version"]  # the page says what ran it
    assert values["built_backend"] == "TensorFlow"


@pytest.mark.book
def test_colab_run_executed_the_published_notebook(colab_run, chapter, ran_the_published_code):
    name, _ = colab_run
    ran_the_published_code(BUILD / "colab-run" / name, chapter)


@pytest.mark.book
def test_colab_notebook_ran_and_matches_the_book(colab_run, chapter, book_values, agrees_with_book):
    name, report = colab_run
    result = report["notebooks"][chapter]
    assert result["error"] is None, result["error"]
    got = result["values"]
    if name == "colab":  # other library versions: the tolerances the prose states, as for backends
        agrees_with_book(chapter, got, "Colab's versions")
        return
    expected = book_values(chapter)  # the book's own versions: every number, timings aside
    numbers = {k: v for k, v in expected.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    timing = {k for k in numbers if "seconds" in k or "speedup" in k}
    assert numbers, f"{chapter}: the book glued no numbers"
    for key in sorted(set(numbers) - timing):
        assert key in got, f"{chapter}: {key} was not glued in the run"
        assert math.isclose(got[key], numbers[key], rel_tol=1e-4, abs_tol=1e-4), (key, got[key], numbers[key])


def test_a_figure_goes_back_to_the_cell_that_glues_it():
    source = 'glue("fig-a", f)\nfor name in ("x", "y"):\n    glue(f"fig-spread-{name}", g)\nglue(\'n\', 3)'
    assert colab._glued_names(source) == ["fig\\-a", "fig\\-spread\\-.+", "n"]
    colab_nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("setup"),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell(source),
        ]
    )
    executed = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(source)]
    )
    executed.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    record = {"scrapbook": {"name": "fig-spread-y", "mime_prefix": "application/papermill.record/"}}
    glued = {
        "fig-spread-y": {"data": {"image/png": "iVBO", "text/plain": "<Figure>"}, "metadata": record},
        "n": {"data": {"text/plain": "3"}, "metadata": record},
    }
    result = colab.with_book_outputs(colab_nb, executed, glued)
    assert result.cells[1].outputs[0].text == "hi\n"
    (figure,) = result.cells[2].outputs
    assert figure.output_type == "display_data" and figure.data["image/png"] == "iVBO"
    assert "scrapbook" not in figure.metadata
    assert colab_nb.cells[2].get("outputs") == []  # the Colab notebook itself is left as it was
    with pytest.raises(ValueError, match="0 code cells glue it"):
        colab.with_book_outputs(colab_nb, executed, {"fig-elsewhere": glued["fig-spread-y"]})
