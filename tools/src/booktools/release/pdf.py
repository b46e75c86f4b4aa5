"""The whole book as one PDF, printed by Chromium from the executed single-page build.

    booktools pdf SINGLEHTML_DIR OUT_DIR (make pdf: after `make book`)

writes ``OUT_DIR/first-network.pdf`` (:data:`PDF_NAME`); ``make pdf`` puts it in the site, where
every page's download menu of the full edition links to it.

``make pdf`` builds the book once more with Sphinx's ``singlehtml`` builder, from the execution
cache (nothing is executed again): every chapter in one page, so the cross-references between
chapters stay links inside the PDF. This script opens that page in Chromium (Playwright, through
the browser's executable path: test tools never download browsers), waits for the mathematics to
be typeset, and before printing:

- puts a title page first (title, version, date of the build) and a table of contents whose
  entries link to the chapters and give their page numbers;
- starts each chapter on a new page (numbered as on the site, by the table of contents), and
  hides what only works on screen (the sidebars, the header's buttons, the search, the theme's
  own print header);
- opens every dropdown, so the solutions and the hidden outputs are in the PDF;
- replaces the draw-a-digit block, which needs a reader's hand, by a picture of it with a test
  image picked, and the address of the page where it works;
- lays out grids as on a wide screen (figures meant side by side stay side by side) and keeps
  each grid of figures on one page;
- wraps long code lines and output instead of letting them run off the page, then measures, in
  the print layout, every code block, output and table: one that is still wider than the page
  stops the script, naming it, rather than printing it cut off.

It prints twice: the first print tells on which page each chapter starts, the contents are
filled in with those numbers (their places were kept free, so nothing moves) and the book is
printed again. Chromium embeds the fonts it uses, tags the PDF (its structure: headings,
paragraphs, figures with their alt text) and writes an outline from the headings; but it takes
the outline's titles from the printed lines (a heading that wrapped loses the space at the break)
and nests the chapters under the landing page's last section, where the single page puts them.
So the outline is written again with pypdf, Chromium's entries in the same order: each keeps its
place in the PDF and takes the heading's text as the site shows it, the chapters and the landing
page at the top level and each page's sections under it.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import http.server
import os
import re
import shutil
import sys
import tempfile
import threading
import unicodedata
from pathlib import Path

from booktools import project
from booktools.project import ROOT

#: The PDF's file name, in the site's root folder (the download menu links to it).
PDF_NAME = "first-network.pdf"

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html, body { background: white !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .prev-next-area, .bd-search, .search-button-field, .skip-link,
.headerlink, .theme-switch-button, .toggle-button, .cell_input .copybtn, #jb-print-docs-body,
#pst-back-to-top, .bd-footer-content { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-article, .bd-page-width, .bd-container,
.bd-container__inner { max-width: none !important; width: auto !important; margin: 0 !important;
  padding: 0 !important; display: block !important; }
body { font-size: 10.5pt; }
pre, .highlight pre, .output pre, code { white-space: pre-wrap !important; overflow-wrap: anywhere;
  word-break: break-word; font-size: 8.5pt !important; }
pre, div.highlight, .cell, .cell_input, .cell_output, .output { overflow: visible !important; }
/* A long code cell or output continues on the next page rather than moving there whole and
   leaving an empty box behind (a scrolling box cannot be split across pages). */
pre, div.highlight, div[class^="highlight-"], .cell, .cell_input, .cell_output, div.output {
  break-inside: auto !important; }
div.highlight, div[class^="highlight-"], .cell_input { display: block !important; }
table { font-size: 8pt; max-width: 100% !important; }
table td, table th { overflow-wrap: anywhere; }
img, figure img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
figure { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
/* The theme hides each page's first h1 in print (it prints its own header instead): not here. */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
section.dlbook-page { break-before: page; }
.dlbook-page-title { font-size: 20pt !important; }
#dlbook-title-page { break-after: page; text-align: center; padding-top: 35%; }
#dlbook-title-page h1 { font-size: 26pt; margin-bottom: 1em; }
#dlbook-title-page p { font-size: 13pt; margin: 0.3em 0; }
#dlbook-contents { break-after: page; }
#dlbook-contents ul { font-size: 12pt; line-height: 1.8; list-style: none; padding-left: 0; }
#dlbook-contents a { display: flex; align-items: baseline; gap: 0.4em; text-decoration: none; }
#dlbook-contents .dlbook-leader { flex: 1; border-bottom: 1px dotted #888; }
#dlbook-contents .dlbook-page-number { min-width: 2.5em; text-align: right; }
/* sphinx-design's grids as on a wide screen (the printed column is a phone's width, where they
   stack): figures meant side by side, such as two confusion matrices compared, stay side by side,
   and a grid of figures stays on one page. */
.sd-row.sd-row-cols-lg-2 > * { flex: 0 0 auto !important; width: 50% !important; }
.sd-row.sd-row-cols-lg-3 > * { flex: 0 0 auto !important; width: 33.333% !important; }
.sd-row.sd-row-cols-lg-4 > * { flex: 0 0 auto !important; width: 25% !important; }
.sd-container-fluid:has(figure), .sd-row:has(figure) { break-inside: avoid; }
figure.dlbook-draw-picture { break-inside: avoid; }
figure.dlbook-draw-picture img { width: 80% !important; border: 1px solid #ccc; }
figure.dlbook-draw-picture figcaption p { text-align: center; margin: 0.2em 0; }
"""

