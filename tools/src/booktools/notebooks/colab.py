"""Colab notebooks from the MyST chapters.

Colab opens only ``.ipynb`` files and knows nothing of MyST, myst-nb or this repository. For
each chapter this module writes ``_build/notebooks/<chapter path>.ipynb``:

- a first cell that installs the helper package ``dlbook`` with ``%pip`` wherever
  ``import dlbook`` fails (Colab, Kaggle, a fresh Jupyter), from this repository's ``code/``
  folder at the commit the notebook was made from, and says what to do if that fails;
- the chapter's cells, without outputs, with the MyST-only markup rewritten as plain Markdown:
  every glued value as the book's own result, in bold and formatted as on the site (read from
  the build's ``jupyter_execute/<chapter>.glue.json``); cross-references and glossary terms as
  links to the site; figures, exercises, solutions, labels and definition lists as Markdown.
  Anything else is refused, so no MyST reaches a reader;
- the cells the book hides (tagged ``remove-cell``: glue and the checks of the text's claims)
  collapsed under a title in Colab and JupyterLab, since they still have to run;
- a kernelspec Colab accepts, and a GPU accelerator on chapters that train a model.

The same notebooks with the book's outputs replace the site's ``.ipynb`` downloads, and
``notebooks.zip`` beside the landing page holds all of them (:func:`write_downloads`).

**Editions.** ``DLBOOK_EDITION=student`` (``make student``) builds the student edition: the
same book without the exercises' solutions. Its notebooks leave out every ``{solution}`` and
every code cell tagged ``solution`` (the hidden cells that compute what the solutions state),
its site's ``.md`` and ``.ipynb`` downloads are the same sources without them, its Colab buttons
open ``<notebooks branch>/student/<chapter>.ipynb``, and its links lead to ``<site>/student/``.

The Sphinx extension (:mod:`booktools.sphinx.buttons`) calls :func:`write_notebooks` and
:func:`write_downloads` at the end of every build. From the command line:

    booktools colab [write]              write _build/notebooks (after a book build)
    booktools colab code DIR             write the notebooks' code cells alone to DIR (what the
                                         notebook runs execute; no build needed)
    booktools colab notebooks-branch     print the branch that holds the newest notebooks
    booktools colab notebooks-ref        print the tag the Colab buttons point at
"""

from __future__ import annotations

import ast
import functools
import json
import posixpath
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import jupytext
import nbformat
from myst_nb.core.variables import format_plain_text

from booktools import myst
from booktools.project import (
    ROOT,
    TEST_SET_OPENED_IN,
    Settings,
    chapter_numbers,
    chapters,
    read_settings,
    toc_pages,
)
from booktools.sphinx import checked  # the {checked} role

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: A chapter whose code uses one of these trains a convolutional network, slow on a CPU, so its
#: notebook asks Colab for a GPU. The dense networks train in seconds on Colab's CPU runtime, and
#: asking for a GPU there would spend a reader's free GPU quota for nothing.
GPU_CALLS = ("Conv2D(", "train_convolutional_network(")
#: Admonitions (boxes with a title) and how Colab shows them: a quotation with the title in bold.
ADMONITIONS = ("admonition", "note", "tip", "important", "warning")
#: The tag of a code cell that exists for a solution (it computes what a solution states).
SOLUTION_TAG = "solution"


