"""The project's settings, read here and nowhere else: ``_config.yml`` (the Colab settings, the
repository, the site), ``_toc.yml`` (the chapters and their order) and ``CITATION.cff`` (the
release, the authors, the site's and the repository's addresses).

:data:`ROOT` is the checkout this package is installed from (``make install`` installs it
editable from ``tools/``), so every command works on the book it belongs to, whatever the
current directory.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from pathlib import Path


def _yaml(text: str):
    # imported here: the jobs that install booktools alone (links, Colab's versions) have no PyYAML
    import yaml

    return yaml.safe_load(text)


def _checkout() -> Path:
    root = Path(__file__).resolve().parents[3]
    if not (root / "_config.yml").is_file():
        raise RuntimeError(
            f"booktools works on the book it is installed from, but {root} holds no _config.yml: "
            "install it editable from the book's checkout (make install, or pip install -e tools)."
        )
    return root


ROOT = _checkout()
CFF = ROOT / "CITATION.cff"
COLAB = "https://colab.research.google.com"
#: The chapter that opens the test set: the notebooks of the chapters before it are marked
#: ``dlbook.test_set_sealed``, and their runs stop when a model sees a test image
#: (booktools.notebooks.run, booktools.notebooks.seal_test_set).
TEST_SET_OPENED_IN = "book/evaluation"
#: The book's editions: the full book, and the student edition without the solutions.
EDITIONS = ("full", "student")


def edition() -> str:
    """The edition being built, from ``DLBOOK_EDITION`` (default ``full``)."""
    name = os.environ.get("DLBOOK_EDITION", "").strip() or "full"
    if name not in EDITIONS:
        raise ValueError(
            f"DLBOOK_EDITION must be one of {', '.join(EDITIONS)} (or unset for the full book); got {name!r}."
        )
    return name


@dataclasses.dataclass(frozen=True)
class Settings:
    repository_url: str  # https://github.com/<org>/<repo>
    notebooks_branch: str
    helper_ref: str
    site_url: str  # where the HTML book is published, ending in /
    helper_commit: str  # the commit the notebooks install dlbook from (see helper_commit())
    edition: str = "full"  # one of EDITIONS
    #: ``{{ name }}`` substitutions of the prose, from CITATION.cff (facts() below)
    substitutions: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

    @property
    def student(self) -> bool:
        return self.edition == "student"

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
        """The Colab link of a chapter, e.g. ``book/training`` -> .../blob/<notebooks ref>/book/training.ipynb
        (``.../blob/<notebooks ref>/student/book/training.ipynb`` in the student edition)."""
        folder = "student/" if self.student else ""
        return f"{COLAB}/github/{self.org_repo}/blob/{self.notebooks_ref}/{folder}{docname}.ipynb"

    @property
    def notebooks_ref(self) -> str:
        """The tag that holds this release's notebooks, e.g. ``notebooks-v0.1.0``.

        The publish workflow pushes every release's notebooks to the notebooks branch (always the
        newest) and tags that commit with this name, so a release's Colab buttons open the
        notebooks of the same release, never newer ones, for as long as the tag exists."""
        return f"{self.notebooks_branch}-{self.helper_ref}"

    @property
    def helper_requirement(self) -> str:
        return f"dlbook @ git+{self.repository_url}@{self.helper_commit}#subdirectory=code"


#: Filled in by ``git archive`` (``export-subst`` in .gitattributes), as setuptools-scm's file is:
#: a copy of the sources without .git (GitHub's "Download ZIP", a release's source archive, the
#: archive a DOI service keeps) still knows its commit.
ARCHIVAL = ".git_archival.txt"


def helper_commit(root: Path = ROOT) -> str:
    """The commit the notebooks install ``dlbook`` from: the one they are generated from.

    A tag can be moved; a commit cannot, so the notebooks pin the helper by commit. The publish
    workflow builds from the release tag (booktools.release.check checks it), so there this is the release's
    commit. Read, in order, from ``DLBOOK_HELPER_COMMIT``, from git when ``root`` is the top of a
    checkout, or from ``.git_archival.txt`` as ``git archive`` wrote it.
    """
    commit = os.environ.get("DLBOOK_HELPER_COMMIT")
    if commit is None:
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True
        )
        if top.returncode == 0 and Path(top.stdout.strip()).resolve() == root.resolve():
            head = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "--verify", "HEAD^{commit}"],
                capture_output=True,
                text=True,
            )
            commit = head.stdout.strip() if head.returncode == 0 else None
    if commit is None and (root / ARCHIVAL).exists():
        found = re.search(r"^node: ([0-9a-f]{40})$", (root / ARCHIVAL).read_text(), re.M)
        commit = found.group(1) if found else None
    if commit is None:
        raise ValueError(
            f"The Colab notebooks pin dlbook to the commit they are made from, but {root} is neither a "
            f"git checkout with a commit nor an archive made by `git archive` (whose {ARCHIVAL} names "
            "it). Build from a clone or such an archive, or set DLBOOK_HELPER_COMMIT to the full commit "
            "hash of the sources."
        )
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise ValueError(f"DLBOOK_HELPER_COMMIT must be a full 40-character commit hash; got {commit!r}.")
    return commit


def read_settings(root: Path = ROOT, edition_name: str | None = None) -> Settings:
    """Read the Colab settings from ``_config.yml``: they are set there and nowhere else.

    ``edition_name`` defaults to :func:`edition`; the student edition's site is ``<site>/student/``.
    """
    edition_name = edition() if edition_name is None else edition_name
    if edition_name not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}; got {edition_name!r}.")
    settings = config(root)
    colab = settings.get("colab") or {}
    missing = [key for key in ("notebooks_branch", "helper_ref") if not colab.get(key)]
    if missing:
        raise ValueError(f"_config.yml needs colab: {', '.join(missing)} (see README, 'Run in Colab').")
    return Settings(
        repository_url=settings["repository"]["url"].rstrip("/"),
        notebooks_branch=str(colab["notebooks_branch"]),
        helper_ref=str(colab["helper_ref"]),
        site_url=settings["html"]["baseurl"].rstrip("/")
        + ("/student/" if edition_name == "student" else "/"),
        helper_commit=helper_commit(root),
        edition=edition_name,
        substitutions=facts(root),
    )


def config(root: Path = ROOT) -> dict:
    """``_config.yml``, read here and nowhere else, as a mapping."""
    return _yaml((root / "_config.yml").read_text())


def toc(root: Path = ROOT) -> dict:
    """``_toc.yml``, read here and nowhere else, as a mapping."""
    return _yaml((root / "_toc.yml").read_text())


def toc_parts(root: Path = ROOT) -> list[list[str]]:
    """The root page alone, then each part's pages, as document names such as ``book/training``."""
    toc_ = toc(root)
    return [[toc_["root"]]] + [[c["file"] for c in part["chapters"]] for part in toc_.get("parts", [])]


