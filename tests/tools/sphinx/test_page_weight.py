"""booktools.sphinx.page_weight: icons as inline SVG, formulas typeset at build time, figures sized and
lazy, no search scripts where no search runs, the root redirect with an icon; then the built site."""

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from booktools import project
from booktools.sphinx import page_weight

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "_build" / "html"


# --- icons ---------------------------------------------------------------------------------------


def test_the_icons_of_the_theme_are_read_from_its_fontawesome_script():
    table = page_weight.icon_table()
    for name in ("magnifying-glass", "sun", "moon", "circle-half-stroke", "rocket", "download", "bars"):
        width, height, path = table["fas"][name]
        assert height == 512 and 0 < width <= 640 and path.startswith("M")
    assert table["fas"]["search"] == table["fas"]["magnifying-glass"]  # an alias
    assert "github" in table["fab"] and "github" not in table["fas"]


def test_an_icon_becomes_the_svg_fontawesome_would_make_keeping_its_classes_and_attributes():
    svg = page_weight.icon_svg(
        'class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" aria-hidden="true"'
    )
    assert svg.startswith('<svg class="svg-inline--fa fa-sun theme-switch fa-lg" data-mode="light"')
    assert 'aria-hidden="true"' in svg and 'viewBox="0 0 512 512"' in svg
    assert 'fill="currentColor"' in svg  # drawn in the text's colour, light and dark
    assert 'data-prefix="fab"' in page_weight.icon_svg('class="fab fa-github"')


def test_an_icon_the_theme_does_not_have_fails_the_build():
    with pytest.raises(ValueError, match="fa-no-such-icon"):
        page_weight.icon_svg('class="fa-solid fa-no-such-icon"')


def test_a_page_loses_the_fontawesome_script_and_keeps_its_icons():
    page = (
        '<head><script defer src="../_static/scripts/fontawesome.js?digest=1"></script></head>'
        '<button aria-label="Search"><i class="fa-solid fa-magnifying-glass"></i></button>'
        "<p>fa-solid in prose <i>stays</i></p>"
    )
    out = page_weight.inline_icons(page)
    assert "fontawesome.js" not in out and "<i class" not in out
    assert '<button aria-label="Search"><svg class="svg-inline--fa fa-magnifying-glass"' in out
    assert "<i>stays</i>" in out
    menu = page_weight.inline_icons('<button title="Menu"><span class="fa-solid fa-bars"></span></button>')
    assert menu.startswith('<button title="Menu"><svg class="svg-inline--fa fa-bars"')  # a <span> too
    assert page_weight.inline_icons(out) == out  # a page written earlier is left as it is


def test_search_scripts_are_dropped():
    page = (
        '<script src="../_static/searchtools.js"></script>\n<script src="../searchindex.js"></script><p>x</p>'
    )
    assert page_weight.drop_search_scripts(page) == "<p>x</p>"


# --- formulas -------------------------------------------------------------------------------------


def test_display_formulas_are_written_as_sphinx_writes_them_for_mathjax():
    block = lambda text, **kw: SimpleNamespace(astext=lambda: text, get=kw.get)  # noqa: E731
    assert page_weight.display_tex(block("a = b")) == "a = b"
    assert page_weight.display_tex(block(r"a \\ b")) == r"\begin{split}a \\ b\end{split}"
    assert page_weight.display_tex(block("a\n\nb")).startswith(r"\begin{align}\begin{aligned}a\\b")
    assert (
        page_weight.display_tex(block(r"\begin{align}x\end{align}", nowrap=True))
        == r"\begin{align}x\end{align}"
    )


@pytest.fixture
def renderer(tmp_path):
    if shutil.which("node") is None or not (page_weight.MATH_DIR / "node_modules").is_dir():
        pytest.fail("Node.js and tools/math/node_modules are needed: run `make book`.")
    return page_weight.MathRenderer(tmp_path / "math.json")


def test_formulas_become_svg_with_mathml_for_screen_readers_and_are_cached(renderer, tmp_path):
    inline = renderer(r"\sigma(z) = 1 / (1 + e^{-z})", False)
    assert inline.startswith('<mjx-container class="MathJax" jax="SVG"')
    assert 'aria-hidden="true"' in inline and "<mjx-assistive-mml" in inline and "<math" in inline
    assert 'fill="currentColor"' in inline and " id=" not in inline  # no ids to clash on a page
    assert 'display="true"' in renderer(r"\frac{a}{b}", True)
    assert "mjx-container" in renderer.css
    again = page_weight.MathRenderer(tmp_path / "math.json")
    assert again.svg == renderer.svg and again.css == renderer.css  # no Node for known formulas