def setup_cell(settings: Settings) -> nbformat.NotebookNode:
    short = settings.helper_commit[:12]
    version = settings.helper_ref.removeprefix("v")
    source = f"""# Setup: this book's helper package, dlbook, is installed here if it is missing (as in
# Colab, Kaggle or a fresh Jupyter). It comes from {settings.repository_url},
# commit {short} (release {settings.helper_ref}), the commit this notebook was made from.
# TensorFlow, Keras, NumPy, matplotlib, pandas and scikit-learn are expected to be there
# already, as in Colab; elsewhere install the book's requirements first (see its README).
try:
    import dlbook
except ModuleNotFoundError as missing:
    if missing.name != "dlbook":
        raise  # dlbook is installed, but a library it needs is not: the error names it
    %pip install --progress-bar off "{settings.helper_requirement}"
    import importlib

    importlib.invalidate_caches()
    try:
        import dlbook
    except ModuleNotFoundError as still_missing:
        raise RuntimeError(
            "Installing dlbook failed; pip's messages above say why. pip fetches it from GitHub "
            "with git, and what it needs from PyPI, so this needs a network connection (on "
            "Kaggle, switch Internet on in the notebook's settings): check it and run this cell "
            "again. Offline, install it from a copy of {settings.repository_url}: pip install ./code"
        ) from still_missing
if dlbook.__version__ != "{version}":
    print(
        f"Note: dlbook {{dlbook.__version__}} is installed; this notebook was made with {version}, "
        "so some numbers may differ from the book's. For the notebook's own version run: "
        '%pip install --force-reinstall --no-deps "{settings.helper_requirement}"'
    )
print(f"dlbook {{dlbook.__version__}} is ready.")"""
    return nbformat.v4.new_code_cell(source, metadata={"id": "setup"})


# --- MyST to plain Markdown ------------------------------------------------------------------


