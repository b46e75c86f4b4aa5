"""The built site in a real browser (Chromium driven by Playwright), served on localhost.

Every page: no console errors, no failed local requests, images loaded, zero serious or
critical axe-core violations. Navigation, the Colab and download buttons, search, dark mode
(with screenshots kept in _build/screenshots), copy buttons.
"""

import functools
import gzip
import http.server
import io
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright import sync_api as playwright  # a plain import: without playwright this fails, never skips

from booktools import project
from booktools.release import pdf as book_pdf

ROOT = Path(__file__).resolve().parents[1]

SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# Flags for a machine with no network: no background requests, no first-run dialogs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = pytest.mark.browser
SETTINGS = project.read_settings(ROOT, "full")


def chromium_path() -> str:
    """The browser the PDF is printed with (booktools.release.pdf looks for it, in one place)."""
    try:
        return book_pdf.chromium_path()
    except SystemExit as missing:
        pytest.fail(str(missing))


class Compressing(http.server.SimpleHTTPRequestHandler):
    """Serves text compressed, as GitHub Pages does, so transfer sizes are realistic; connections
    kept open (HTTP/1.1: a connection per request would charge every file a handshake in
    Lighthouse's simulation, tests/test_lighthouse.py)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        text = path.suffix in (".html", ".js", ".css", ".json", ".svg", ".txt", ".xml")
        if not (path.is_file() and text and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").exists():
        pytest.fail("build the book first (make book)")

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Compressing, directory=str(SITE))
    )
    server.daemon_threads = True  # kept-open connections do not hold up the shutdown
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A page in a fresh profile, recording console errors and failed local requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on(
        "console", lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: tab.problems.append(f"request failed: {r.url}"))
    tab.on(
        "response", lambda r: tab.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
    )
    yield tab
    context.close()


PAGES = [f"{name}.html" for name in project.toc_pages(ROOT)] + ["search.html", "genindex.html"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_passes_axe(page, base_url, path):
    page.goto(f"{base_url}/{path}", wait_until="networkidle")
    local = [p for p in page.problems if "127.0.0.1" in p or not p.startswith(("request failed", "HTTP"))]
    assert not local, local
    external = [p for p in page.problems if p.startswith(("request failed", "HTTP"))]
    assert not external, f"the site requests something outside itself: {external}"
    # Figures below the first screen load when they come near it (loading="lazy"): bring each
    # into view as a reader scrolling down would, then check it arrived.
    broken = page.evaluate(
        "async () => { for (const i of document.images) if (i.loading === 'lazy' && i.checkVisibility()) "
        "{ i.scrollIntoView(); await i.decode().catch(() => {}); } "
        "return [...document.images].filter(i => (i.loading !== 'lazy' || i.checkVisibility()) "
        "&& (!i.complete || i.naturalWidth === 0)).map(i => i.currentSrc || i.src) }"
    )
    assert not broken, broken
    no_alt = page.evaluate(
        "[...document.images].filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
    )
    assert not no_alt, no_alt
    page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"
    )
    assert not violations, violations


def test_next_links_walk_the_book_in_reading_order(page, base_url):
    order = project.toc_pages(ROOT)
    page.goto(f"{base_url}/{order[0]}.html")
    visited = [order[0]]
    while (link := page.query_selector("a.right-next")) is not None:
        link.click()
        page.wait_for_load_state()
        visited.append(urlparse(page.url).path.lstrip("/").removesuffix(".html"))
    assert visited == order
    page.query_selector("a.left-prev").click()
    page.wait_for_load_state()
    assert urlparse(page.url).path == f"/{order[-2]}.html"


def test_colab_and_download_buttons(page, base_url, chapter):
    page.goto(f"{base_url}/{chapter}.html")
    page.click("button[aria-label='Launch interactive content']")
    colab = page.locator("a[href*='colab.research.google.com']")
    assert colab.count() == 1 and colab.is_visible()
    assert colab.get_attribute("href") == SETTINGS.colab_url(chapter)  # this release's notebooks tag
    page.keyboard.press("Escape")
    page.click("button[aria-label='Download this page']")
    for suffix in (".ipynb", ".md", ".pdf (whole book)"):
        link = page.locator(f".dropdown-download-buttons a:has-text('{suffix}')")
        assert link.is_visible()
        response = page.request.get(f"{base_url}/{Path(chapter).parent}/{link.get_attribute('href')}")
        assert response.ok, suffix


def test_search_finds_the_evaluation_chapter(page, base_url):
    page.goto(f"{base_url}/search.html?q=confusion+matrix")
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    assert any("book/evaluation.html" in href for href in hits), hits


def test_code_cells_have_copy_buttons(page, base_url):
    page.goto(f"{base_url}/book/training.html")
    assert page.locator("button.copybtn").count() >= 5


def card_brightness(png: bytes) -> float:
    """Median brightness (0-255) of a figure's screenshot, a few pixels in from its edge (the
    outermost pixels can be the page behind it)."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)[3:-3, 3:-3]
    return float(np.median(pixels))


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_figures_stay_legible_and_screenshots(browser, base_url, mode):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in {"desktop": (1280, 900), "phone": (390, 844)}.items():
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=mode, device_scale_factor=1
        )
        page = context.new_page()
        page.add_init_script(
            f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}')"
        )
        page.goto(f"{base_url}/book/training.html", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        figure = page.locator("#fig-reference-curves img")
        figure.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"training-{mode}-{device}.png", full_page=False)
        # Every figure is a light card with dark ink, whatever the page's background (the dark
        # theme dims images a little, to about 80% brightness).
        assert card_brightness(figure.screenshot()) > 180, f"{mode}/{device}: figure not on a light card"
        if mode == "dark":
            assert background != "rgb(255, 255, 255)"
        if device == "phone":  # readable at phone width: the figure fits the screen, no sideways scroll
            box = figure.bounding_box()
            assert box["width"] <= viewport[0]
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
        context.close()