#: A heading's text as the site shows it: without its anchor link (#), spaces as one space.
HEADING_TEXT_JS = """
const headingText = (heading) => {
  const copy = heading.cloneNode(true);
  copy.querySelectorAll(".headerlink").forEach(e => e.remove());
  return copy.textContent.replace(/\\s+/g, " ").trim();
};
"""

#: Runs in the page before printing: each page's section marked, dropdowns opened, the title
#: page and the table of contents put first. Returns the chapters' titles in order.
PREPARE_JS = (
    """
([title, subtitle, version, date, pages]) => {
"""
    + HEADING_TEXT_JS
    + """
  const article = document.querySelector("article.bd-article") || document.body;
  const titles = [];
  for (const docname of pages) {
    // Sphinx's singlehtml marks where each page starts with <span id="document-<docname>">.
    const anchor = document.getElementById("document-" + docname);
    let section = anchor && anchor.nextElementSibling;
    while (section && section.tagName !== "SECTION") { section = section.nextElementSibling; }
    if (!section) { throw new Error("no page " + docname + " in the single-page build"); }
    section.classList.add("dlbook-page");
    // In the single page a chapter's title is a lower heading (h2, h3): the first one is it.
    const heading = section.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4");
    if (!heading) { throw new Error("no title for " + docname + " in the single-page build"); }
    heading.classList.add("dlbook-page-title");
    titles.push([section.id, headingText(heading)]);
  }
  // The landing page: the single page's first section, which holds the others.
  const landing = article.querySelector("section");
  landing.classList.add("dlbook-landing");
  document.querySelectorAll("details").forEach(d => d.open = true);
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  const page = document.createElement("section");
  page.id = "dlbook-title-page";
  page.innerHTML = "<h1></h1><p class='sub'></p><p class='version'></p><p class='date'></p>";
  page.querySelector("h1").textContent = title;
  page.querySelector(".sub").textContent = subtitle;
  page.querySelector(".version").textContent = version;
  page.querySelector(".date").textContent = date;
  const contents = document.createElement("nav");
  contents.id = "dlbook-contents";
  contents.innerHTML = "<h2>Contents</h2><ul></ul>";
  for (const [id, text] of titles) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#" + id;
    link.innerHTML = "<span class='dlbook-entry'></span><span class='dlbook-leader'></span>" +
      "<span class='dlbook-page-number' style='visibility: hidden'>000</span>";
    link.querySelector(".dlbook-entry").textContent = text;
    link.querySelector(".dlbook-page-number").dataset.page = id;
    item.appendChild(link);
    contents.querySelector("ul").appendChild(item);
  }
  article.prepend(contents);
  article.prepend(page);
  return titles.map(t => t[1]);
}
"""
)

#: Runs in the print layout: every heading Chromium puts in the outline (each rendered h1-h6), in
#: document order, with its text as on the site, the book's page it belongs to (the id of the
#: page's section) and its depth in that page: 0 for the page's title, one more for each section
#: level below. The contents are a page of their own; the title page's heading gets no bookmark.
HEADINGS_JS = (
    """
() => {
"""
    + HEADING_TEXT_JS
    + """
  const pages = "section.dlbook-page, section.dlbook-landing";
  return [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(h => h.getClientRects().length > 0)
    .map(h => {
      const title = headingText(h);
      if (h.closest("#dlbook-title-page")) return {title, page: null, depth: 0, first: false};
      if (h.closest("#dlbook-contents")) return {title, page: "dlbook-contents", depth: 0, first: false};
      const top = h.closest(pages);
      if (!top) throw new Error("a heading outside the book's pages: " + title);
      let depth = 0;
      let section = h.parentElement.closest("section");
      for (; section && section !== top; section = section.parentElement.closest("section")) depth += 1;
      return {title, page: top.id, depth, first: h.classList.contains("dlbook-page-title")};
    });
}
"""
)

#: Writes each chapter's first page into the table of contents: {section id: page number}.
PAGE_NUMBERS_JS = """
(numbers) => {
  for (const span of document.querySelectorAll("#dlbook-contents .dlbook-page-number")) {
    if (!(span.dataset.page in numbers)) { throw new Error("no page number for " + span.dataset.page); }
    span.textContent = String(numbers[span.dataset.page]);
    span.style.visibility = "visible";
  }
}
"""

