"""The built book (_build/html): every chapter rendered its figures and glued values, no errors.

Run after `make book`; `make test` does both.
"""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .test_toc import ROOT, toc_files

BUILD = ROOT / "_build" / "html"
CHAPTERS = toc_files()[1:]

pytestmark = pytest.mark.book


def page(name: str) -> BeautifulSoup:
    path = BUILD / f"{name}.html"
    if not path.exists():
        pytest.fail(f"{path} is missing: build the book first (make book)")
    return BeautifulSoup(path.read_text(), "html.parser")


def source(name: str) -> str:
    return (ROOT / f"{name}.md").read_text()


def test_build_left_no_execution_reports():
    reports = BUILD / "reports"
    assert not reports.exists() or not any(reports.rglob("*.err.log"))


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_error_output(name):
    html = page(name)
    main = html.find("main")
    assert main is not None
    assert not main.select(".output.error, .output.traceback, .output.stderr")
    text = main.get_text()
    for marker in ("Traceback (most recent call last)", "Error:", "Warning:"):
        assert marker not in text, f"{name}: {marker!r} in the page"


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_glued_figure_is_rendered_with_alt_text(name):
    html = page(name)
    names = re.findall(r"```\{glue:figure\} \S+\n(?::[^\n]*\n)*?:name: (\S+)", source(name))
    assert names, f"{name} glues no figure"
    for fig_name in names:
        figure = html.find(id=fig_name)
        assert figure is not None, f"{name}: figure {fig_name} missing"
        img = figure.find("img")
        assert img is not None and img.get("alt", "").strip(), f"{name}: figure {fig_name} has no image/alt"
        assert (BUILD / Path(name).parent / img["src"]).resolve().exists()
        assert figure.find("figcaption") is not None and "Fig." in figure.find("figcaption").get_text()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_image_has_alt_text_and_exists(name):
    for img in page(name).find("main").find_all("img"):
        assert img.get("alt", "").strip(), f"{name}: image {img.get('src')} without alt text"
        assert (BUILD / Path(name).parent / img["src"]).resolve().exists(), img["src"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_glued_values_are_resolved(name):
    text = page(name).find("main").get_text()
    assert "{glue" not in text
    keys = set(re.findall(r"\{glue(?::text)?\}`([^`:]+)", source(name)))
    assert keys, f"{name} glues no number"


def test_tensors_chapter_states_the_real_facts():
    text = " ".join(page("book/tensors").find("main").get_text().split())
    assert "rank-3 tensor of shape (60000, 28, 28) and dtype uint8" in text
    assert "its label is 1" in text
    assert "The rarest digit in the training set is 5 with 5,421 images" in text