# --- the draw-a-digit page ------------------------------------------------------------------------

DRAW = "book/draw-a-digit.html"


def start_drawing(page):
    """Bring the pointer over the block, as a reader about to draw does: the page then fetches the
    network (booktools.sphinx.page_weight leaves it out of the page) and the block's script runs."""
    page.locator(".dlbook-draw__canvas").hover()
    page.wait_for_function("document.querySelector('[data-dlbook-draw]').dlbookDraw !== undefined")


def test_draw_page_model_matches_keras_on_x_test_11(page, base_url, mnist_arrays):
    page.goto(f"{base_url}/{DRAW}", wait_until="networkidle")
    start_drawing(page)
    widget = page.locator("[data-dlbook-draw]")
    check = widget.evaluate("el => el.dlbookDraw.check")
    assert check["index"] == 11 and check["label"] == 6
    # The embedded image really is x_test[11], as prepared in the book.
    pixels = widget.evaluate("el => el.dlbookDraw.checkPixels()")
    expected_pixels = mnist_arrays["x_test"][11].reshape(784) / 255
    assert max(abs(a - b) for a, b in zip(pixels, expected_pixels, strict=True)) < 1e-6
    in_page = widget.evaluate("el => el.dlbookDraw.predict(el.dlbookDraw.checkPixels())")
    keras_probabilities = check["probabilities"]
    assert max(range(10), key=lambda d: in_page[d]) == max(range(10), key=lambda d: keras_probabilities[d])
    assert max(abs(a - b) for a, b in zip(in_page, keras_probabilities, strict=True)) < 1e-4
    assert abs(sum(in_page) - 1) < 1e-6


def bar_heights(page) -> list[str]:
    return page.eval_on_selector_all(".dlbook-draw__bar", "bars => bars.map(b => b.style.height)")


def test_drawing_a_stroke_updates_the_chart(page, base_url):
    page.goto(f"{base_url}/{DRAW}", wait_until="networkidle")
    canvas = page.locator(".dlbook-draw__canvas")
    canvas.scroll_into_view_if_needed()
    before_text = page.inner_text(".dlbook-draw__text")
    before = bar_heights(page)
    box = canvas.bounding_box()
    # A "1": one vertical stroke through the middle, drawn with the page's own pointer events.
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 0.2 * box["height"])
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x + step * 0.3, box["y"] + (0.2 + 0.03 * step) * box["height"])
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('.dlbook-draw__text').textContent.startsWith('Prediction')"
    )
    after = bar_heights(page)
    assert after != before and any(h != "0%" for h in after)
    assert page.inner_text(".dlbook-draw__text") != before_text
    seen = page.evaluate(
        "() => { const c = document.querySelector('.dlbook-draw__input'); "
        "const d = c.getContext('2d').getImageData(0, 0, 28, 28).data; "
        "return Array.from(d).filter((v, i) => i % 4 == 0 && v < 128).length }"
    )
    assert seen > 10, "the 28 x 28 preview should show the preprocessed stroke"


