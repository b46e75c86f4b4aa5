"""Citation and metadata: CITATION.cff validates and matches the release; the How-to-cite page is
generated from it; Open Graph metadata and a sitemap exist; licences and MNIST credit appear."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from booktools import project
from booktools.release import citation

ROOT = Path(__file__).resolve().parents[3]
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


def test_zenodo_metadata_is_generated_from_citation_cff():
    """Zenodo's GitHub integration reads .zenodo.json when a release is made (the DOI's record):
    it is written from CITATION.cff (booktools citation zenodo), never edited by hand, and says
    what CITATION.cff cannot: a book, with the repository and the site as related works."""
    import json

    assert (ROOT / ".zenodo.json").read_text() == citation.zenodo_text(), (
        "CITATION.cff changed: run `booktools citation zenodo` and commit .zenodo.json"
    )
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    cff = project.citation()
    assert zenodo["version"] == str(cff["version"]) and zenodo["title"] == cff["title"]
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert {r["identifier"] for r in zenodo["related_identifiers"]} == {
        cff["repository-code"],
        cff["url"],
        *(r["repository-code"] for r in cff["references"]),
    }
    assert zenodo["upload_type"] == "publication" and zenodo["publication_type"] == "book"


def parse_bibtex(text: str):
    from pybtex.database import parse_string

    entries = parse_string(text, "bibtex").entries
    assert len(entries) == 1
    return next(iter(entries.values()))


def cff_with_authors(tmp_path, authors: list[dict]) -> Path:
    cff = {**project.citation(), "authors": authors}
    path = tmp_path / "CITATION.cff"
    path.write_text(yaml.safe_dump(cff, sort_keys=False))
    return path


def test_bibtex_reads_the_organisation_as_one_author_and_cites_the_release():
    entry = parse_bibtex(citation.bibtex())
    cff = project.citation()
    (author,) = entry.persons["author"]
    # BibTeX would read an unbraced "The dlbook authors" as first names "The dlbook", last "authors"
    assert author.first_names == [] and author.last_names == ["{" + cff["authors"][0]["name"] + "}"]
    assert entry.fields["version"] == str(cff["version"])
    assert entry.fields["url"] == f"{cff['url']}v{cff['version']}/"
    assert entry.fields["title"] == cff["title"] and entry.fields["year"] == str(cff["date-released"])[:4]


def test_real_names_in_citation_cff_alone_reach_every_citation(tmp_path):
    path = cff_with_authors(
        tmp_path,
        [
            {
                "given-names": "Ada",
                "family-names": "Lovelace",
                "orcid": "https://orcid.org/0000-0002-1825-0097",
            },
            {"given-names": "Ludwig", "name-particle": "van", "family-names": "Beethoven"},
            {"name": "The dlbook authors"},
        ],
    )
    people = parse_bibtex(citation.bibtex(path)).persons["author"]
    assert [(p.first_names, p.prelast_names, p.last_names) for p in people] == [
        (["Ada"], [], ["Lovelace"]),
        (["Ludwig"], ["van"], ["Beethoven"]),
        ([], [], ["{The dlbook authors}"]),
    ]
    assert citation.plain(path).startswith("Lovelace A., van Beethoven L., The dlbook authors (")
    assert [c["name"] for c in citation.zenodo(path)["creators"]] == [
        "Lovelace, Ada",
        "van Beethoven, Ludwig",
        "The dlbook authors",
    ]


def test_the_source_the_book_follows_is_credited_from_citation_cff():
    """The blog post's notebooks: a reference in CITATION.cff (GitHub's "Cite this repository"
    lists it), named on the first chapter and the How-to-cite page through the same fact."""
    (source,) = project.citation()["references"]
    assert source["authors"] == [{"family-names": "Torres", "given-names": "Jordi"}]
    url = source["repository-code"]
    assert project.facts()["source_link"] == f"[DEEP-LEARNING-practical-introduction-with-Keras]({url})"
    for page in ("book/first-program.md", "book/citing.md"):
        text = (ROOT / page).read_text()
        assert "Jordi Torres" in text and "{{ source_link }}" in text, page
        assert url not in text, f"{page} types the address instead of citing the fact"


def test_plain_citation_gives_the_releases_own_address():
    cff = project.citation()
    text = citation.plain()
    assert text.endswith(f"URL: {cff['url']}v{cff['version']}/")
    assert f"(version {cff['version']})" in text


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
    assert f"URL: {release_url}" in text, "the plain-text citation cites the release's URL"
    assert "author = {{" in text, "the organisation is braced as one author"
    assert "{{" not in text.replace("author = {{", "")


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
    for name in project.toc_pages(ROOT):
        assert f"{name}.html" in sitemap, name


@pytest.mark.book
def test_figures_are_numbered_with_stable_anchors():
    html = BeautifulSoup((SITE / "book/training.html").read_text(), "html.parser")
    figure = html.find(id="fig-reference-curves")
    first_part = project.toc_parts(ROOT)[1]
    number = first_part.index("book/training") + 1  # chapters are numbered in reading order
    assert figure is not None and f"Fig. {number}.1" in figure.get_text()
    assert html.find(id="ch-training") is not None  # the label readers and instructors link to


def test_no_page_types_the_books_own_addresses():
    """The repository and the site live in CITATION.cff; pages name them through substitutions
    (``{{ repository }}``, ``{{ readme_link }}``, ``{{ site_url }}``), which the Colab converter
    resolves too, so a moved repository changes one file."""
    cff = project.citation()
    assert project.facts()["readme_link"] == f"[README]({cff['repository-code'].rstrip('/')}#readme)"
    addresses = {cff["repository-code"].rstrip("/"), cff["url"].rstrip("/")}
    for page in sorted((ROOT / "book").glob("*.md")):
        text = page.read_text()
        typed = [a for a in addresses if a in text]
        assert not typed, f"{page.name} types {typed}: use the substitution"
