"""The book's Sphinx extension (loaded by _config.yml; scripts/build-book runs the build): a cache
that notices environment changes, Colab notebooks and downloads, citation and reading-time directives.

**Execution cache.** jupyter-cache keys a chapter on its cell sources only, and Sphinx does
not re-read a chapter whose file did not change, so editing the ``dlbook`` package would leave
stale outputs. This extension points myst-nb's cache at ``_build/.jupyter_cache/<key>``, where
the key is the backend and a hash of the environment (``run_notebooks.fingerprint``: the
interpreter, every installed distribution and version, the helper package's files, the MNIST
file, the Keras backend and thread settings). A change of any of them is a new cache path,
which Sphinx sees as a changed configuration: every chapter is re-read and re-executed. Going
back to an earlier state finds its cache again. With ``DLBOOK_CACHE`` set (scripts/ci sets it)
the cache lives in ``DLBOOK_CACHE/jupyter-cache/<key>`` instead, outside the build folder, so a
fresh clone reuses what an earlier one executed with exactly the same inputs.

``DLBOOK_EXECUTE=force`` executes every chapter regardless of the cache.

**Editions.** With ``DLBOOK_EDITION=student`` (``make student``) the build is the student
edition: sphinx-exercise's ``hide_solutions`` leaves every solution out of the pages (not hidden:
absent), the pages say which edition they are, the site's address is ``<site>/student/``, the
notebooks and downloads leave the solutions out (``colab.py``), and the chapters' outputs come
from the full build's execution cache: nothing is executed again.

**Colab.** At the end of each build the chapters' Colab notebooks are written to
``_build/notebooks`` (see ``colab.py``); the site's ``.ipynb`` downloads become the same
notebooks with the book's outputs, and ``notebooks.zip`` holds them all. Each chapter's "Colab"
launch button is pointed at its notebook on the notebooks branch instead of the theme's default,
the ``.md`` file, which Colab cannot open.

**Versions.** Every page has the theme's version switcher and, on a release other than the
newest, its banner pointing to the newest. Both read ``versions.json`` from the root of the
edition the page belongs to: the build writes one naming this release alone, and the publish
workflow replaces it in every release's folder with the list of all releases
(``release_assets.py site``). The release is ``CITATION.cff``'s version.

**PDF.** In the full edition, every page's download menu offers the whole book as one PDF
(``book_pdf.PDF_NAME`` in the site's root, made by ``make pdf``), beside the theme's "print this
page". The student edition offers no book PDF: the full one holds the solutions.

**Page hygiene.** Jupyter Book always loads sphinx-thebe, which this book does not use; on
Sphinx 7 it declares its script twice (a JavaScript error on every page) and points at a CDN.
Its scripts are left out of the pages.

**Reading times.** The ``{reading-times}`` directive (instructors page) tables every notebook
chapter's words of prose, visible code lines and estimated minutes, counted from the sources at
build time (see ``reading_time.py``), so the figures follow every edit.

**Citation.** The ``{citation}`` directive renders ``CITATION.cff`` as BibTeX (``:format: bibtex``)
or as a plain reference (``:format: apalike``), so the "How to cite" page never drifts from it.
"""

from __future__ import annotations

import json
import os
import queue
from pathlib import Path

import book_pdf
import checked
import citation
import colab  # scripts/colab.py, importable because _config.yml adds scripts/ for this extension
import reading_time
import release_assets
import sphinx_sitemap
from docutils import nodes
from docutils.parsers.rst import directives
from run_notebooks import fingerprint
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

MODES = ("cache", "force", "off")


def helper_key() -> str:
    """A short hash of what a chapter's outputs depend on besides its own source: the
    environment fingerprint the notebook runs use too (``run_notebooks.fingerprint``)."""
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
    student = colab.edition() == "student"
    if os.environ.get("DLBOOK_CACHE"):  # kept outside the build folder, across clones (scripts/ci)
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
    facts = citation.facts(Path(app.srcdir))
    # and the pages that state how long the chapters take compute it (scripts/reading_time.py)
    times = reading_time.facts(Path(app.srcdir), colab.chapters(Path(app.srcdir)))
    config.myst_substitutions = {**(config.myst_substitutions or {}), **facts, **times}
    if facts:  # the version switcher and the banner of older releases (the small test books have none)
        # The banner compares Sphinx's version (DOCUMENTATION_OPTIONS.VERSION) with the newest.
        config.version = config.release = facts["release_tag"]
        config.html_theme_options = {
            **(config.html_theme_options or {}),
            "switcher": {"json_url": release_assets.VERSIONS_JSON, "version_match": facts["release_tag"]},
            "check_switcher": False,  # the list is written with the site, not read from the sources
            "show_version_warning_banner": True,
        }


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
    colab_buttons[0]["url"] = colab.read_settings(Path(app.srcdir)).colab_url(pagename)