def test_keyboard_users_can_pick_a_test_image(page, base_url):
    page.goto(f"{base_url}/{DRAW}", wait_until="networkidle")
    select = page.locator(".dlbook-draw__pick")
    select.focus()
    select.select_option(index=8)  # the first test image of digit 7 (options: (choose), 0, ..., 9)
    # the choice may come before the network has arrived: it is answered once it has
    page.wait_for_function(
        "document.querySelector('.dlbook-draw__text').textContent.startsWith('Prediction')"
    )
    text = page.inner_text(".dlbook-draw__text")
    assert text.startswith("Prediction: 7"), text
    assert page.get_attribute(".dlbook-draw__text", "aria-live") == "polite"


def test_draw_page_weight_is_under_2_mb(browser, base_url):
    """Bytes transferred to show the page, compressed as a static host such as GitHub Pages
    serves them (the uncompressed total is printed for the record)."""
    context = browser.new_context()
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda r: responses.append(r))
    page.goto(f"{base_url}/{DRAW}", wait_until="networkidle")
    transferred = sum(r.sizes()["responseBodySize"] for r in responses)
    uncompressed = sum(len(r.response().body()) for r in responses)
    hosts = {urlparse(r.url).hostname for r in responses}
    context.close()
    print(
        f"draw page: {transferred:,} bytes transferred, {uncompressed:,} uncompressed, "
        f"{len(responses)} requests"
    )
    assert hosts == {"127.0.0.1"}, f"everything must ship with the site; also requested: {hosts}"
    assert transferred < 2_000_000, f"{transferred:,} bytes"


@pytest.fixture(scope="module")
def draw_block(mnist_arrays):
    """A draw-a-digit block made outside the book, from a small untrained network."""
    import keras

    from dlbook import draw

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    images = (mnist_arrays["x_test"][:200].reshape(-1, 784) / 255).astype("float32")
    return draw.widget(model, images, mnist_arrays["y_test"][:200])


def test_the_draw_block_finds_itself_by_its_id_wherever_its_script_runs(browser, draw_block):
    """Colab and JupyterLab may run an output's scripts away from the output's elements: here
    the scripts are re-created at the end of the page, outside the block, as such a front end
    would, next to another block on the same page."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<main><div id="other" class="dlbook-draw"></div><div id="cell-output"></div></main>')
    page.evaluate(
        """html => {
        const out = document.getElementById("cell-output");
        out.innerHTML = html;  // scripts inserted this way do not run...
        for (const old of Array.from(out.querySelectorAll("script"))) {
            const script = document.createElement("script");  // ...so the front end re-creates them
            for (const attribute of old.attributes) script.setAttribute(attribute.name, attribute.value);
            script.textContent = old.textContent;
            if (old.type === "application/json") {
                old.replaceWith(script);
            } else {
                old.remove();
                document.body.append(script);
            }
        }
    }""",
        draw_block._repr_html_(),
    )
    block = page.locator(f"#{draw_block.id}")
    assert page.locator(f"#{draw_block.id} .dlbook-draw__nojs").count() == 0, "the no-JavaScript line stays"
    page.locator(f"#{draw_block.id} .dlbook-draw__pick").select_option(index=1)
    assert block.locator(".dlbook-draw__text").inner_text().startswith("Prediction:")
    assert page.locator("#other").inner_html() == ""
    context.close()


def test_without_javascript_the_draw_block_says_so(browser, base_url, draw_block):
    from dlbook import draw

    assert repr(draw_block) == draw.NO_JAVASCRIPT  # what a text-only front end prints
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/{DRAW}")
    assert page.locator(".dlbook-draw__nojs").inner_text() == draw.NO_JAVASCRIPT
    context.close()


def test_the_page_prepares_a_drawing_as_mnist_was_prepared(browser, draw_block, mnist_arrays):
    """Draw test digits on the canvas at ten times their size (as the keyboard choice does) and
    run the page's own preprocessing: MNIST digits are already scaled and centred, so the 28 x 28
    input must come back as the digit, within a few grey levels."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f"<main>{draw_block._repr_html_()}</main>")
    block = page.locator(f"#{draw_block.id}")
    labels = mnist_arrays["y_test"][:200]
    worst = {}
    for choice in range(1, 11):  # options: (choose), then the first test image of 0, 1, ..., 9
        block.locator(".dlbook-draw__pick").select_option(index=choice)
        digit = choice - 1
        expected = mnist_arrays["x_test"][int((labels == digit).argmax())].reshape(784) / 255
        got = block.evaluate("el => Array.from(el.dlbookDraw.preprocess())")
        worst[digit] = max(abs(a - b) for a, b in zip(got, expected, strict=True)) * 255
    context.close()
    print(f"largest difference per digit, in grey levels: {worst}")
    assert max(worst.values()) <= 4, worst


