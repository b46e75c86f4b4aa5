"""The whole book as one PDF, printed by Chromium from the executed single-page build.

    python scripts/book_pdf.py SINGLEHTML_DIR OUT_DIR      (make pdf: after `make book`)

writes ``OUT_DIR/first-network.pdf`` (:data:`PDF_NAME`); ``make pdf`` puts it in the site, where
every page's download menu of the full edition links to it.

``make pdf`` builds the book once more with Sphinx's ``singlehtml`` builder, from the execution
cache (nothing is executed again): every chapter in one page, so the cross-references between
chapters stay links inside the PDF. This script opens that page in Chromium (Playwright, through
the browser's executable path: test tools never download browsers), waits for the mathematics to
be typeset, and before printing:

- puts a title page first (title, version, date of the build) and a table of contents whose
  entries link to the chapters;
- starts each chapter on a new page (numbered as on the site, by the table of contents), and
  hides what only works on screen (the sidebars, the header's buttons, the search, the theme's
  own print header);
- opens every dropdown, so the solutions and the hidden outputs are in the PDF;
- wraps long code lines and output instead of letting them run off the page, then measures, in
  the print layout, every code block, output and table: one that is still wider than the page
  stops the script, naming it, rather than printing it cut off.

Chromium embeds the fonts it uses, and writes the PDF's outline (bookmarks) from the headings.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
"""

#: Runs in the page before printing: each page's section marked, dropdowns opened, the title
#: page and the table of contents put first. Returns the chapters' titles in order.
PREPARE_JS = """
([title, subtitle, version, date, pages]) => {
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
    titles.push([section.id, heading.textContent.replace(/[#¶]/g, "").trim()]);
  }
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
    link.textContent = text;
    item.appendChild(link);
    contents.querySelector("ul").appendChild(item);
  }
  article.prepend(contents);
  article.prepend(page);
  return titles.map(t => t[1]);
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
    import colab  # scripts/, this script's own folder
    import yaml

    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    return {
        "title": cff["title"],
        "subtitle": "An executable textbook: every number in it comes from the run that built it",
        "version": f"Release v{cff['version']}",
        "root": colab.toc_pages(root)[0],  # the landing page: the single page holds the book there
        "pages": colab.toc_pages(root)[1:],  # after the landing page, which is the preface
    }


def print_pdf(html_dir: Path, out: Path, date: str | None = None) -> dict:
    """Print a singlehtml build (``html_dir``) to ``out``; returns what it printed."""
    from playwright.sync_api import sync_playwright

    facts = book_facts()
    date = date or datetime.date.today().isoformat()
    out.parent.mkdir(parents=True, exist_ok=True)
    with serve(html_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page()
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
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        overflowing = page.evaluate(OVERFLOW_JS)
        if overflowing:
            browser.close()
            raise SystemExit(
                "These would run off the PDF's page; make them fit (wrap, shorten, or scale):\n  "
                + "\n  ".join(overflowing)
            )
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
            outline=True,
            tagged=True,
        )
        browser.close()
    return {"titles": titles, "date": date, "path": str(out)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    printed = print_pdf(Path(argv[0]), Path(argv[1]) / PDF_NAME)
    size = Path(printed["path"]).stat().st_size
    print(f"{printed['path']}: {len(printed['titles'])} pages after the preface, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