def _pdf_button(app, pagename, templatename, context, doctree):
    """Offer the whole book's PDF in the download menu (the theme's own button prints one page)."""
    groups = [b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"]
    if not groups or app.builder.name != "html":
        return
    buttons = groups[0]["buttons"]
    for button in buttons:
        if button.get("label") == "download-pdf-button":
            button["text"] = ".pdf (this page)"
    if colab.edition() == "full":
        buttons.append(
            {
                "type": "link",
                "url": context["pathto"](book_pdf.PDF_NAME, 1),
                "text": ".pdf (whole book)",
                "tooltip": "Download the whole book as one PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            }
        )


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


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Leave sphinx-thebe's scripts out of every page (see the module docstring)."""

    def is_thebe(script):
        body = getattr(script, "attributes", {}).get("body", "") or ""
        return "THEBE_JS_URL" in body or str(getattr(script, "filename", "")).endswith("sphinx-thebe.js")

    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not is_thebe(s)]


class CitationDirective(SphinxDirective):
    """The book's citation, generated from CITATION.cff with cffconvert."""

    option_spec = {"format": lambda value: directives.choice(value, ("bibtex", "apalike"))}

    def run(self):
        path = Path(self.env.srcdir) / "CITATION.cff"
        self.env.note_dependency(str(path))
        if self.options.get("format", "bibtex") == "bibtex":
            text, language = citation.bibtex(path), "bibtex"
        else:
            text, language = citation.plain(path), "text"
        block = nodes.literal_block(text.strip(), text.strip())
        block["language"] = language
        return [block]


class ReadingTimesDirective(SphinxDirective):
    """A table of each notebook chapter's words, code lines and estimated reading time."""

    def run(self):
        root = Path(self.env.srcdir)
        header = [
            "chapter",
            "words of prose",
            "lines of code shown",
            "running time (s)",
            "minutes (estimate)",
        ]
        rows = []
        for docname in colab.chapters(root):
            path = root / f"{docname}.md"
            self.env.note_dependency(str(path))
            counted = reading_time.count_file(path, docname, root)
            link = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{docname}", refdoc=self.env.docname,
                refexplicit=False, refwarn=True,
            )  # fmt: skip
            link += nodes.inline(docname, docname)
            running = f"{counted.run_seconds:.0f}"
            rows.append([link, f"{counted.words:,}", str(counted.code_lines), running, str(counted.minutes)])
        table = nodes.table(classes=["reading-times"])
        group = nodes.tgroup(cols=len(header))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in header)
        head, body = nodes.thead(), nodes.tbody()
        group += head
        group += body
        for parent, cells in [(head, header), *((body, row) for row in rows)]:
            row_node = nodes.row()
            for cell in cells:
                entry = nodes.entry()
                entry += (
                    nodes.paragraph("", "", cell)
                    if isinstance(cell, nodes.Node)
                    else nodes.paragraph(text=cell)
                )
                row_node += entry
            parent += row_node
        return [table]


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
        facts = citation.facts(Path(app.srcdir))
        if facts:  # this release alone; the publish workflow lists every release (release_assets.site)
            listing = release_assets.versions_list(
                [facts["release_tag"]], app.config.html_baseurl.rstrip("/") + "/", facts["release_tag"]
            )
            listing[0]["url"] = app.config.html_baseurl.rstrip("/") + "/"
            (Path(app.outdir) / release_assets.VERSIONS_JSON).write_text(json.dumps(listing, indent=1) + "\n")


def pasted_from(docname: str, source: str, root: Path) -> set[str]:
    """The chapters whose values a page pastes (``{glue:text}`other.md::name:spec```)."""
    return {
        colab.other_chapter(docname, match.group(1).split("::")[0], root)
        for match in colab.GLUE_ROLE.finditer(source)
        if "::" in match.group(1)
    }


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


def setup(app):
    app.setup_extension("page_weight")  # pages that load fast on a phone (scripts/page_weight.py)
    app.connect("config-inited", _configure, priority=100)
    # The theme adds its launch buttons at priority 501; adjust them right after.
    app.connect("html-page-context", _colab_button, priority=502)
    app.connect("html-page-context", _pdf_button, priority=502)
    # Late, after the themes add their per-page scripts (the version switcher's settings among them),
    # which a copy of the list made earlier would lose.
    app.connect("html-page-context", _drop_thebe, priority=999)
    app.connect("builder-inited", _single_page_handlers)
    app.connect("env-get-outdated", _pasting_pages)
    app.connect("env-before-read-docs", _forget_pages_read_again)
    app.connect("build-finished", _write_notebooks)
    app.connect("build-finished", _whole_sitemap, priority=400)  # before sphinx-sitemap's (500)
    app.add_directive("citation", CitationDirective)
    app.add_directive("reading-times", ReadingTimesDirective)
    checked.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