def chapter_titles(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """Label -> (title, link target) for every labelled heading of the book's pages.

    A chapter's own label, ``(ch-training)=`` above its ``#`` title, links to the page; a section
    label links to the page and the section's anchor.
    """
    titles = {}
    for name in toc_pages(root):
        tokens = myst.parse((root / f"{name}.md").read_text())
        for target, heading, title in zip(tokens, tokens[1:], tokens[2:], strict=False):
            if target.type == "myst_target" and heading.type == "heading_open":
                label = target.content
                page = f"{name}.html" if heading.tag == "h1" else f"{name}.html#{label}"
                titles[label] = (title.content.strip(), page)
    return titles


@functools.cache
def glossary_terms(root: Path = ROOT) -> dict[str, str]:
    """Lower-cased term -> the term as the glossary spells it (``book/glossary.md``)."""
    tokens = myst.parse((root / "book" / "glossary.md").read_text())
    blocks = [myst.options(t.content)[1] for t in tokens if (myst.directive(t) or ("",))[0] == "glossary"]
    if not blocks:
        raise ValueError("book/glossary.md has no {glossary} block")
    # the glossary's own syntax: a term on an unindented line, its definition indented below it
    terms = [line.strip() for block in blocks for line in block.splitlines() if line[:1].strip()]
    return {term.lower(): term for term in terms}


def _is_number(text: str) -> bool:
    """Whether a glued ``text/plain`` value is a number (not a word, a phrase or a bool)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def glue_records(build_dir: Path, docname: str) -> dict:
    """myst-nb's record of what a chapter glued (``jupyter_execute/<chapter>.glue.json``; it
    writes none for a chapter that glues nothing)."""
    executed = build_dir / "jupyter_execute" / f"{docname}.ipynb"
    if not executed.exists():
        raise ValueError(
            f"{executed} is missing: the Colab notebooks are made after a book build (make book)."
        )
    path = executed.with_suffix(".glue.json")
    return json.loads(path.read_text()) if path.exists() else {}


def glued_values(build_dir: Path, docname: str) -> dict[str, str]:
    """Name -> the ``text/plain`` form of every value the book build glued in a chapter."""
    glued = glue_records(build_dir, docname)
    return {  # numbers and words; a figure's text/plain is only "<Figure ...>"
        name: out["data"]["text/plain"]
        for name, out in glued.items()
        if "text/plain" in out.get("data", {}) and not any(k.startswith("image/") for k in out["data"])
    }


def other_chapter(docname: str, path: str, root: Path = ROOT) -> str:
    """The chapter a ``{glue:text}`path::name``` in ``docname`` pastes from. myst-nb reads
    ``path`` as Sphinx reads a file name: relative to the chapter (from the book's root if it
    starts with ``/``), with its suffix, ``first-program.ipynb`` or ``first-program.md``."""
    base = "" if path.startswith("/") else posixpath.dirname(docname)
    other, suffix = posixpath.splitext(posixpath.normpath(posixpath.join(base, path.lstrip("/"))))
    if suffix not in (".ipynb", ".md") or not (root / f"{other}.md").is_file():
        raise ValueError(
            f"{{glue:text}} from {path!r} in {docname}: no such chapter; name it relative to "
            f"{docname}.md, with its suffix (e.g. first-program.md::first_val_acc:.1%)"
        )
    return other


def to_plain_markdown(
    text: str,
    settings: Settings,
    titles: dict[str, tuple[str, str]],
    values: dict[str, str],
    exercises: list[str] | None = None,
    chapter: int | None = None,
    other_values: Callable[[str], dict[str, str]] | None = None,
) -> str:
    """Rewrite the MyST-only parts of a Markdown cell so that Colab shows it readably.

    ``values`` maps glue names to their ``text/plain`` form (:func:`glued_values`); each
    ``{glue:text}`` becomes the book's value, formatted as on the site (myst-nb's own
    formatting) and in bold; a value another chapter glued, ``{glue:text}`path::name```, comes
    from ``other_values(path)``, the same mapping for that chapter. ``exercises`` collects the
    labels of the chapter's exercises in order across its cells, so that each is numbered as on
    the site ("Exercise 7.2", with the chapter's ``chapter`` number) and its solution says which
    exercise it solves.
    """
    exercises = [] if exercises is None else exercises

    def exercise_name(label: str | None) -> str:
        if label is None or label not in exercises:
            raise ValueError(f"A solution to {label!r}, which is not an exercise above it in the chapter")
        number = exercises.index(label) + 1
        return f"Exercise {chapter}.{number}" if chapter else f"Exercise {number}"

    def role(name: str, content: str) -> str:
        if name in ("glue", "glue:text"):
            path, glue_name, spec = myst.glue_target(content)  # a path: another chapter's value
            known = values if not path else other_values(path) if other_values else {}
            if glue_name not in known:
                raise ValueError(f"{{glue:text}} {content!r}: the book build glued no value of that name")
            shown = format_plain_text(known[glue_name], spec)
            return f"**{shown}**" if _is_number(known[glue_name]) else shown  # a word reads as prose
        if name == "checked":  # a checked sentence reads as a sentence (its check ran in the book)
            return inline(checked.sentence(content))
        if name == "ref":
            text, label = _target(content)
            if label not in titles:
                raise ValueError(f"{{ref}} to unknown label {label!r}")
            title, target = titles[label]
            return f"[{text or title}]({settings.site_url}{target})"
        if name == "term":
            text, key = _target(content)
            terms = glossary_terms()
            if key.strip().lower() not in terms:
                raise ValueError(f"{{term}} {key!r} is not in book/glossary.md")
            # Sphinx matches terms ignoring case but keeps the glossary's spelling in the anchor
            anchor = "term-" + re.sub(r"[^\w]+", "-", terms[key.strip().lower()]).strip("-")
            return f"[{(text or key).strip()}]({settings.site_url}book/glossary.html#{anchor})"
        raise ValueError(f"No plain-Markdown form for the role {{{name}}}`{content}`; add one in {__file__}.")

    def substitution(name: str) -> str:
        if name not in settings.substitutions:
            raise ValueError(f"{{{{ {name} }}}}: no such substitution (booktools.project.facts)")
        return settings.substitutions[name]

    def inline(source: str) -> str:
        # bold marks the book's numbers here; the author's own emphasis becomes italic
        return myst.rewrite_inline(source, role=role, substitution=substitution, strong="*")

    def block(token, source: str) -> str | None:
        if token.type == "myst_target":
            return ""  # a label: Colab links to the site instead
        if token.type == "substitution_block":
            return substitution(token.content.strip())
        if token.type == "dl_open":
            return definitions(source).removesuffix("\n")
        named = myst.directive(token)
        if named is None:
            return None  # a code block: kept as it is
        name, argument = named
        found, body = myst.options(token.content)
        if name in ("grid", "grid-item"):  # sphinx-design's wrappers: Colab just stacks the contents
            return convert(body).removesuffix("\n")
        if token.type == "colon_fence":
            raise ValueError(f"No plain-Markdown form for :::{{{name}}}; add one in {__file__}.")
        body = convert(body).strip()
        if name == "glue:figure":
            return f"> **Figure** (drawn by the code cell above): {body}\n"
        if name == "exercise":
            exercises.append(found.get("label") or f"<unlabelled {len(exercises)}>")
            return f"**{exercise_name(exercises[-1])}.** {body}\n"
        if name in ADMONITIONS:  # a box in the book: a quotation with its title in Colab
            title = argument or name.capitalize()
            quoted = "\n".join(f"> {line}".rstrip() for line in body.splitlines())
            return f"> **{title}**\n>\n{quoted}\n"
        if name == "solution":
            if settings.student:
                return ""
            solved = exercise_name(argument or None)
            return f"<details><summary>Solution to {solved}</summary>\n\n{body}\n\n</details>\n"
        raise ValueError(f"No plain-Markdown form for the directive {{{name}}}; add one in {__file__}.")

    def definitions(source: str) -> str:
        """A definition list: each term in bold, then a colon and its definition."""
        lines = source.splitlines(keepends=True)
        # a term's line, from its dt_open (markdown-it's maps of the definitions are off by a line)
        terms = [token.map[0] for token in myst.parse(source) if token.type == "dt_open"]
        out = lines[: terms[0]]
        for term, end in zip(terms, [*terms[1:], len(lines)], strict=True):
            region = lines[term + 1 : end]
            blank = len(region) - len("".join(region).rstrip("\n").splitlines(keepends=True))
            definition = re.sub(r"^:[ \t]?", "", "".join(region[: len(region) - blank]))
            out.append(f"**{inline(lines[term]).strip()}**: {convert(definition)}")
            out += region[len(region) - blank :]
        return "".join(out)

    def convert(source: str) -> str:
        return myst.rewrite(source, block, inline)

    return convert(text)


def _target(content: str) -> tuple[str | None, str]:
    """A cross-reference role's content: ``text <target>`` or ``target`` alone."""
    text, bracket, target = content.rpartition("<")
    if bracket and target.endswith(">"):
        return text.strip() or None, target[:-1].strip()
    return None, content.strip()


#: The first line of a cell the book hides; Colab shows only this title (``cellView: form``).
HIDDEN_TITLE = "# @title Checks and values for the book's text (hidden in the online book; run it)"
#: The same, for a hidden cell that draws a figure the text shows.
FIGURE_TITLE = "# @title Draws the figure below (its code is hidden in the online book; run it)"


def _hide(cell: nbformat.NotebookNode) -> None:
    """Collapse a cell's code in Colab (a form title) and in JupyterLab (``source_hidden``)."""
    draws = any(pattern.startswith("fig") for pattern in _glued_names(cell.source))
    cell.source = f"{FIGURE_TITLE if draws else HIDDEN_TITLE}\n{cell.source}"
    cell.metadata["cellView"] = "form"
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True


def colab_notebook(
    docname: str,
    settings: Settings,
    root: Path = ROOT,
    titles=None,
    build_dir: Path | None = None,
    prose: bool = True,
) -> nbformat.NotebookNode:
    """The Colab notebook of one chapter, without outputs (see :func:`with_book_outputs`).

    With ``prose=False``, its code cells alone (:func:`code_notebook`)."""
    if prose:
        titles = chapter_titles(root) if titles is None else titles
        build_dir = root / "_build" if build_dir is None else build_dir
        values = glued_values(build_dir, docname)

        def other_values(path: str) -> dict[str, str]:
            return glued_values(build_dir, other_chapter(docname, path, root))

    notebook = jupytext.read(root / f"{docname}.md")
    cells, exercises, chapter = [], [], chapter_numbers(root).get(docname)
    for cell in notebook.cells:
        if settings.student and is_solution_cell(cell):
            continue
        if cell.cell_type == "markdown":
            if not prose:
                continue
            cell.source = to_plain_markdown(
                cell.source, settings, titles, values, exercises, chapter, other_values
            )
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            tags = cell.metadata.pop("tags", [])
            if "remove-cell" in tags:
                _hide(cell)
            elif tags:
                cell.metadata["tags"] = tags
        cells.append(cell)
    note = (
        f"*A chapter of [Your first neural network with Keras]({settings.site_url}{docname}.html). "
        "Run the cells in order. Numbers in **bold** in the text are the book's own results, from the "
        "run that built the online book (TensorFlow, on a CPU). Your run computes its own, and the "
        "code cells print many of them; on other hardware or another backend some differ a little.*"
    )
    first_markdown = next((c for c in cells if c.cell_type == "markdown"), None)
    if first_markdown is not None:  # none without prose
        first_markdown.source = re.sub(
            r"^(# .+)$", lambda m: f"{m.group(1)}\n\n{note}", first_markdown.source, count=1, flags=re.M
        )
    trains = any(c.cell_type == "code" and any(call in c.source for call in GPU_CALLS) for c in cells)
    metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "colab": {"provenance": [], "toc_visible": True},
    }
    if trains:
        metadata["accelerator"] = "GPU"
        metadata["colab"]["gpuType"] = "T4"
    order = chapters(root)  # (a book without the evaluation chapter opens the test set nowhere)
    opened = order.index(TEST_SET_OPENED_IN) if TEST_SET_OPENED_IN in order else len(order)
    if docname in order and order.index(docname) < opened:
        metadata["dlbook"] = {"test_set_sealed": True}
    result = nbformat.v4.new_notebook(cells=[setup_cell(settings), *cells], metadata=metadata)
    for index, cell in enumerate(result.cells):
        cell.metadata.setdefault("id", f"cell-{index}")
        cell.pop("id", None)  # Colab keys cells by metadata.id; nbformat 4.5 ids are not needed
    result.nbformat, result.nbformat_minor = 4, 4
    nbformat.validate(result)
    leftover = myst_leftovers(result)
    if leftover:
        raise ValueError(f"{docname}: MyST left in the Colab notebook: {leftover}")
    return result


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    """A code cell that exists for a solution: the student edition leaves it out."""
    return cell.cell_type == "code" and SOLUTION_TAG in cell.metadata.get("tags", [])


