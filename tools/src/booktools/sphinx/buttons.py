"""What each page offers besides its text: the Colab button, the downloads, the PDF, and no stray scripts.

**Colab.** At the end of each build the chapters' Colab notebooks are written to
``_build/notebooks`` (see ``colab.py``); the site's ``.ipynb`` downloads become the same
notebooks with the book's outputs, and ``notebooks.zip`` holds them all. Each chapter's "Colab"
launch button is pointed at its notebook on the notebooks branch instead of the theme's default,
the ``.md`` file, which Colab cannot open.

**PDF.** In the full edition, every page's download menu offers the whole book as one PDF
(``booktools.release.pdf.PDF_NAME`` in the site's root, made by ``make pdf``), beside the theme's "print this
page". The student edition offers no book PDF: the full one holds the solutions.

**Page hygiene.** Jupyter Book always loads sphinx-thebe, which this book does not use; on
Sphinx 7 it declares its script twice (a JavaScript error on every page) and points at a CDN.
Its scripts are left out of the pages.
"""

from __future__ import annotations

import json
from pathlib import Path

from booktools import project
from booktools.notebooks import colab
from booktools.release import assets, pdf


def _colab_button(app, pagename, templatename, context, doctree):
    """Point the theme's Colab launch button at the chapter's generated notebook."""
    launch = [b for b in context.get("header_buttons", []) if b.get("label") == "launch-buttons"]
    if not launch:
        return  # not a notebook page
    colab_buttons = [b for b in launch[0]["buttons"] if b.get("text") == "Colab"]
    if len(colab_buttons) != 1:
        raise RuntimeError(
            f"{pagename}: expected one Colab launch button from sphinx-book-theme, found "
            f"{len(colab_buttons)}; check launch_buttons.colab_url in _config.yml."
        )
    colab_buttons[0]["url"] = project.read_settings(Path(app.srcdir)).colab_url(pagename)


def _pdf_button(app, pagename, templatename, context, doctree):
    """Offer the whole book's PDF in the download menu (the theme's own button prints one page)."""
    groups = [b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"]
    if not groups or app.builder.name != "html":
        return
    buttons = groups[0]["buttons"]
    for button in buttons:
        if button.get("label") == "download-pdf-button":
            button["text"] = ".pdf (this page)"
    if project.edition() == "full":
        buttons.append(
            {
                "type": "link",
                "url": context["pathto"](pdf.PDF_NAME, 1),
                "text": ".pdf (whole book)",
                "tooltip": "Download the whole book as one PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            }
        )


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Leave sphinx-thebe's scripts out of every page (see the module docstring)."""

    def is_thebe(script):
        body = getattr(script, "attributes", {}).get("body", "") or ""
        return "THEBE_JS_URL" in body or str(getattr(script, "filename", "")).endswith("sphinx-thebe.js")

    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not is_thebe(s)]


def _write_notebooks(app, exception):
    if exception is None and app.builder.name == "html":  # not the PDF's single-page build
        build, built = Path(app.outdir).parent, set(app.env.found_docs)
        # In cache mode a chapter taken from the cache has no outputs in jupyter_execute: they
        # come from the cache (colab.executed_notebook).
        cached = app.config.nb_execution_mode == "cache"
        cache_path = Path(app.config.nb_execution_cache_path) if cached else None
        colab.write_notebooks(build / "notebooks", Path(app.srcdir), build, built)
        colab.write_downloads(
            build / "notebooks", Path(app.outdir), build, Path(app.srcdir), built, cache_path
        )
        facts = project.facts(Path(app.srcdir))
        if facts:  # this release alone; the publish workflow lists every release (assets.site)
            listing = assets.versions_list(
                [facts["release_tag"]], app.config.html_baseurl.rstrip("/") + "/", facts["release_tag"]
            )
            listing[0]["url"] = app.config.html_baseurl.rstrip("/") + "/"
            (Path(app.outdir) / assets.VERSIONS_JSON).write_text(json.dumps(listing, indent=1) + "\n")


def setup(app) -> None:
    # The theme adds its launch buttons at priority 501; adjust them right after.
    app.connect("html-page-context", _colab_button, priority=502)
    app.connect("html-page-context", _pdf_button, priority=502)
    # Late, after the themes add their per-page scripts (the version switcher's settings among them),
    # which a copy of the list made earlier would lose.
    app.connect("html-page-context", _drop_thebe, priority=999)
    app.connect("build-finished", _write_notebooks)
