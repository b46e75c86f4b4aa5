"""Citation and metadata: CITATION.cff validates and matches the release; the How-to-cite page is
generated from it; Open Graph metadata and a sitemap exist; licences and MNIST credit appear."""

import re
import subprocess
import sys
from pathlib import Path

import colab
import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


def test_citation_cff_validates_and_matches_the_release():
    cffconvert = Path(sys.executable).parent / "cffconvert"
    result = subprocess.run(
        [cffconvert, "--validate", "-i", ROOT / "CITATION.cff"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    import dlbook

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(citation["version"]) == dlbook.__version__
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert citation["url"] == config["html"]["baseurl"]
    assert citation["repository-code"] == config["repository"]["url"]


def test_zenodo_metadata_agrees_with_citation_cff():
    """Zenodo's GitHub integration reads .zenodo.json when a release is made (the DOI's record):
    every field cffconvert derives from CITATION.cff must be the same there, and the record points
    at the repository and the site CITATION.cff names."""
    import json

    cffconvert = Path(sys.executable).parent / "cffconvert"
    result = subprocess.run(
        [cffconvert, "-f", "zenodo", "-i", ROOT / "CITATION.cff"], capture_output=True, text=True, check=True
    )
    derived = json.loads(result.stdout)
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    assert {"title", "version", "license", "creators"} <= set(derived)
    for field, value in derived.items():
        assert zenodo.get(field) == value, f".zenodo.json {field} differs from CITATION.cff"
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert {r["identifier"] for r in zenodo["related_identifiers"]} == {
        citation["repository-code"],
        citation["url"],
    }
    assert zenodo["upload_type"] == "publication" and zenodo["publication_type"] == "book"


@pytest.mark.book
def test_how_to_cite_page_shows_the_generated_bibtex():
    text = BeautifulSoup((SITE / "book/citing.html").read_text(), "html.parser").get_text()
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert "@misc{dlbook," in text
    assert citation["title"] in text
    version = re.escape(str(citation["version"]))
    assert re.search(r"version\s*=\s*\{" + version + r"\}", text), "the BibTeX entry names the release"
    # the chapter example and the release's own addresses come from CITATION.cff, not typed
    release_url = f"{citation['url']}v{citation['version']}/"
    assert re.search(r"url\s*=\s*\{" + re.escape(release_url) + r"\}", text), "BibTeX cites the release's URL"
    assert f"version {citation['version']}. {release_url}book/training.html" in " ".join(text.split())
    assert f"{release_url}book/evaluation.html#fig-confusion-matrix" in text
    assert "{{" not in text


@pytest.mark.book
def test_instructors_page_names_this_release():
    text = BeautifulSoup((SITE / "book/instructors.html").read_text(), "html.parser").get_text()
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert f"TAG is v{citation['version']} and REPOSITORY is {citation['repository-code']}" in " ".join(
        text.split()
    )


@pytest.mark.book
def test_pages_have_open_graph_metadata_licence_and_mnist_credit(book_page):
    html = BeautifulSoup((SITE / f"{book_page}.html").read_text(), "html.parser")
    og = {m["property"]: m.get("content", "") for m in html.find_all("meta", property=True)}
    assert og.get("og:title") and og.get("og:url", "").startswith("https://")
    footer = html.select_one("footer.bd-footer-content").get_text(" ", strip=True)
    assert "CC BY 4.0" in footer and "MIT" in footer and "CC BY-SA 3.0" in footer and "LeCun" in footer


@pytest.mark.book
def test_sitemap_lists_every_page():
    sitemap = (SITE / "sitemap.xml").read_text()
    for name in colab.toc_pages(ROOT):
        assert f"{name}.html" in sitemap, name


@pytest.mark.book
def test_figures_are_numbered_with_stable_anchors():
    html = BeautifulSoup((SITE / "book/training.html").read_text(), "html.parser")
    figure = html.find(id="fig-reference-curves")
    first_part = colab.toc_parts(ROOT)[1]
    number = first_part.index("book/training") + 1  # chapters are numbered in reading order
    assert figure is not None and f"Fig. {number}.1" in figure.get_text()
    assert html.find(id="ch-training") is not None  # the label readers and instructors link to