def chapter_numbers(root: Path = ROOT) -> dict[str, int]:
    """The number the site gives each chapter of a numbered part (``book/evaluation`` -> 7):
    Jupyter Book numbers them on across parts (use_multitoc_numbering, its default)."""
    numbered = [
        c["file"] for part in toc(root).get("parts", []) if part.get("numbered") for c in part["chapters"]
    ]
    return {name: number for number, name in enumerate(numbered, start=1)}


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of the book in reading order."""
    return [name for part in toc_parts(root) for name in part]


def chapters(root: Path = ROOT) -> list[str]:
    """The notebook chapters in reading order (document names such as ``book/training``)."""
    return [name for name in toc_pages(root) if _is_notebook((root / f"{name}.md").read_text())]


def _is_notebook(text: str) -> bool:
    """A MyST notebook starts with a YAML header that names a kernel."""
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return bool(match) and "kernelspec" in (_yaml(match.group(1)) or {})


def citation(path: Path = CFF) -> dict:
    """CITATION.cff, as a mapping."""
    return _yaml(path.read_text())


def release_url(cff: dict) -> str:
    """The address that shows this release for good: ``<site>/vX.Y.Z/``."""
    return f"{cff['url'].rstrip('/')}/v{cff['version']}/"


def facts(root: Path = ROOT) -> dict[str, str]:
    """The substitutions the prose may use (``{{ site_url }}``...), read from ``root``'s
    CITATION.cff (none for a book without one, such as the small books the tests build). The
    Sphinx extension hands them to MyST; the Colab converter (booktools.notebooks.colab) resolves them too."""
    if not (root / "CITATION.cff").exists():
        return {}
    cff = citation(root / "CITATION.cff")
    source_url = next(
        (r["repository-code"] for r in cff.get("references", []) if r.get("repository-code")), None
    )
    names = [a.get("name") or f"{a['given-names']} {a['family-names']}" for a in cff["authors"]]
    return {
        "site_url": cff["url"],
        "repository": cff["repository-code"],
        # the README's setup instructions, as a Markdown link (tensors: offline MNIST)
        "readme_link": f"[README]({cff['repository-code'].rstrip('/')}#readme)",
        "version": str(cff["version"]),
        "release_tag": f"v{cff['version']}",
        "release_url": release_url(cff),
        "book_title": cff["title"],
        "authors": ", ".join(names),
        "year": str(cff["date-released"])[:4],
        # the notebooks of the blog post this book follows (first-program, "Where the program comes
        # from"), as a Markdown link named by the repository (MyST parses a substitution's value)
        **(
            {"source_link": f"[{source_url.rstrip('/').rsplit('/', 1)[1]}]({source_url})"}
            if source_url
            else {}
        ),
    }
