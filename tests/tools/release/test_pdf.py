"""The book's PDF (``make pdf``, booktools.release.pdf), read back with pypdf: its pages, every
chapter title and figure caption in its text, the contents' page numbers, the outline and the
tagged headings against the site's headings, the draw-a-digit picture, the figures meant side by
side, its fonts embedded, its internal links, and no code line running off the page."""

import collections
import re
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from booktools import project
from booktools.release import pdf as book_pdf

ROOT = Path(__file__).resolve().parents[3]
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


@pytest.fixture(scope="module")
def page_texts(reader):
    return [squeeze(page.extract_text() or "") for page in reader.pages]


def page_titles():
    """Each page's title as the site shows it, the chapters' numbered."""
    return [site_headings(name)[0][1] for name in project.toc_pages(ROOT)]


def site_headings(name: str) -> list[tuple[int, str]]:
    """(depth, text) of every heading of a page of the site, as a reader sees it: its anchor sign
    left out, its spaces one space; depth 0 for the page's title, one more for each section level."""
    article = BeautifulSoup((HTML / f"{name}.html").read_text(), "html.parser").select_one(
        "article.bd-article"
    )
    headings = []
    for heading in article.find_all(re.compile(r"^h[1-6]$")):
        for anchor in heading.select(".headerlink"):
            anchor.decompose()
        depth = len([s for s in heading.find_parents("section") if article in s.parents]) - 1
        headings.append((depth, " ".join(heading.get_text().split())))
    assert headings and headings[0][0] == 0, name
    return headings


