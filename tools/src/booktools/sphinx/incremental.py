"""Incremental builds that are right: a rebuild after an edit shows what a fresh build would.

- A page that pastes another chapter's values is read again when that chapter is.
- Labels moved between pages do not collide with their own old definitions.
- The sitemap names every page, not only those this build wrote again.
"""

from __future__ import annotations

import queue
from pathlib import Path

import sphinx_sitemap

from booktools import myst
from booktools.notebooks import colab


def pasted_from(docname: str, source: str, root: Path) -> set[str]:
    """The chapters whose values a page pastes (``{glue:text}`other.md::name:spec```)."""
    return {colab.other_chapter(docname, use.path, root) for use in myst.glue_uses(source) if use.path}


def _pasting_pages(app, env, added, changed, removed):
    """A page that pastes values from another chapter is read again whenever that chapter is
    (re-executed or edited), so a local rebuild never shows the other chapter's old numbers."""
    root, renewed = Path(app.srcdir), added | changed
    outdated = []
    for docname in env.found_docs - renewed:
        path = Path(env.doc2path(docname))
        if path.suffix == ".md" and pasted_from(docname, path.read_text(encoding="utf-8"), root) & renewed:
            outdated.append(docname)
    return outdated


# --- labels that move between pages -----------------------------------------------------------------


def _forget_pages_read_again(app, env, docnames):
    """Forget what every page about to be read defined before reading the first. Sphinx's serial
    reader forgets each page just before reading it, so a label moved from a page later in
    alphabetical order to an earlier one met its own old definition and failed an incremental build
    as a duplicate (its parallel reader forgets them all first, as this does)."""
    for docname in docnames:
        app.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)


# --- the sitemap of an incremental build -----------------------------------------------------------


def _whole_sitemap(app, exception):
    """sphinx-sitemap lists only the pages written by this build (its issue 13): after a change to
    one chapter, the sitemap would name that chapter alone. Before it writes the sitemap, every
    page it has not been given (the pages this build did not write again) is added as
    sphinx-sitemap adds a written one."""
    links = getattr(app.env.app, "sitemap_links", None)
    if exception is not None or app.builder.name != "html" or links is None:
        return
    queued = []
    while True:  # a queue shared with parallel writers: read it whole, then put it back
        try:
            queued.append(links.get_nowait())
        except queue.Empty:
            break
    for item in queued:
        links.put(item)
    listed = {link for link, _ in queued}
    for docname in sorted(app.env.found_docs):
        if f"{docname}{app.builder.out_suffix}" not in listed:
            sphinx_sitemap.add_html_link(app, docname, None, {}, None)


def setup(app) -> None:
    app.connect("env-get-outdated", _pasting_pages)
    app.connect("env-before-read-docs", _forget_pages_read_again)
    app.connect("build-finished", _whole_sitemap, priority=400)  # before sphinx-sitemap's (500)