def test_a_formula_mathjax_cannot_read_fails_with_its_tex(renderer):
    with pytest.raises(RuntimeError, match=r"Missing close brace"):
        renderer(r"\frac{1", False)


# --- figures --------------------------------------------------------------------------------------


def plot_png(path: Path, size=(400, 200)) -> Path:
    """A line plot's worth of flat colours and edges, as matplotlib draws them."""
    pixels = np.full((size[1], size[0], 3), 255, np.uint8)
    pixels[size[1] // 2 : size[1] // 2 + 3, :] = (31, 119, 180)
    pixels[:, 20:22] = 0
    Image.fromarray(pixels).save(path)
    return path


def test_figures_get_their_size_a_smaller_webp_and_lazy_loading_below_the_first_screen(tmp_path):
    (tmp_path / "_images").mkdir()
    (tmp_path / "book").mkdir()
    plot_png(tmp_path / "_images" / "a.png")
    plot_png(tmp_path / "_images" / "b.png")
    page = (
        '<article><p>Intro</p><img alt="first" height="100" src="../_images/a.png" width="200" />'
        f'<p>{"Prose. " * 200}</p><img alt="second" src="../_images/b.png" />'
        '<img alt="elsewhere" src="https://example.org/x.png"></article>'
    )
    out = page_weight.right_size_images(page, tmp_path / "book" / "page.html")
    first, second = re.findall(r"<img [^>]*>", out)[:2]
    assert 'width="200"' in first and 'height="100"' in first and 'decoding="async"' in first
    assert "loading" not in first  # in the first screen: it may be the largest paint
    assert 'width="400"' in second and 'height="200"' in second and 'loading="lazy"' in second
    assert out.count('<source type="image/webp" srcset="../_images/') == 2
    assert (tmp_path / "_images" / "a.webp").stat().st_size < (tmp_path / "_images" / "a.png").stat().st_size
    with (
        Image.open(tmp_path / "_images" / "a.webp") as webp,
        Image.open(tmp_path / "_images" / "a.png") as png,
    ):
        assert webp.size == png.size
        assert np.array_equal(np.asarray(webp.convert("RGB")), np.asarray(png.convert("RGB")))  # lossless
    assert '<img alt="elsewhere" src="https://example.org/x.png">' in out
    assert page_weight.right_size_images(out, tmp_path / "book" / "page.html") == out


def test_a_size_in_the_style_becomes_the_attributes_so_a_narrow_screen_keeps_the_proportions(tmp_path):
    plot_png(tmp_path / "c.png", size=(400, 200))
    page = '<img alt="c" src="c.png" style="width: 200px; height: 100px;" width="400" height="200" />'
    out = page_weight.right_size_images(page, tmp_path / "page.html")
    assert "style=" not in out and 'width="200"' in out and 'height="100"' in out
    page = '<img alt="c" src="c.png" style="border: 1px solid; height: 100px" />'
    out = page_weight.right_size_images(page, tmp_path / "page.html")
    assert 'style="border: 1px solid;"' in out and 'height="100"' in out and 'width="200"' in out


def test_the_root_redirect_names_the_site_icon(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.html").write_text("<html></html>")
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html" />\n')
    config = SimpleNamespace(
        root_doc="book/index", html_favicon="book/images/favicon.svg", language="en",
        html_title="A <book>", project="p", html_baseurl="https://example.org/site/",
    )  # fmt: skip
    page_weight.write_redirect(SimpleNamespace(outdir=str(tmp_path), config=config))
    page = (tmp_path / "index.html").read_text()
    assert '<link rel="icon" href="_static/favicon.svg">' in page
    assert '<meta http-equiv="Refresh" content="0; url=book/index.html">' in page
    assert "<title>A &lt;book&gt;</title>" in page and '<html lang="en">' in page


# --- stylesheets ----------------------------------------------------------------------------------


def test_the_heads_stylesheets_become_one_file_in_their_order_with_their_urls_rebased(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (tmp_path / "book").mkdir()
    (static / "basic.css").write_text("p{margin:0}\n")
    (static / "styles" / "theme.css").write_text('@import "../basic.css";\n')
    (static / "styles" / "pst.css").write_text(
        '@font-face{src:url(../vendor/fa.woff) format("woff")}'
        ".a{background:url(\"data:image/svg+xml;x='1'\")}"
        ".b{background:url('icons/x.svg?v=2#i')}\n/*# sourceMappingURL=pst.css.map*/"
    )
    (static / "book.css").write_text(".c{color:red}")
    (static / "documentation_options.js").write_text("const DOCUMENTATION_OPTIONS = {};\n")
    page = (
        '<html><head>\n<noscript><link rel="stylesheet" href="../_static/noscript.css" /></noscript>\n'
        '  <link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />\n'
        '<link href="../_static/styles/pst.css?digest=1" rel="stylesheet" />\n'
        '    <link rel="stylesheet" type="text/css" href="../_static/book.css?v=3" />\n'
        '<script src="../_static/documentation_options.js?v=1"></script>\n'
        '</head><body><link rel="stylesheet" href="../_static/late.css" /></body></html>'
    )
    bundles = {}
    out = page_weight.bundle_stylesheets(page, tmp_path / "book" / "a.html", tmp_path, bundles)
    ((name, sources),) = bundles.items()
    assert sources == ["styles/theme.css", "styles/pst.css", "book.css"]
    links = re.findall(r"<link [^>]*>", out)
    assert (
        links[1] == f'<link rel="stylesheet" href="../_static/{name}" data-sources="{" ".join(sources)}" />'
    )
    assert "noscript.css" in links[0] and "late.css" in links[2] and len(links) == 3  # left as they were
    assert (
        "<script>const DOCUMENTATION_OPTIONS = {};</script>" in out and "documentation_options.js" not in out
    )
    page_weight.write_bundles(static, bundles)
    css = (static / name).read_text()
    assert css.index("p{margin:0}") < css.index("@font-face") < css.index(".c{color:red}")  # the cascade kept
    assert 'url("vendor/fa.woff")' in css and 'url("styles/icons/x.svg?v=2#i")' in css
    assert (
        "url(\"data:image/svg+xml;x='1'\")" in css and "sourceMappingURL" not in css and "@import" not in css
    )
    # a page written by an earlier build is left alone, and its bundle is joined again
    again = {}
    assert page_weight.bundle_stylesheets(out, tmp_path / "book" / "a.html", tmp_path, again) == out
    assert again == bundles
    (static / "book.css").write_text(".c{color:blue}")
    page_weight.write_bundles(static, again)
    assert ".c{color:blue}" in (static / name).read_text()
    (static / "book.css").unlink()
    with pytest.raises(FileNotFoundError, match="book.css"):
        page_weight.write_bundles(static, again)


def test_a_stylesheet_from_elsewhere_leaves_the_head_as_the_theme_wrote_it(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "a.css").write_text("a{}")
    page = (
        '<head><link rel="stylesheet" href="_static/a.css" />'
        '<link rel="stylesheet" href="https://cdn.example.org/b.css" /></head>'
    )
    bundles = {}
    assert (
        page_weight.bundle_stylesheets(page, tmp_path / "p.html", tmp_path, bundles) == page and not bundles
    )


# --- the built site -------------------------------------------------------------------------------


@pytest.mark.book
@pytest.mark.parametrize("name", project.toc_pages(ROOT))
def test_built_pages_carry_no_icon_library_no_mathjax_and_sized_images(name):
    path = SITE / f"{name}.html"
    if not path.exists():
        pytest.fail("build the book first (make book)")
    page = path.read_text()
    assert "fontawesome.js" not in page
    assert not re.search(r'<(i|span) class="(?:[^"]*\s)?fa[srb]?-', page)  # every icon drawn inline
    assert not re.search(r"<script[^>]*mathjax", page, re.I)
    assert "searchindex.js" not in page
    # one stylesheet holds up the first paint, not nine, and it is there
    links = re.findall(r'<link rel="stylesheet" href="\.\./_static/(dlbook-styles-\w+\.css)"', page)
    assert len(links) == 1 and (SITE / "_static" / links[0]).stat().st_size > 100_000, links
    head = page[: page.index("</head>")]
    assert (
        len(
            re.findall(
                r'<link\b[^>]*rel="stylesheet"', re.sub(r"<noscript>.*?</noscript>", "", head, flags=re.S)
            )
        )
        == 1
    )
    for tag in re.findall(r"<img\s[^>]*>", page):
        assert re.search(r'\bwidth="\d+"', tag) and re.search(r'\bheight="\d+"', tag), tag
        assert 'decoding="async"' in tag, tag


@pytest.mark.book
def test_the_site_root_has_an_icon_and_formulas_are_typeset():
    assert '<link rel="icon" href="_static/favicon.svg">' in (SITE / "index.html").read_text()
    assert (SITE / "_static" / "favicon.svg").exists()
    page = (SITE / "book" / "dense-network.html").read_text()
    assert page.count('<mjx-container class="MathJax" jax="SVG"') >= 10
    assert "mjx-assistive-mml" in page  # the style for MathJax's hidden MathML is in the head
    assert "searchindex.js" in (SITE / "search.html").read_text()  # the search page still searches
