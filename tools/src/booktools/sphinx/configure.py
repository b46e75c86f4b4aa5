"""How the book is built: execution, the execution cache's key, editions and versions.

**Execution cache.** jupyter-cache keys a chapter on its cell sources only, and Sphinx does
not re-read a chapter whose file did not change, so editing the ``dlbook`` package would leave
stale outputs. This extension points myst-nb's cache at ``_build/.jupyter_cache/<key>``, where
the key is the backend and a hash of the environment (``booktools.notebooks.environment``'s
fingerprint: the interpreter, the packages a chapter's run can import and their versions, the
helper package's files, the MNIST file, the Keras backend and thread settings). A change of any
of them is a new cache path, which Sphinx sees as a changed configuration: every chapter is
re-read and re-executed. Going back to an earlier state finds its cache again. With
``DLBOOK_CACHE`` set (scripts/ci sets it) the cache lives in ``DLBOOK_CACHE/jupyter-cache/<key>``
instead, outside the build folder, so a fresh clone reuses what an earlier one executed with
exactly the same inputs.

``DLBOOK_EXECUTE=force`` executes every chapter regardless of the cache.

**Editions.** With ``DLBOOK_EDITION=student`` (``make student``) the build is the student
edition: sphinx-exercise's ``hide_solutions`` leaves every solution out of the pages (not hidden:
absent), the pages say which edition they are, the site's address is ``<site>/student/``, the
notebooks and downloads leave the solutions out (``colab.py``), and the chapters' outputs come
from the full build's execution cache: nothing is executed again.

**Versions.** Every page has the theme's version switcher and, on a release other than the
newest, its banner pointing to the newest. Both read ``versions.json`` from the root of the
edition the page belongs to: the build writes one naming this release alone, and the publish
workflow replaces it in every release's folder with the list of all releases
(``booktools assets site``). The release is ``CITATION.cff``'s version.

The PDF's single-page build renders every node the HTML build renders (:func:`_single_page_handlers`).
"""

from __future__ import annotations

import os
from pathlib import Path

from booktools import project, reading_time
from booktools.notebooks.environment import fingerprint
from booktools.release import assets

MODES = ("cache", "force", "off")


def helper_key() -> str:
    """A short hash of what a chapter's outputs depend on besides its own source: the
    environment fingerprint the notebook runs use too (``booktools.notebooks.environment.fingerprint``)."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return f"{backend}-{fingerprint()[:16]}"


def _configure(app, config):
    # The chapters this build executes glue through myst-nb (dlbook.glue.BOOK_BUILD_ENV) and stop on
    # a sentence their run contradicts (dlbook.claims.STRICT_ENV); kernels inherit the environment.
    os.environ["DLBOOK_BOOK_BUILD"] = "1"
    os.environ["DLBOOK_STRICT"] = "1"
    mode = os.environ.get("DLBOOK_EXECUTE", "").strip()
    if mode:
        if mode not in MODES:
            raise ValueError(f"DLBOOK_EXECUTE must be one of {', '.join(MODES)}; got {mode!r}.")
        config.nb_execution_mode = mode
    student = project.edition() == "student"
    if os.environ.get("DLBOOK_CACHE"):  # kept outside the build folder, across clones (scripts/ci sets it)
        base = Path(os.environ["DLBOOK_CACHE"]).expanduser() / "jupyter-cache"
    elif student:  # the full build's cache: the same chapters, already executed
        base = Path(app.srcdir) / "_build" / ".jupyter_cache"
    else:
        base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    config.nb_execution_cache_path = str(base / helper_key())
    if student:
        config.hide_solutions = True
        config.html_baseurl = config.html_baseurl.rstrip("/") + "/student/"
        config.html_title = f"{config.html_title} (student edition)"
        config.html_theme_options = {
            **(config.html_theme_options or {}),
            "announcement": "Student edition: the exercises without their solutions.",
        }
    # The site's address, for Open Graph, is the one html.baseurl gives (not typed twice), and the
    # citing pages read the book's address, release and repository from CITATION.cff.
    config.ogp_site_url = config.html_baseurl
    facts = project.facts(Path(app.srcdir))
    # and the pages that state how long the chapters take compute it (booktools.reading_time)
    times = reading_time.facts(Path(app.srcdir), project.chapters(Path(app.srcdir)))
    config.myst_substitutions = {**(config.myst_substitutions or {}), **facts, **times}
    if facts:  # the version switcher and the banner of older releases (the small test books have none)
        # The banner compares Sphinx's version (DOCUMENTATION_OPTIONS.VERSION) with the newest.
        config.version = config.release = facts["release_tag"]
        config.html_theme_options = {
            **(config.html_theme_options or {}),
            "switcher": {"json_url": assets.VERSIONS_JSON, "version_match": facts["release_tag"]},
            "check_switcher": False,  # the list is written with the site, not read from the sources
            "show_version_warning_banner": True,
        }


def _single_page_handlers(app):
    """Let the PDF's single-page build render every node the HTML build renders.

    Sphinx looks up how to render a node under the builder's name, and only when nothing at all
    is registered under that name under its format ("html"). Some extensions register a few
    nodes for "singlehtml", so the nodes the others register for "html" only (such as
    sphinx-jupyterbook-latex's hidden cells) would be unknown there.
    """
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, pair in handlers.get("html", {}).items():
        single.setdefault(node, pair)


def setup(app) -> None:
    app.connect("config-inited", _configure, priority=100)
    app.connect("builder-inited", _single_page_handlers)
