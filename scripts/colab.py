"""Colab notebooks from the MyST chapters, and the settings the "Open in Colab" buttons use.

Colab opens only ``.ipynb`` files and knows nothing of MyST, myst-nb or this repository. For
each chapter this module writes ``_build/notebooks/<chapter path>.ipynb``:

- a first cell that, in Colab only, installs the helper package ``dlbook`` from this repository's
  ``code/`` folder at the book's release (``colab.helper_ref`` in ``_config.yml``);
- the chapter's cells, without outputs, with the MyST-only markup (glue roles and figures,
  exercises, cross-references, labels, definition lists) rewritten as plain Markdown;
- a kernelspec Colab accepts, and a GPU accelerator on chapters that train a model.

The Sphinx extension ``book_build`` calls :func:`write_notebooks` at the end of every build.
From the command line:

    python scripts/colab.py [write]              write _build/notebooks from the sources alone
    python scripts/colab.py check-release TAG    fail unless TAG is the release the notebooks install
    python scripts/colab.py notebooks-branch     print the branch the Colab buttons point at
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
COLAB = "https://colab.research.google.com"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: A chapter whose code calls one of these trains a model, so its notebook asks Colab for a GPU.
TRAINING_CALLS = (".fit(", "train_dense_network(", "train_final_network(")


@dataclass(frozen=True)
class Settings:
    repository_url: str  # https://github.com/<org>/<repo>
    notebooks_branch: str
    helper_ref: str
    site_url: str  # where the HTML book is published, ending in /

    @property
    def org_repo(self) -> str:
        match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", self.repository_url)
        if not match:
            raise ValueError(
                f"repository.url in _config.yml must be https://github.com/<org>/<repo> for Colab "
                f"links; got {self.repository_url!r}."
            )
        return f"{match.group(1)}/{match.group(2)}"

    def colab_url(self, docname: str) -> str:
        """The Colab link of a chapter, e.g. ``book/training`` -> .../blob/<branch>/book/training.ipynb."""
        return f"{COLAB}/github/{self.org_repo}/blob/{self.notebooks_branch}/{docname}.ipynb"

    @property
    def helper_requirement(self) -> str:
        return f"dlbook @ git+{self.repository_url}@{self.helper_ref}#subdirectory=code"


def read_settings(root: Path = ROOT) -> Settings:
    """Read the Colab settings from ``_config.yml``: they are set there and nowhere else."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    colab = config.get("colab") or {}
    missing = [key for key in ("notebooks_branch", "helper_ref") if not colab.get(key)]
    if missing:
        raise ValueError(f"_config.yml needs colab: {', '.join(missing)} (see README, 'Run in Colab').")
    return Settings(
        repository_url=config["repository"]["url"].rstrip("/"),
        notebooks_branch=str(colab["notebooks_branch"]),
        helper_ref=str(colab["helper_ref"]),
        site_url=config["html"]["baseurl"].rstrip("/") + "/",
    )


def chapters(root: Path = ROOT) -> list[str]:
    """The notebook chapters in reading order (document names such as ``book/training``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    names = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [name for name in names if _is_notebook((root / f"{name}.md").read_text())]


def _is_notebook(text: str) -> bool:
    """A MyST notebook starts with a YAML header that names a kernel."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return bool(match) and "kernelspec" in (yaml.safe_load(match.group(1)) or {})


def setup_cell(settings: Settings) -> nbformat.NotebookNode:
    source = f'''# Setup for Google Colab: install this book's helper package, dlbook, at release
# {settings.helper_ref}. Colab already has TensorFlow, Keras, NumPy, matplotlib, pandas and
# scikit-learn, and nothing else is installed. Outside Colab this cell does nothing: install
# the book's requirements instead (see the README of {settings.repository_url}).
import importlib.util
import subprocess
import sys

if "google.colab" in sys.modules and importlib.util.find_spec("dlbook") is None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet",
         "{settings.helper_requirement}"],
        check=True,
    )'''
    return nbformat.v4.new_code_cell(source, metadata={"id": "setup"})


# --- MyST to plain Markdown ------------------------------------------------------------------

_LABEL = re.compile(r"^\(([\w-]+)\)=[ \t]*\n", re.M)
_GLUE_ROLE = re.compile(r"\{glue(?::text|:any)?\}`([^`:]+)(?::[^`]*)?`")
_REF_ROLE = re.compile(r"\{ref\}`(?:([^`<]*?)\s*<([\w-]+)>|([\w-]+))`")
_TERM_ROLE = re.compile(r"\{term\}`(?:([^`<]*?)\s*<([^`<>]+)>|([^`<>]+))`")
_ANY_ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
_DIRECTIVE = re.compile(
    r"^```\{([\w:-]+)\}[ \t]*([^\n]*)\n((?::[\w-]+:[^\n]*\n)*)(.*?)^```[ \t]*$", re.M | re.S
)
_GRID = re.compile(r"^:{3,}(\{grid(?:-item)?\}[^\n]*)?[ \t]*\n", re.M)
_COLON_FENCE = re.compile(r"^:{3,}\{[\w:-]+\}.*$", re.M)
_DEFINITION = re.compile(r"^(?P<term>[^\n:][^\n]*)\n: ", re.M)