#: Replaces a draw-a-digit block by its picture (a PNG, base64) and the page's address.
DRAW_PICTURE_JS = """
([id, png, alt, address]) => {
  const block = document.getElementById(id);
  const figure = document.createElement("figure");
  figure.className = "dlbook-draw-picture";
  figure.innerHTML = "<img><figcaption><p></p><p><a></a></p></figcaption>";
  const image = figure.querySelector("img");
  image.src = "data:image/png;base64," + png;
  image.alt = alt;
  figure.querySelector("p").textContent =
    "The drawing area as the online book shows it, with a test image picked. " +
    "Draw your own digit on the book's page:";
  const link = figure.querySelector("a");
  link.href = address;
  link.textContent = address;
  block.replaceWith(figure);
}
"""

#: Every code block, output and table wider than its column in the print layout.
OVERFLOW_JS = """
() => [...document.querySelectorAll('pre, table, img, mjx-container[display="true"]')]
  .filter(e => e.offsetParent !== null && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 2)
  .map(e => e.tagName.toLowerCase() + ": " + (e.textContent || e.getAttribute("src") || "")
            .trim().split("\\n")[0].slice(0, 100))
"""

FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    raise SystemExit("No Chromium found: run scripts/install-browser, or set CHROMIUM to one.")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the build quietly. Sphinx's single page for a root document in a folder
    (``book/index``) links its images and styles as if it were at the top (``book/_images/...``
    for ``_images/...``); a missing file is looked for one folder up."""

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if not os.path.exists(local):
            parts = path.lstrip("/").split("/", 1)
            if len(parts) == 2 and parts[1].startswith(("_images/", "_static/")):
                return super().translate_path("/" + parts[1])
        return local

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """The folder over HTTP on a free local port (MathJax and the fonts load as on the site)."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def book_facts(root: Path = ROOT) -> dict:
    """Title, version, the landing page and the pages after it, read from CITATION.cff and the
    table of contents."""
    cff = project.citation(root / "CITATION.cff")
    return {
        "title": cff["title"],
        "subtitle": "An executable textbook: every number in it comes from the run that built it",
        "version": f"Release v{cff['version']}",
        "release_url": f"{cff['url'].rstrip('/')}/v{cff['version']}/",  # this release's own address
        "root": project.toc_pages(root)[0],  # the landing page: the single page holds the book there
        "pages": project.toc_pages(root)[1:],  # after the landing page, which is the preface
    }


def squeeze(text: str) -> str:
    """Text without whitespace, ligatures spelled out: what two renderings of a heading share."""
    return re.sub(r"[\s\u00ad]+", "", unicodedata.normalize("NFKC", text))


#: The test image the PDF's picture of the draw-a-digit block shows (the first test image of
#: this digit, whatever the network makes of it: the picture shows its answer).
DRAW_DIGIT = 3


def draw_pictures(page, address: str) -> list[str]:
    """Every draw-a-digit block replaced by a picture of it, a test image picked; returns their alt
    texts. Runs in the screen layout, before the print style."""
    import base64

    alts = []
    for block_id in page.evaluate(
        "() => [...document.querySelectorAll('[data-dlbook-draw]')].map(e => e.id)"
    ):
        block = page.locator(f"#{block_id}")
        block.locator(".dlbook-draw__pick").select_option(str(DRAW_DIGIT))
        page.wait_for_function(
            f"() => document.getElementById('{block_id}').dataset.prediction !== undefined"
        )
        answer = block.locator(".dlbook-draw__text").inner_text().strip()
        picked = block.locator(".dlbook-draw__pick option:checked").inner_text().strip()
        alt = (
            "The draw-a-digit area: a drawing box holding "
            + picked[0].lower()
            + picked[1:]
            + ", the 28 by 28 image the network receives, and a bar for each digit's probability. "
            + answer
        )
        # As on a wide screen, the drawing box beside the bars (the book's column is narrower),
        # on top of the page, out of any scrolling box that would cut it.
        page.evaluate(
            "(id) => Object.assign(document.getElementById(id).style, {position: 'fixed', top: '0', "
            "left: '0', zIndex: '10000', width: '760px', margin: '0', padding: '8px', background: 'white'})",
            block_id,
        )
        png = base64.b64encode(block.screenshot(type="png", animations="disabled")).decode("ascii")
        page.evaluate(DRAW_PICTURE_JS, [block_id, png, alt, address])
        alts.append(alt)
    return alts


def flat_outline(reader) -> list:
    """Chromium's bookmarks, depth first (the order of the headings they come from)."""
    entries = []

    def visit(items):
        for item in items:
            if isinstance(item, list):
                visit(item)
            else:
                entries.append(item)

    visit(reader.outline)
    return entries