def _drop_solutions(source: str, cells: bool = True) -> str:
    """MyST ``source`` without its ``{solution}`` blocks and (with ``cells``) its code cells tagged
    ``solution``, each with the blank lines after it."""
    lines = source.splitlines(keepends=True)
    dropped = set()
    for token in myst.parse(source):
        named = myst.directive(token)
        if named is None or token.map is None:
            continue
        tags = myst.options(token.content)[0].get("tags") or [] if named[0] == "code-cell" else []
        if named[0] == "solution" or (cells and SOLUTION_TAG in tags):
            end = token.map[1]
            while end < len(lines) and not lines[end].strip():
                end += 1
            dropped.update(range(token.map[0], end))
    return "".join(line for number, line in enumerate(lines) if number not in dropped)


def without_solutions(myst_text: str) -> str:
    """A MyST chapter's source without its ``{solution}`` blocks and its solution cells: the
    student edition's ``.md`` download. The rest of the text is kept as written; the result is
    checked to hold every other cell of the chapter, unchanged."""
    text = _drop_solutions(myst_text)

    def kept(source: str) -> tuple[list[str], list[str]]:
        """The code cells that are not solutions, and the words of the Markdown but solutions."""
        cells = jupytext.reads(source, fmt="md:myst").cells
        code = [c.source for c in cells if c.cell_type == "code" and not is_solution_cell(c)]
        prose = " ".join(_drop_solutions(c.source, cells=False) for c in cells if c.cell_type == "markdown")
        return code, prose.split()

    left = any(is_solution_cell(c) for c in jupytext.reads(text, fmt="md:myst").cells)
    solutions_left = any((myst.directive(token) or ("",))[0] == "solution" for token in myst.parse(text))
    if left or solutions_left or kept(text) != kept(myst_text):
        raise ValueError(
            "Removing the solutions left one in or changed other cells; write a solution cell's tags "
            "on one line, `:tags: [remove-cell, solution]`, and a solution as a ```{solution} block."
        )
    return text