def outline(reader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, depth first."""
    entries = []

    def visit(items, depth):
        for item in items:
            if isinstance(item, list):
                visit(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))

    visit(reader.outline, 0)
    return entries


def marked_text(page) -> dict[int, str]:
    """The text of each marked-content sequence of a page, by its MCID (what a tag points to)."""
    texts, open_ = {}, []

    def operator(op, args, cm, tm):
        if op == b"BDC":
            properties = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
            open_.append(properties.get("/MCID"))
        elif op == b"BMC":
            open_.append(None)
        elif op == b"EMC" and open_:
            open_.pop()

    def visit(text, cm, tm, font, size):
        mcid = next((m for m in reversed(open_) if m is not None), None)
        if mcid is not None:
            texts[int(mcid)] = texts.get(int(mcid), "") + text

    page.extract_text(visitor_operand_before=operator, visitor_text=visit)
    return texts


def tagged(reader) -> list[tuple[str, str, dict]]:
    """(role, text, element) of every element of the PDF's structure tree, in order."""
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    texts = {}

    def text_of(number: int, mcid: int) -> str:
        if number not in texts:
            texts[number] = marked_text(reader.pages[number])
        return texts[number].get(mcid, "")

    elements = []

    def walk(node, page) -> str:
        """The text under a node of the tree; each element met on the way is listed."""
        node = node.get_object()
        if isinstance(node, int):  # a marked-content sequence on the element's page
            return text_of(page, node)
        if node.get("/Type") == "/OBJR":  # an annotation (a link's), no text of its own
            return ""
        if "/Pg" in node:
            page = pages[node.raw_get("/Pg").idnum]
        if node.get("/Type") == "/MCR":  # a marked-content sequence, maybe on another page
            return text_of(page, node["/MCID"])
        entry = [node.get("/S"), "", node]
        if entry[0] is not None:
            elements.append(entry)
        kids = node.get("/K", [])
        entry[1] = "".join(walk(kid, page) for kid in (kids if isinstance(kids, list) else [kids]))
        return entry[1]

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return [tuple(e) for e in elements]


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
    for name in project.toc_pages(ROOT):
        page = BeautifulSoup((HTML / f"{name}.html").read_text(), "html.parser")
        for caption in page.select("figcaption"):
            if caption.find_parent(class_="dlbook-draw"):
                continue  # the draw-a-digit block's own: printed in its picture
            words = caption.get_text(" ", strip=True).split()
            if words and words[0].startswith("Fig"):
                words = words[2:]  # "Fig. 3" is numbered differently in one page
            captions.append(" ".join(w for w in words[:12] if w not in ("#", "¶")))  # no anchor signs
    assert len(captions) >= 20
    missing = [c for c in captions if squeeze(c) not in text]
    assert not missing, missing[:3]


def contents_entries(reader) -> list[tuple[str, int]]:
    """(title, page number) of each entry of the table of contents, in the order printed."""
    contents = unicodedata.normalize("NFKC", reader.pages[1].extract_text())  # ligatures spelled out
    entries = []
    for title in page_titles()[1:]:
        # the title, however the text breaks or spaces it, then the page number after the leader
        pattern = r"\s*".join(map(re.escape, squeeze(title))) + r"\s+(\d+)\b"
        match = re.search(pattern, contents)
        assert match, f"{title!r} with a page number is not in the contents:\n{contents}"
        entries.append((match.start(), title, int(match.group(1))))
    return [(title, number) for _, title, number in sorted(entries)]


def test_the_contents_list_every_page_in_order_and_every_solution_is_printed(reader, text):
    entries = contents_entries(reader)
    assert [title for title, _ in entries] == page_titles()[1:]  # in the order of the site
    # the chapters, numbered as on the site
    assert [title.split(".")[0] for title, _ in entries[:11]] == [str(n) for n in range(1, 12)]
    solutions = sum((ROOT / f"{c}.md").read_text().count("```{solution}") for c in project.chapters(ROOT))
    assert text.count(squeeze("Solution to Exercise")) == solutions


def test_the_contents_page_numbers_name_the_pages_the_chapters_start_on(reader, page_texts):
    entries = contents_entries(reader)
    total = len(reader.pages)
    starts = {title: page for depth, title, page in outline(reader) if depth == 0}
    numbers = [number for _, number in entries]
    assert numbers == sorted(numbers) and numbers[0] > 2, numbers  # after the title page and contents
    for title, number in entries:
        printed = reader.pages[number - 1].extract_text()
        assert squeeze(title) in page_texts[number - 1], (title, number)
        assert squeeze(title) not in page_texts[number - 2], (title, number)  # it starts there
        assert f"{number} / {total}" in printed, (title, number)  # the page's own footer
        assert starts[title] == number - 1, (title, number, starts[title] + 1)  # where its bookmark leads


def test_every_bookmark_reads_as_its_heading_on_the_site(reader):
    expected = [(0, "Contents")] + [
        entry for name in project.toc_pages(ROOT) for entry in site_headings(name)
    ]
    printed = [(depth, title) for depth, title, _ in outline(reader)]
    assert len(printed) == len(expected) > 100
    wrong = [(p, e) for p, e in zip(printed, expected, strict=True) if p != e]
    assert not wrong, wrong[:5]
    # the chapters (every page of the book) at the top level, not under the landing page
    assert [title for depth, title in printed if depth == 0] == ["Contents", *page_titles()]


def test_every_bookmark_leads_to_the_page_of_its_heading(reader, page_texts):
    for _, title, page in outline(reader):
        assert squeeze(title) in page_texts[page], (title, page + 1)


def test_the_pdf_is_tagged_and_its_headings_are_the_site_headings(reader):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root.get("/Lang")
    elements = tagged(reader)
    assert elements[0][0] == "/Document"
    roles = collections.Counter(role for role, _, _ in elements)
    assert roles["/P"] > 500 and roles["/Figure"] >= 20 and roles["/Link"] > 20, roles
    headings = [squeeze(text) for role, text, _ in elements if re.fullmatch(r"/H[1-6]", role)]
    site = [squeeze(title) for name in project.toc_pages(ROOT) for _, title in site_headings(name)]
    book = squeeze(book_pdf.book_facts()["title"])
    assert sorted(headings) == sorted([book, "Contents", *site])  # the title page's and the contents' too

    # A picture is a Figure with alt text; a <figure> (picture and caption) is one holding it.
    def pictured(element) -> bool:
        if element.get("/S") == "/Figure" and element.get("/Alt"):
            return True
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        return any(hasattr(kid.get_object(), "keys") and pictured(kid.get_object()) for kid in kids)

    figures = [(text, element) for role, text, element in elements if role == "/Figure"]
    pictures = [element for _, element in figures if element.get("/Alt")]
    site_images = sum(
        len(
            BeautifulSoup((HTML / f"{name}.html").read_text(), "html.parser").select(
                "article.bd-article img[alt]"
            )
        )
        for name in project.toc_pages(ROOT)
    )
    assert len(pictures) == site_images + 1 > 20, (len(pictures), site_images)  # + the draw-a-digit picture
    blind = [text[:60] for text, element in figures if not pictured(element)]
    assert not blind, f"figures without alt text: {blind}"


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
    assert internal >= len(project.toc_pages(ROOT))  # at least the table of contents
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


def test_the_draw_page_is_a_picture_with_the_address_of_the_page(reader, page_texts, text):
    address = book_pdf.book_facts()["release_url"] + "book/draw-a-digit.html"
    pages = [n for n, page in enumerate(page_texts) if squeeze(address) in page]
    assert pages, f"{address} is not in the PDF"
    (page,) = pages
    links = [
        a.get_object()["/A"].get_object().get("/URI")
        for a in reader.pages[page].get("/Annots") or []
        if "/A" in a.get_object()
    ]
    assert address in links
    images = [image for image in reader.pages[page].images if image.image.width >= 600]
    assert images, "no picture of the drawing area on the page of its address"
    # the widget itself (its buttons and its list of test images) is not printed
    assert squeeze("Or pick a test image") not in text and squeeze("(choose)") not in text
    alts = [str(e.get("/Alt")) for role, _, e in tagged(reader) if role == "/Figure"]
    (alt,) = [a for a in alts if a.startswith("The draw-a-digit area")]
    assert re.search(r"Prediction: \d \(\d+%\)", alt), alt  # the picture's answer, in words


def test_figures_meant_side_by_side_are_on_one_page(page_texts):
    groups = []
    for name in project.toc_pages(ROOT):
        page = BeautifulSoup((HTML / f"{name}.html").read_text(), "html.parser")
        for row in page.select(".sd-row"):
            if not any(re.fullmatch(r"sd-row-cols-lg-[2-9]", c) for c in row["class"]):
                continue
            captions = []
            for caption in row.select("figcaption"):
                words = caption.get_text(" ", strip=True).split()
                if words and words[0].startswith("Fig"):
                    words = words[2:]
                captions.append(squeeze(" ".join(w for w in words if w not in ("#", "¶"))))
            if len(captions) >= 2:
                groups.append(captions)
    assert any(len(g) == 2 for g in groups), "the two confusion matrices compared are gone"
    for captions in groups:
        together = set(range(len(page_texts)))
        for caption in captions:
            together &= {n for n, page in enumerate(page_texts) if caption in page}
        assert together, f"not on one page: {captions}"
