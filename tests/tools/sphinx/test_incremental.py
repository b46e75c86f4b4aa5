"""booktools.sphinx: a page that pastes another chapter's values is rebuilt with it; an
incremental build keeps every page in the sitemap, and takes a label moved from one page to another."""

from pathlib import Path
from types import SimpleNamespace

from booktools.sphinx import incremental as sphinx_extension

ROOT = Path(__file__).resolve().parents[3]


def test_a_page_that_pastes_from_a_chapter_is_read_again_when_that_chapter_is(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    for name in ("first", "second", "third"):
        (book / f"{name}.md").write_text(f"# {name}\n")
    (book / "third.md").write_text(
        "A {glue:text}`first.md::acc:.1%` and {glue:text}`/book/second.ipynb::n:,d`,"
        " and {glue:text}`own:.1%`.\n"
    )
    assert sphinx_extension.pasted_from("book/third", (book / "third.md").read_text(), tmp_path) == {
        "book/first",
        "book/second",
    }
    env = SimpleNamespace(
        found_docs={"book/first", "book/second", "book/third"}, doc2path=lambda d: tmp_path / f"{d}.md"
    )
    app = SimpleNamespace(srcdir=str(tmp_path))
    assert sphinx_extension._pasting_pages(app, env, set(), {"book/first"}, set()) == ["book/third"]
    assert sphinx_extension._pasting_pages(app, env, set(), {"book/third"}, set()) == []  # read anyway
    assert sphinx_extension._pasting_pages(app, env, set(), set(), set()) == []


def test_the_books_pastes_name_real_chapters():
    for page in sorted((ROOT / "book").glob("*.md")):
        docname = f"book/{page.stem}"
        for other in sphinx_extension.pasted_from(docname, page.read_text(), ROOT):
            assert (ROOT / f"{other}.md").is_file() and other != docname


def small_book(tmp_path, conf: str, pages: dict[str, str]):
    """A Sphinx project of reST pages (index.rst lists the others) and its incremental builder."""
    from sphinx.cmd.build import build_main

    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    (source / "conf.py").write_text("from booktools.sphinx import incremental as sphinx_extension\n" + conf)
    toctree = "".join(f"   {name}\n" for name in pages)
    (source / "index.rst").write_text(f"Book\n====\n\n.. toctree::\n\n{toctree}")
    for name, text in pages.items():
        (source / f"{name}.rst").write_text(text)
    return source, out, lambda: build_main(["-q", "-W", "-b", "html", str(source), str(out)])


def test_an_incremental_build_keeps_every_page_in_the_sitemap(tmp_path):
    conf = (
        "extensions = ['sphinx_sitemap']\n"
        "html_baseurl = 'https://example.org/book/'\n"
        "sitemap_url_scheme = '{link}'\n"
        "def setup(app):\n"
        "    app.connect('build-finished', sphinx_extension._whole_sitemap, priority=400)\n"
    )
    pages = {name: f"{name}\n{'=' * len(name)}\n\nText.\n" for name in ("first", "second")}
    source, out, build = small_book(tmp_path, conf, pages)

    def sitemap_after_build() -> str:
        assert build() == 0
        return (out / "sitemap.xml").read_text()

    every_page = ["index", *pages]
    assert all(f"https://example.org/book/{p}.html" in sitemap_after_build() for p in every_page)
    (source / "second.rst").write_text("second\n======\n\nChanged.\n")  # one page written again
    sitemap = sitemap_after_build()
    assert all(f"https://example.org/book/{p}.html" in sitemap for p in every_page), sitemap


def test_a_label_moved_to_an_earlier_page_does_not_fail_an_incremental_build(tmp_path):
    conf = (
        "def setup(app):\n"
        "    app.connect('env-before-read-docs', sphinx_extension._forget_pages_read_again)\n"
    )
    pages = {"alpha": "Alpha\n=====\n\nText.\n", "beta": ".. _moved:\n\nBeta\n====\n\nText.\n"}
    source, _, build = small_book(tmp_path, conf, pages)
    assert build() == 0
    # The label moves from beta to alpha, which Sphinx reads first (alphabetical order).
    (source / "alpha.rst").write_text(".. _moved:\n\nAlpha\n=====\n\nText.\n")
    (source / "beta.rst").write_text("Beta\n====\n\nText.\n")
    assert build() == 0