#: MyST that must not survive the conversion: tokens only MyST's extensions make.
_MYST_TOKENS = {
    "myst_role",
    "myst_target",
    "colon_fence",
    "substitution_inline",
    "substitution_block",
    "dl_open",
}


def myst_leftovers(notebook: nbformat.NotebookNode) -> list[str]:
    """The MyST syntax found in a notebook's Markdown cells (empty when it is clean): roles,
    labels, directives, colon fences, substitutions and definition lists, as MyST's parser reads
    them."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for token in myst.parse(cell.source):
            inside = [token, *(myst.inline_tokens(token.children or []))]
            # a directive's option line outside its directive reads as text: MyST left over too
            option = token.type == "inline" and re.search(r"^:[\w-]+:\s", token.content, re.M)
            for piece in inside[:1] if option else inside:
                if option or piece.type in _MYST_TOKENS or myst.directive(piece):
                    lines = cell.source.splitlines()[token.map[0] : token.map[1]] if token.map else []
                    found.append(f"{piece.type}: {' '.join(lines)[:80]!r}")
    return found


def with_book_outputs(
    colab_nb: nbformat.NotebookNode, executed: nbformat.NotebookNode, glued: dict, student: bool = False
) -> nbformat.NotebookNode:
    """A copy of a Colab notebook holding the outputs of the book's executed notebook.

    The code cells correspond one to one (after the setup cell). myst-nb keeps glued values out
    of the executed notebook (``glued``: its ``.glue.json``); the numbers are in the text, and
    each glued figure is put back as an output of the cell that glues it, where a reader running
    the notebook sees it too. With ``student``, the executed notebook's solution cells are left
    out, as the student edition's Colab notebook leaves them out.
    """
    result = nbformat.from_dict(json.loads(json.dumps(colab_nb)))
    ours = [c for c in result.cells[1:] if c.cell_type == "code"]
    theirs = [c for c in executed.cells if c.cell_type == "code" and not (student and is_solution_cell(c))]
    if len(ours) != len(theirs):
        raise ValueError(f"{len(ours)} code cells in the Colab notebook, {len(theirs)} in the executed one")
    for cell, done in zip(ours, theirs, strict=True):
        cell.execution_count = done.get("execution_count")
        quiet = "remove-stderr" in cell.metadata.get("tags", [])  # as the book shows it: no import noise
        cell.outputs = [
            out
            for out in done.get("outputs", [])
            if "scrapbook" not in out.get("metadata", {}) and not (quiet and out.get("name") == "stderr")
        ]
    for name, output in glued.items():
        prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        data = {key.removeprefix(prefix): value for key, value in output.get("data", {}).items()}
        if not any(key.startswith("image/") for key in data):
            continue  # a number or a word: the text shows it
        gluing = [c for c in ours if any(re.fullmatch(pattern, name) for pattern in _glued_names(c.source))]
        if len(gluing) != 1:
            raise ValueError(
                f"figure {name!r}: {len(gluing)} code cells glue it; the download needs exactly one"
            )
        metadata = {k: v for k, v in output.get("metadata", {}).items() if k != "scrapbook"}
        gluing[0].outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))
    return result


def _glued_names(source: str) -> list[str]:
    """Patterns of the names a cell's ``glue("name", ...)`` calls glue; in an f-string name
    each ``{...}`` becomes ``.+``."""
    patterns = []
    for match in re.finditer(r"""\bglue\(\s*(f?)(["'])(.*?)\2""", source, re.S):
        is_f, literal = match.group(1), match.group(3)
        parts = re.split(r"\{[^{}]*\}", literal) if is_f else [literal]
        patterns.append(".+".join(re.escape(part) for part in parts))
    return patterns


def built_chapters(root: Path, built: set[str] | None) -> list[str]:
    """The notebook chapters, or those of them a build has (a build with another table of
    contents, such as the benchmark's, has fewer)."""
    return [name for name in chapters(root) if built is None or name in built]


def write_notebooks(
    out_dir: Path,
    root: Path = ROOT,
    build_dir: Path | None = None,
    built: set[str] | None = None,
    prose: bool = True,
) -> list[Path]:
    """Write every chapter's Colab notebook under ``out_dir``, mirroring the chapter paths
    (with ``built``, only the chapters among those document names).

    With ``prose=False``, the notebooks without their Markdown, made from the sources alone: what
    the notebook runs execute (scripts/check-colab, scripts/run-chapters). Markdown does not run,
    and the Colab notebooks' Markdown needs the book build's numbers; without it the runs need no
    build and start beside it. tests/test_colab.py checks that each run executed exactly the code
    cells of the published notebook."""
    settings = read_settings(root)
    titles = chapter_titles(root) if prose else None
    written = []
    for docname in built_chapters(root, built):
        path = out_dir / f"{docname}.ipynb"
        notebook = colab_notebook(docname, settings, root, titles, build_dir, prose=prose)
        _write_if_changed(path, nbformat.writes(notebook) + "\n")
        written.append(path)
    return written


def executed_notebook(build_dir: Path, docname: str, cache_path: Path | None = None) -> nbformat.NotebookNode:
    """The book's executed notebook of a chapter, with its outputs.

    myst-nb writes ``jupyter_execute/<chapter>.ipynb``, but when it takes a chapter from its
    execution cache it writes the notebook without the cached outputs (it writes its input, not
    the merged copy it renders). With ``cache_path`` (the build's jupyter-cache, in cache mode) the
    outputs are merged from the cache, as myst-nb merges them for the page.
    """
    notebook = nbformat.read(build_dir / "jupyter_execute" / f"{docname}.ipynb", as_version=4)
    if cache_path is not None:
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(str(cache_path)).merge_match_into_notebook(notebook)
        except KeyError as err:
            raise ValueError(f"{docname}: not in the execution cache {cache_path}; rebuild the book") from err
    return notebook


def write_downloads(
    notebook_dir: Path,
    html_dir: Path,
    build_dir: Path,
    root: Path = ROOT,
    built: set[str] | None = None,
    cache_path: Path | None = None,
) -> Path:
    """Make the site's ``.ipynb`` downloads the Colab notebooks with the book's outputs.

    Each chapter's ``_sources/<chapter>.ipynb`` (what the download button links to) is replaced,
    and ``notebooks.zip`` beside the landing page holds them all. Returns the zip's path. In the
    student edition each chapter's ``_sources/<chapter>.md`` is replaced too, by the source
    without its solutions (:func:`without_solutions`).
    """
    student = read_settings(root).student
    archive = html_dir / Path(toc_pages(root)[0]).parent / "notebooks.zip"  # beside the landing page
    tmp = archive.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for docname in built_chapters(root, built):
            colab_nb = nbformat.read(notebook_dir / f"{docname}.ipynb", as_version=4)
            executed = executed_notebook(build_dir, docname, cache_path)
            glued = glue_records(build_dir, docname)
            text = nbformat.writes(with_book_outputs(colab_nb, executed, glued, student)) + "\n"
            _write_if_changed(html_dir / "_sources" / f"{docname}.ipynb", text)
            if student:
                source = without_solutions((root / f"{docname}.md").read_text())
                _write_if_changed(html_dir / "_sources" / f"{docname}.md", source)
            info = zipfile.ZipInfo(f"dlbook-notebooks/{docname}.ipynb", date_time=(2020, 1, 1, 0, 0, 0))
            bundle.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(archive)
    return archive


def _write_if_changed(path: Path, text: str) -> None:
    """Unchanged files keep their time stamp, so make does not re-run what reads them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "write"
    settings = read_settings()
    if command == "write" and len(argv) <= 1:
        for path in write_notebooks(ROOT / "_build" / "notebooks", ROOT, ROOT / "_build"):
            print(path.relative_to(ROOT))
        return 0
    if command == "code" and len(argv) == 2:
        for path in write_notebooks(Path(argv[1]), ROOT, prose=False):
            print(path)
        return 0
    if command == "notebooks-branch" and len(argv) == 1:
        print(settings.notebooks_branch)
        return 0
    if command == "notebooks-ref" and len(argv) == 1:
        print(settings.notebooks_ref)
        return 0
    print(__doc__, file=sys.stderr)
    return 2
