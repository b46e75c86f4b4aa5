"""The book's PDF (``make pdf``, scripts/book_pdf.py), read back with pypdf: its pages, every
chapter title and figure caption in its text, its fonts embedded, its internal links, and no
code line running off the page."""

import re
import unicodedata
from pathlib import Path

import book_pdf
import colab
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PDF = HTML / book_pdf.PDF_NAME

pytestmark = pytest.mark.book


def squeeze(text: str) -> str:
    """Text without any whitespace or soft hyphen, ligatures (ﬁ) spelled out, so that line
    breaks and typography do not matter."""
    return re.sub(r"[\s\u00ad]+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def reader():
    from pypdf import PdfReader

    if not PDF.exists():
        pytest.fail(f"{PDF} is missing: run `make pdf`.")
    return PdfReader(PDF)


@pytest.fixture(scope="module")
def text(reader):
    return squeeze("".join(page.extract_text() or "" for page in reader.pages))


def page_titles():
    titles = []
    for name in colab.toc_pages(ROOT):
        page = BeautifulSoup((HTML / f"{name}.html").read_text(), "html.parser")
        titles.append(page.find("h1").get_text(" ", strip=True).replace("#", "").strip())
    return titles


def test_title_page_contents_and_size(reader, text):
    assert 40 <= len(reader.pages) <= 400, len(reader.pages)
    first = reader.pages[0].extract_text()
    cff_version = re.search(r"^version: *\"?([\d.]+)", (ROOT / "CITATION.cff").read_text(), re.M).group(1)
    assert f"v{cff_version}" in first and "Built" in first
    assert squeeze("Contents") in squeeze(reader.pages[1].extract_text())


def test_every_page_title_and_figure_caption_is_in_the_text(text):
    for title in page_titles():
        assert squeeze(title) in text, title
    captions = []
    for name in colab.toc_pages(ROOT):
        page = BeautifulSoup((HTML / f"{name}.html").read_text(), "html.parser")
        for caption in page.select("figcaption"):
            words = caption.get_text(" ", strip=True).split()
            if words and words[0].startswith("Fig"):
                words = words[2:]  # "Fig. 3" is numbered differently in one page
            captions.append(" ".join(w for w in words[:12] if w not in ("#", "¶")))  # no anchor signs
    assert len(captions) >= 20
    missing = [c for c in captions if squeeze(c) not in text]
    assert not missing, missing[:3]


def test_the_contents_list_every_page_in_order_and_every_solution_is_printed(reader, text):
    contents = squeeze(reader.pages[1].extract_text())
    positions = [contents.find(squeeze(title)) for title in page_titles()[1:]]
    assert -1 not in positions and positions == sorted(positions), positions
    numbers = re.findall(r"(\d+)\.", contents)
    assert [int(n) for n in numbers[:11]] == list(range(1, 12))  # the chapters, numbered as on the site
    solutions = sum((ROOT / f"{c}.md").read_text().count("```{solution}") for c in colab.chapters(ROOT))
    assert text.count(squeeze("Solution to Exercise")) == solutions


def test_every_font_is_embedded(reader):
    fonts = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            fonts[font.get("/BaseFont", font.get("/Name"))] = font
    assert fonts
    for name, font in fonts.items():
        if font["/Subtype"] == "/Type3":
            continue  # drawn by the PDF itself
        descriptor = font
        if font["/Subtype"] == "/Type0":
            descriptor = font["/DescendantFonts"][0].get_object()
        descriptor = descriptor["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_internal_links_lead_to_places_in_the_pdf(reader):
    internal = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            destination = annotation.get("/Dest") or (action.get_object().get("/D") if action else None)
            if destination is not None:
                internal += 1
    assert internal >= len(colab.toc_pages(ROOT))  # at least the table of contents
    assert reader.outline, "no bookmarks"


def test_no_code_line_runs_off_the_page(reader):
    """Where each monospaced run of text starts and, at its font size, ends: inside the page."""
    off = []
    for number, page in enumerate(reader.pages, start=1):
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, width=width):
            if not text.strip() or not font or "Mono" not in str(font.get("/BaseFont", "")):
                return
            scale = abs(cm[0]) or 1.0
            x = tm[4] * scale + cm[4]
            end = x + 0.6 * size * scale * len(text.rstrip())  # monospace glyphs: 0.6 em wide
            if x < 0 or end > width + 1:
                off.append((number, round(x), round(end), text.strip()[:60]))

        page.extract_text(visitor_text=visit)
    assert not off, off[:5]


def test_every_page_offers_the_book_pdf_and_the_student_edition_does_not(book_page):
    def links(html_dir: Path) -> list[str]:
        page = BeautifulSoup((html_dir / f"{book_page}.html").read_text(), "html.parser")
        return [
            a["href"] for a in page.select(".dropdown-download-buttons a[href]") if a["href"].endswith(".pdf")
        ]

    full = links(HTML)
    assert len(full) == 1 and (HTML / Path(book_page).parent / full[0]).resolve() == PDF.resolve()
    assert links(ROOT / "_build" / "student" / "_build" / "html") == []