# --- two releases side by side ------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """The versioned site of this build published after an earlier release, v0.0.9: the same
    build, archived as the release job archives it, with its release named v0.0.9 throughout (the
    current commit built as two versions). Served on localhost; yields (base URL, this release)."""
    import json
    import zipfile

    from booktools.release import assets as release_assets

    latest = project.read_settings(ROOT, "full").helper_ref
    work = tmp_path_factory.mktemp("releases")
    previous = work / "previous"
    previous.mkdir()
    for part, folder in (("html", SITE), ("student-html", ROOT / "_build/student/_build/html")):
        name = f"first-network-v0.0.9-{part}"
        with zipfile.ZipFile(previous / f"{name}.zip", "w") as bundle:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                data = path.read_bytes()
                if path.suffix == ".html" or path.name == "documentation_options.js":
                    data = data.replace(latest.encode(), b"v0.0.9")
                bundle.writestr(f"{name}/{path.relative_to(folder).as_posix()}", data)
    site = release_assets.site(work / "site", previous)
    assert json.loads((site / "versions.json").read_text())[0]["version"] == latest

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", latest
    server.shutdown()
    server.server_close()


def switcher(page) -> tuple[str, list[tuple[str, str]]]:
    """The version menu: its button's text, and (name, link) of each entry."""
    page.wait_for_function(
        "document.querySelectorAll('.version-switcher__menu a').length > 0", timeout=10_000
    )
    button = page.inner_text(".version-switcher__button").strip()
    entries = page.eval_on_selector_all(
        ".version-switcher__menu a", "links => links.map(a => [a.innerText.trim(), a.getAttribute('href')])"
    )
    return button, [tuple(e) for e in entries]


def test_an_older_release_has_the_switcher_a_banner_and_its_own_colab_notebooks(page, two_releases):
    base, latest = two_releases
    site = project.read_settings(ROOT, "full").site_url
    page.goto(f"{base}/v0.0.9/book/training.html", wait_until="networkidle")
    button, entries = switcher(page)
    assert button == "v0.0.9"
    # each entry opens the same page in that release
    page_path = "book/training.html"
    assert entries == [
        (f"{latest} (latest)", f"{site}{latest}/{page_path}"),
        ("v0.0.9", f"{site}v0.0.9/{page_path}"),
    ]
    banner = page.wait_for_selector("#bd-header-version-warning:not(.d-none)", timeout=10_000)
    assert "old version" in banner.inner_text() or "older version" in banner.inner_text()
    links = [a.get_attribute("href") for a in banner.query_selector_all("a")]
    assert f"{site}{latest}/book/training.html" in links  # to the same page of the newest release
    colab_links = page.eval_on_selector_all("a[href*='colab.research.google.com']", "a => a.map(x => x.href)")
    assert colab_links and all("/blob/notebooks-v0.0.9/book/" in link for link in colab_links)
    assert not [p for p in page.problems if "127.0.0.1" in p], page.problems


def test_the_newest_release_has_no_banner_and_opens_its_own_notebooks(page, two_releases):
    base, latest = two_releases
    for path in ("book/training.html", f"{latest}/book/training.html"):
        page.goto(f"{base}/{path}", wait_until="networkidle")
        button, entries = switcher(page)
        assert button == f"{latest} (latest)" and len(entries) == 2
        assert page.query_selector("#bd-header-version-warning:not(.d-none)") is None
        colab_links = page.eval_on_selector_all(
            "a[href*='colab.research.google.com']", "a => a.map(x => x.href)"
        )
        assert colab_links and all(f"/blob/notebooks-{latest}/book/" in link for link in colab_links)
    page.goto(f"{base}/v0.0.9/student/book/training.html", wait_until="networkidle")
    button, entries = switcher(page)  # the student edition switches between student editions
    assert button == "v0.0.9" and all(url.endswith("/student/book/training.html") for _, url in entries)
    colab_links = page.eval_on_selector_all("a[href*='colab.research.google.com']", "a => a.map(x => x.href)")
    assert colab_links and all("/blob/notebooks-v0.0.9/student/book/" in link for link in colab_links)
