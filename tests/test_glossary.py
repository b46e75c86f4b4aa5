"""The glossary points each term first to the chapter that first explains it: the first chapter,
in reading order, whose text links the term (a linked word is explained where it is linked: the
glossary's own promise). Read from the built pages, as a reader follows the links."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from .conftest import BUILD, PAGES

pytestmark = pytest.mark.book
SITE = BUILD / "html"


def page(docname: str) -> BeautifulSoup:
    return BeautifulSoup((SITE / f"{docname}.html").read_text(), "html.parser")


def first_linking_chapter() -> dict[str, str]:
    """Glossary anchor (``term-accuracy``) -> the first page, in reading order, linking to it."""
    first = {}
    for docname in PAGES:
        if docname == "book/glossary":
            continue
        for link in page(docname).select("article a[href*='glossary.html#term-']"):
            first.setdefault(urlsplit(link["href"]).fragment, docname)
    return first


def test_each_term_points_first_to_the_chapter_that_teaches_it():
    first = first_linking_chapter()
    glossary = page("book/glossary")
    wrong = []
    for term in glossary.select("dl.glossary > dt"):
        anchor = term["id"]
        definition = term.find_next_sibling("dd")
        links = [urlsplit(a["href"]).path for a in definition.select("a.reference.internal")]
        named = links[0].removesuffix(".html") if links else None
        teaches = first.get(anchor, "").removeprefix("book/") or None
        if teaches is not None and named != teaches:
            wrong.append(f"{term.get_text(strip=True)}: the glossary names {named}, taught in {teaches}")
    assert not wrong, "\n".join(wrong)
    assert len(first) >= 40, "the chapters link most of the glossary's terms"