def chapter_titles(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """Label -> (title, link target) for every labelled heading of the book's pages.

    A chapter's own label, ``(ch-training)=`` above its ``#`` title, links to the page; a section
    label links to the page and the section's anchor.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    titles = {}
    for name in pages:
        text = (root / f"{name}.md").read_text()
        for match in re.finditer(r"^\(([\w-]+)\)=\n(#+) (.+)$", text, re.M):
            label, level, title = match.groups()
            titles[label] = (title.strip(), f"{name}.html" if level == "#" else f"{name}.html#{label}")
    return titles


@functools.cache
def glossary_terms(root: Path = ROOT) -> dict[str, str]:
    """Lower-cased term -> the term as the glossary spells it (``book/glossary.md``)."""
    text = (root / "book" / "glossary.md").read_text()
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, re.M | re.S)
    if block is None:
        raise ValueError("book/glossary.md has no {glossary} block")
    terms = [line.strip() for line in block.group(1).splitlines() if line.strip() and not line[0].isspace()]
    return {term.lower(): term for term in terms}


def to_plain_markdown(text: str, settings: Settings, titles: dict[str, tuple[str, str]]) -> str:
    """Rewrite the MyST-only parts of a Markdown cell so that Colab shows it readably."""

    def directive(match: re.Match) -> str:
        name, argument, options, body = match.groups()
        body = body.strip()
        if name == "glue:figure":
            return f"> **Figure** (drawn by the code cell above): {body}\n"
        if name == "exercise":
            return f"**Exercise.** {body}\n"
        if name == "solution":
            return f"<details><summary>Solution</summary>\n\n{body}\n\n</details>\n"
        raise ValueError(f"No plain-Markdown form for the directive {{{name}}}; add one in {__file__}.")

    def ref(match: re.Match) -> str:
        text, label = (match.group(1), match.group(2)) if match.group(2) else (None, match.group(3))
        if label not in titles:
            raise ValueError(f"{{ref}} to unknown label {label!r}")
        title, target = titles[label]
        return f"[{text or title}]({settings.site_url}{target})"

    def term(match: re.Match) -> str:
        text, key = (match.group(1), match.group(2)) if match.group(2) else (match.group(3), match.group(3))
        terms = glossary_terms()
        if key.strip().lower() not in terms:
            raise ValueError(f"{{term}} {key!r} is not in book/glossary.md")
        # Sphinx matches terms ignoring case but keeps the glossary's spelling in the anchor
        anchor = "term-" + re.sub(r"[^\w]+", "-", terms[key.strip().lower()]).strip("-")
        return f"[{text.strip()}]({settings.site_url}book/glossary.html#{anchor})"

    text = _GRID.sub("", text)  # sphinx-design grid wrappers: Colab just stacks the contents
    if _COLON_FENCE.search(text):
        raise ValueError(
            f"No plain-Markdown form for {_COLON_FENCE.search(text).group(0)!r}; add one in {__file__}."
        )
    text = _LABEL.sub("", text)
    text = _DIRECTIVE.sub(directive, text)
    text = _GLUE_ROLE.sub(lambda m: f"`{m.group(1)}`", text)
    text = _REF_ROLE.sub(ref, text)
    text = _TERM_ROLE.sub(term, text)
    leftover = _ANY_ROLE.search(text)
    if leftover:
        raise ValueError(f"No plain-Markdown form for the role {leftover.group(0)!r}; add one in {__file__}.")
    text = _DEFINITION.sub(lambda m: f"**{m.group('term').strip()}**: ", text)
    return text


def colab_notebook(docname: str, settings: Settings, root: Path = ROOT, titles=None) -> nbformat.NotebookNode:
    """The Colab notebook of one chapter."""
    titles = chapter_titles(root) if titles is None else titles
    notebook = jupytext.read(root / f"{docname}.md")
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = to_plain_markdown(cell.source, settings, titles)
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    first_markdown = next(c for c in cells if c.cell_type == "markdown")
    first_markdown.source = re.sub(
        r"^(# .+)$",
        rf"\1\n\n*A chapter of [Your first neural network with Keras]({settings.site_url}{docname}.html). "
        "Run the cells in order. Numbers that the online book writes into the text appear here as "
        "`names`; the cells print their values when you run them.*",
        first_markdown.source,
        count=1,
        flags=re.M,
    )
    trains = any(c.cell_type == "code" and any(call in c.source for call in TRAINING_CALLS) for c in cells)
    metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "colab": {"provenance": [], "toc_visible": True},
    }
    if trains:
        metadata["accelerator"] = "GPU"
        metadata["colab"]["gpuType"] = "T4"
    result = nbformat.v4.new_notebook(cells=[setup_cell(settings), *cells], metadata=metadata)
    for index, cell in enumerate(result.cells):
        cell.metadata.setdefault("id", f"cell-{index}")
        cell.pop("id", None)  # Colab keys cells by metadata.id; nbformat 4.5 ids are not needed
    result.nbformat, result.nbformat_minor = 4, 4
    nbformat.validate(result)
    return result


def write_notebooks(out_dir: Path, root: Path = ROOT) -> list[Path]:
    """Write every chapter's Colab notebook under ``out_dir``, mirroring the chapter paths."""
    settings = read_settings(root)
    titles = chapter_titles(root)
    written = []
    for docname in chapters(root):
        path = out_dir / f"{docname}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(colab_notebook(docname, settings, root, titles)) + "\n"
        if not path.exists() or path.read_text() != text:  # unchanged files keep their time stamp
            path.write_text(text)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "write"
    settings = read_settings()
    if command == "write" and len(argv) <= 1:
        for path in write_notebooks(ROOT / "_build" / "notebooks"):
            print(path.relative_to(ROOT))
        return 0
    if command == "notebooks-branch" and len(argv) == 1:
        print(settings.notebooks_branch)
        return 0
    if command == "check-release" and len(argv) == 2:
        if argv[1] != settings.helper_ref:
            print(
                f"The tag {argv[1]} is not the release the Colab notebooks install "
                f"(colab.helper_ref in _config.yml is {settings.helper_ref}). Set helper_ref and "
                "dlbook.__version__ to this release before tagging it.",
                file=sys.stderr,
            )
            return 1
        print(f"{argv[1]}: the Colab notebooks install dlbook at this release")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