def place_headings(reader, headings: list[dict]) -> list[dict]:
    """Each heading with the page (0-based) and point Chromium's bookmark for it leads to. The two
    lists must match one to one: each bookmark's text, however Chromium spelled it (words run
    together, parts twice), holds the heading's letters in order."""
    entries = flat_outline(reader)
    if len(entries) != len(headings):
        raise SystemExit(
            f"Chromium wrote {len(entries)} bookmarks for {len(headings)} headings; the outline "
            "cannot be matched to them."
        )
    placed = []
    for entry, heading in zip(entries, headings, strict=True):
        letters = iter(squeeze(entry.title))
        if not all(letter in letters for letter in squeeze(heading["title"])):
            raise SystemExit(f"bookmark {entry.title!r} does not match the heading {heading['title']!r}")
        placed.append(
            dict(
                heading, page_index=reader.get_destination_page_number(entry), left=entry.left, top=entry.top
            )
        )
    return placed


def write_outline(reader, placed: list[dict], out: Path, title: str) -> int:
    """The PDF again with its outline made from the headings; returns the number of bookmarks."""
    from pypdf import PdfWriter
    from pypdf.generic import Fit

    writer = PdfWriter(clone_from=reader)  # the whole document: its tags, links and fonts too
    if "/Outlines" in writer.root_object:
        del writer.root_object["/Outlines"]
    parents, count = {}, 0  # page -> the bookmarks of its open sections, one for each depth
    for heading in placed:
        if heading["page"] is None:
            continue
        # A page's sections go under that page's bookmark, wherever the single page put other
        # pages between them (it puts the chapters inside the landing page).
        stack = parents.setdefault(heading["page"], [])
        depth = min(heading["depth"], len(stack))  # never deeper than one below its parent
        del stack[depth:]
        stack.append(
            writer.add_outline_item(
                title=heading["title"],
                page_number=heading["page_index"],
                parent=stack[-1] if stack else None,
                fit=Fit.xyz(heading["left"], heading["top"], None),
                is_open=False,
            )
        )
        count += 1
    writer.page_mode = "/UseOutlines"  # viewers open the bookmarks beside the pages
    writer.add_metadata({"/Title": title})
    with out.open("wb") as file:
        writer.write(file)
    return count


def print_pdf(html_dir: Path, out: Path, date: str | None = None) -> dict:
    """Print a singlehtml build (``html_dir``) to ``out``; returns what it printed."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    facts = book_facts()
    date = date or datetime.date.today().isoformat()
    out.parent.mkdir(parents=True, exist_ok=True)
    with serve(html_dir) as url, sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page(device_scale_factor=2)  # pictures taken of the page: print-sharp
        page.goto(url + facts["root"] + ".html", wait_until="load")
        page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true"
        )
        titles = page.evaluate(
            PREPARE_JS,
            [
                facts["title"],
                facts["subtitle"],
                facts["version"],
                f"Built {date}",
                facts["pages"],
            ],
        )
        draw = draw_pictures(page, facts["release_url"] + "book/draw-a-digit.html")
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        overflowing = page.evaluate(OVERFLOW_JS)
        if overflowing:
            browser.close()
            raise SystemExit(
                "These would run off the PDF's page; make them fit (wrap, shorten, or scale):\n  "
                + "\n  ".join(overflowing)
            )
        headings = page.evaluate(HEADINGS_JS)
        raw, numbers = Path(tmp) / PDF_NAME, None
        for _ in range(3):  # twice, unless filling in the numbers moved a chapter
            page.pdf(
                path=str(raw),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
                outline=True,
                tagged=True,
            )
            reader = PdfReader(raw)
            placed = place_headings(reader, headings)
            printed = {h["page"]: h["page_index"] + 1 for h in placed if h["first"]}
            if printed == numbers:
                break
            numbers = printed
            page.evaluate(PAGE_NUMBERS_JS, numbers)
        else:
            browser.close()
            raise SystemExit(
                "The contents' page numbers kept moving the chapters; three prints did not settle."
            )
        browser.close()
        bookmarks = write_outline(reader, placed, out, facts["title"])
    return {
        "titles": titles,
        "date": date,
        "path": str(out),
        "pages": len(reader.pages),
        "bookmarks": bookmarks,
        "draw": draw,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    printed = print_pdf(Path(argv[0]), Path(argv[1]) / PDF_NAME)
    size = Path(printed["path"]).stat().st_size
    print(
        f"{printed['path']}: {printed['pages']} pages, {len(printed['titles'])} chapters and pages after "
        f"the preface, {printed['bookmarks']} bookmarks, {size / 1e6:.1f} MB"
    )
    return 0
