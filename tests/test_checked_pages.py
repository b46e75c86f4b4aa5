"""Checked sentences as readers see them: the built pages, their alt texts, the PDF's source page
and the Colab notebooks show each sentence alone, never the role or its condition's name; and
every sentence the sources bind is on its page."""

import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from booktools.sphinx import checked

from .conftest import BUILD, CHAPTERS, ROOT

pytestmark = pytest.mark.book


#: Sphinx prints typographic quotes and dashes where the source has plain ones (smartquotes).
PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "--", "—": "---"})


def roles(chapter: str) -> list[dict]:
    """Each checked sentence of a chapter (its text and its alt texts), read by MyST's parser."""
    found = checked.sentences((ROOT / f"{chapter}.md").read_text())
    return [{"text": sentence, "name": name} for sentence, name in found]


def test_the_chapters_bind_their_sentences():
    bound = {chapter: len(roles(chapter)) for chapter in CHAPTERS}
    assert sum(bound.values()) >= 150, bound
    assert all(count > 0 for chapter, count in bound.items() if chapter != "book/draw-a-digit"), bound


def test_each_checked_sentence_is_on_its_page_as_plain_words(chapter):
    html = (BUILD / "html" / f"{chapter}.html").read_text()
    assert "{checked}" not in html, "a role left unrendered (in the text or an alt text)"
    page = BeautifulSoup(html, "html.parser")
    shown = " ".join(
        [" ".join(span.get_text().split()) for span in page.select("span.checked")]
        + [" ".join(img.get("alt", "").split()) for img in page.select("img")]
    ).translate(PLAIN)
    for match in roles(chapter):
        # the sentence's own words (glued values, links and mathematics aside) are what the page shows
        # (the words between the roles and the mathematics, which the page renders its own way)
        words = [w for w in re.split(r"\{[\w:.-]+\}`[^`]*`|\$[^$]+\$", match["text"]) if w.strip()]
        for piece in words:
            piece = " ".join(piece.replace("*", "").replace("`", "").split())
            assert piece in shown, f"{chapter}: <{match['name']}> {piece!r} is not on the page"
        assert f"<{match['name']}>" not in page.get_text()


def test_the_colab_notebook_shows_the_plain_sentences(chapter):
    notebook = nbformat.read(BUILD / "notebooks" / f"{chapter}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "{checked}" not in text
    for match in roles(chapter):
        assert f"<{match['name']}>" not in text
