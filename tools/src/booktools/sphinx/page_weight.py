"""Pages that load fast on a phone: what the site sends on load, cut to what a page uses.

Loaded by ``booktools.sphinx.setup``. Measured with Lighthouse's mobile preset
(tests/test_lighthouse.py); each part below removes something that cost time on a slow phone:

**Icons.** pydata-sphinx-theme loads Font Awesome's whole ``fontawesome.js`` (1.5 MB) on every
page to turn a dozen ``<i class="fa-...">`` into SVG. Here the build does that instead: every
such ``<i>`` in a written page becomes the very ``<svg>`` the script would have made (the icon's
path read from the theme's own ``fontawesome.js``, so the icons follow the theme's version), with
Font Awesome's few ``.svg-inline--fa`` rules inlined in the page's head, and the script is left
out. An icon a script adds later (the close button of an older release's banner) is drawn by the
theme's Font Awesome web font, which its stylesheet already declares.

**Formulas.** Instead of MathJax in the browser (1.1 MB of script, plus its fonts), formulas are
typeset when the book is built, by MathJax itself on Node.js (``tools/math/tex2svg.js``): each
becomes an SVG drawn in the text's colour, with MathJax's hidden MathML beside it for screen
readers. Pages without mathematics get nothing; pages with it get 2 KB of CSS inlined. The SVGs
are kept in ``_build/math-svg.json``, keyed by the TeX, so a rebuild runs Node only for new
formulas.

**Search scripts.** The theme loads Sphinx's search scripts and the whole search index on every
page, blocking its first paint, for a search-as-you-type this book does not turn on: they stay on
the search page alone (the search button opens a form that goes there).

**Figures.** Every image of ``_images/`` gets its ``width`` and ``height`` (nothing shifts as it
loads), ``decoding="async"``, and, past the first figure of a page, ``loading="lazy"``. A figure
drawn at twice the screen's resolution also gets a copy at half the size, offered with ``srcset``
(1x for ordinary screens, 2x for sharp ones), and a WebP copy when that is smaller. The CSS in
``_static/dlbook.css`` keeps every image's proportions at any width.

**Icon link.** The root ``index.html``, the redirect to the landing page, becomes a small HTML page
with the site's icon, so a browser asks for no ``/favicon.ico``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes

from booktools.project import ROOT

MATH_DIR = ROOT / "tools" / "math"
MATH_RENDERER = "dlbook_svg"
MATH_CACHE = "math-svg.json"  # in the build folder (_build/), beside the doctrees

# --- icons ---------------------------------------------------------------------------------------

# Font Awesome's style classes and the pack each names; every other class stays on the icon.
PACKS = {"fa-solid": "fas", "fas": "fas", "fa": "fas", "fa-regular": "far", "far": "far",
         "fa-brands": "fab", "fab": "fab"}  # fmt: skip
ICON_ENTRY = re.compile(
    r'(?:"([a-z0-9-]+)"|\b([a-z0-9]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+","([^"]+)"\]'
)
# An <i> or <span> with Font Awesome classes and nothing inside: what the theme's templates write.
ICON_TAG = re.compile(
    r'<(i|span)\s([^<>]*\bclass="(?:[^"]*\s)?fa[srb]?(?:-[a-z-]*)?(?:\s[^"]*)?"[^<>]*)>\s*</\1>'
)
ATTRIBUTE = re.compile(r'([^\s=]+)(?:="([^"]*)")?')
FONTAWESOME_SCRIPT = re.compile(
    r'\s*<script\b[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>'
)


def fontawesome_js() -> Path:
    import pydata_sphinx_theme

    return (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme" / "pydata_sphinx_theme" / "static" / "scripts" / "fontawesome.js"
    )  # fmt: skip


@functools.cache
def icon_table(path: Path | None = None) -> dict[str, dict[str, tuple[int, int, str]]]:
    """{pack: {name or alias: (width, height, SVG path)}}, read from Font Awesome's script, where
    each pack's icons are listed before the call that registers them, ``d("fas",p)``."""
    source = (path or fontawesome_js()).read_text(encoding="utf-8")
    table: dict[str, dict[str, tuple[int, int, str]]] = {}
    start = 0
    for mark in re.finditer(r'\bd\("(fa[brs])",p\)', source):
        icons = table.setdefault(mark.group(1), {})
        for entry in ICON_ENTRY.finditer(source, start, mark.start()):
            name = entry.group(1) or entry.group(2)
            icon = (int(entry.group(3)), int(entry.group(4)), entry.group(6))
            for alias in [name, *re.findall(r'"([a-z0-9-]+)"', entry.group(5))]:
                icons.setdefault(alias, icon)
        start = mark.end()
    if not {"fas", "far", "fab"} <= table.keys():
        raise RuntimeError(f"could not read Font Awesome's icons from {path or fontawesome_js()}")
    return table


@functools.cache
def icon_css(path: Path | None = None) -> str:
    """Font Awesome's rules for its inline SVGs, as its script would inject them."""
    source = (path or fontawesome_js()).read_text(encoding="utf-8")
    start = source.index("':host,:root{") + 1
    css = source[start : source.index("'", start)]
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    return "".join(f"{selector}{{{body}}}" for selector, body in rules if "svg-inline--fa" in selector)


def icon_svg(attributes: str, table: dict | None = None) -> str:
    """The inline ``<svg>`` Font Awesome's script makes of an ``<i>`` with these attributes."""
    table = table or icon_table()
    attrs = {name: value for name, value in ATTRIBUTE.findall(attributes)}
    classes = attrs.pop("class").split()
    pack = next((PACKS[c] for c in classes if c in PACKS), "fas")
    names = [c[3:] for c in classes if c.startswith("fa-") and c not in PACKS and c[3:] in table[pack]]
    if len(names) != 1:
        raise ValueError(
            f"cannot draw the icon <i {attributes}>: expected one Font Awesome icon of pack {pack} "
            f"among its classes, found {names}"
        )
    width, height, path = table[pack][names[0]]
    rest = [c for c in classes if c not in PACKS and c != f"fa-{names[0]}"]
    attrs.setdefault("aria-hidden", "true")
    extra = "".join(f' {name}="{value}"' for name, value in attrs.items())
    return (
        f'<svg class="{" ".join(["svg-inline--fa", f"fa-{names[0]}", *rest])}"{extra} focusable="false" '
        f'data-prefix="{pack}" data-icon="{names[0]}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}"><path fill="currentColor" d="{path}"></path></svg>'
    )


FONT_FACE = re.compile(r"@font-face\{[^}]*src:url\(([^)]*fontawesome/webfonts/(fa-[\w-]+))\.woff2\)[^}]*\}")
ICON_CHARACTER = re.compile("[\ue000-\uf8ff]")
# Drawn with the web font by a script (the close button of the banners), not by a page's <i>.
SCRIPT_ICONS = {"fas": ["xmark"]}


def subset_icon_fonts(static: Path) -> None:
    """The theme's stylesheet draws a few icons with Font Awesome's web fonts (admonitions,
    external links, through ``--pst-icon-*``): the fonts (150 KB for the solid one) are cut to
    those icons and the script's, as WOFF files of a few KB, and the stylesheet's rules for the
    other two thousand icons are left out."""
    css_path = static / "styles" / "pydata-sphinx-theme.css"
    css = css_path.read_text(encoding="utf-8")
    if not FONT_FACE.search(css):
        return  # done in an earlier build (or another theme version: nothing to cut)
    from fontTools import subset
    from fontTools.ttLib import TTFont

    used = set()
    for path in static.rglob("*.css"):
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", path.read_text(encoding="utf-8")):
            if not re.fullmatch(r"(\s*\.fa-[\w-]+:+(before|after)\s*,?)+", selector):
                used.update(ICON_CHARACTER.findall(body))
    for pack, names in SCRIPT_ICONS.items():
        for name in names:
            used.update(chr(int(code, 16)) for code in _icon_codes(pack, name))
    codes = {ord(c) for c in used}

    def cut(match: re.Match) -> str:
        url, stem = match.group(1), match.group(2)
        font = TTFont(static / "vendor" / "fontawesome" / "webfonts" / f"{stem}.ttf")
        keep = codes & set(font.getBestCmap())
        options = subset.Options()
        options.flavor, options.layout_features = "woff", []
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=keep)
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(static / "vendor" / "fontawesome" / "webfonts" / f"{stem}.subset.woff")
        rule = match.group(0)
        return re.sub(r"src:[^;}]*", f'src:url({url}.subset.woff) format("woff")', rule)

    css = FONT_FACE.sub(cut, css)

    def drop_unused_icon_rule(match: re.Match) -> str:
        return match.group(0) if set(ICON_CHARACTER.findall(match.group(2))) & used else ""

    css = re.sub(r"((?:\.fa-[\w-]+:+before,?)+)\{(content:[^{}]*)\}", drop_unused_icon_rule, css)
    css_path.write_text(css, encoding="utf-8")


def _icon_codes(pack: str, name: str) -> list[str]:
    """The code point(s) of an icon, as its script lists them (``"xmark":[384,512,[...],"f00d",...``)."""
    source = fontawesome_js().read_text(encoding="utf-8")
    return re.findall(rf'"?{re.escape(name)}"?:\[\d+,\d+,\[[^\]]*\],"([0-9a-f]+)"', source)[:1]


def inline_icons(page: str) -> str:
    """Every Font Awesome ``<i>`` of a page as inline SVG, and the page without the script."""
    page = ICON_TAG.sub(lambda m: icon_svg(m.group(2)), page)
    return FONTAWESOME_SCRIPT.sub("", page)


# --- scripts the page does not need ----------------------------------------------------------------

SEARCH_SCRIPTS = re.compile(
    r'\s*<script\b[^>]*\bsrc="[^"]*(?:_static/searchtools|_static/language_data|searchindex)\.js"[^>]*></script>'
)


def drop_search_scripts(page: str) -> str:
    return SEARCH_SCRIPTS.sub("", page)


HEAD_SCRIPT = re.compile(
    r'<script((?:\s+[\w-]+(?:="[^"]*")?)*)\s+src="([^"]+)"((?:\s+[\w-]+(?:="[^"]*")?)*)></script>'
)
# Read by the inline scripts of the head as it is parsed (DOCUMENTATION_OPTIONS.pagename = ...).
SYNCHRONOUS = ("documentation_options.js",)
# Stylesheets of components this book does not use on the page: sphinx-thebe's (its scripts are
# left out: booktools.sphinx.buttons._drop_thebe), sphinx-design's where no sd- class is used,
# sphinx-exercise's where no exercise is: {stylesheet: what in the body uses it, or None}
UNUSED_CSS = {
    "sphinx-thebe.css": None,
    "sphinx-design.min.css": r'class="(?:[^"]*\s)?sd-',
    "exercise.css": r'class="(?:exercise|solution)\b',
}


def defer_head_scripts(page: str) -> str:
    """The head's own scripts (copy buttons, toggles, the theme's) run after the page is parsed,
    in the same order, instead of holding up its first paint."""
    end = page.find("</head>")
    if end < 0:
        return page

    def defer(match: re.Match) -> str:
        before, source, after = match.groups()
        if "://" in source or re.search(r"\b(defer|async)\b", before + after):
            return match.group(0)
        if source.split("?")[0].endswith(SYNCHRONOUS) or 'type="' in before + after:
            return match.group(0)
        return f'<script{before} defer src="{source}"{after}></script>'

    return HEAD_SCRIPT.sub(defer, page[:end]) + page[end:]


def drop_unused_css(page: str) -> str:
    end = page.find("</head>")
    body = page[end:]
    for name, used_when in UNUSED_CSS.items():
        if used_when is None or not re.search(used_when, body):
            page = re.sub(
                rf'\s*<link rel="stylesheet" type="text/css" href="[^"]*_static/{re.escape(name)}[^"]*" />',
                "",
                page,
            )
    return page


# --- stylesheets: one request, not nine ----------------------------------------------------------

# A stylesheet link of the head (the theme's, Sphinx's, the extensions', the book's).
STYLESHEET = re.compile(r'[ \t]*<link\b(?=[^>]*\brel="stylesheet")[^>]*?\bhref="([^"]+)"[^>]*>\n?')
# What bundle_stylesheets writes in their place; data-sources lists them, for the next build.
BUNDLED = re.compile(
    r'<link rel="stylesheet" href="[^"]*_static/(dlbook-styles-\w+\.css)" data-sources="([^"]*)" />'
)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']([^"']+)["']\s*\)?\s*;""")
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""")
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")
DOCUMENTATION_OPTIONS = re.compile(
    r'<script src="([^"]*_static/documentation_options\.js)(?:\?[^"]*)?"></script>'
)


def bundle_stylesheets(page: str, path: Path, outdir: Path, bundles: dict[str, list[str]]) -> str:
    """The head's stylesheets (nine to eleven: the theme's, which imports Sphinx's basic.css in
    turn, the extensions' and the book's), which all hold up the first paint, as one file in
    their order: on a phone's slow network each is a round trip of its own. The bundle is named
    after the files it joins (several pages share one) and written by :func:`write_bundles`;
    ``bundles`` collects them, from pages written earlier too. The small script the head runs at
    once (``documentation_options.js``) is written into the page."""
    end = page.find("</head>")
    if end < 0:
        return page
    head, rest = page[:end], page[end:]
    head = DOCUMENTATION_OPTIONS.sub(lambda m: _inline_script(path.parent / m.group(1)), head)
    done = BUNDLED.search(head)
    if done:
        bundles[done.group(1)] = done.group(2).split()
        return head + rest
    hidden = [m.span() for m in re.finditer(r"<noscript>.*?</noscript>", head, re.S)]
    links = [m for m in STYLESHEET.finditer(head) if not any(a <= m.start() < b for a, b in hidden)]
    files = [(path.parent / m.group(1).split("?")[0]).resolve() for m in links]
    static = (outdir / "_static").resolve()
    if len(links) < 2 or any(
        "://" in m.group(1) or static not in f.parents or not f.is_file()
        for m, f in zip(links, files, strict=True)
    ):
        return head + rest  # nothing to join, or a stylesheet from elsewhere: left as the theme wrote it
    sources = [f.relative_to(static).as_posix() for f in files]
    name = f"dlbook-styles-{hashlib.sha256(' '.join(sources).encode()).hexdigest()[:10]}.css"
    bundles[name] = sources
    href = os.path.relpath(static / name, path.parent.resolve()).replace(os.sep, "/")
    tag = f'<link rel="stylesheet" href="{href}" data-sources="{" ".join(sources)}" />\n'
    for match in reversed(links[1:]):
        head = head[: match.start()] + head[match.end() :]
    return head[: links[0].start()] + tag + head[links[0].end() :] + rest


def _inline_script(path: Path) -> str:
    return f"<script>{path.read_text(encoding='utf-8').strip()}</script>"


def bundled_css(static: Path, sources: list[str]) -> str:
    """The stylesheets joined: each ``@import`` replaced by the file it names, each ``url()`` made
    relative to ``_static/`` (where the bundle lives), source-map comments left out."""

    def read(path: Path) -> str:
        text = CSS_IMPORT.sub(
            lambda m: read((path.parent / m.group(1)).resolve()), path.read_text(encoding="utf-8")
        )

        def url(match: re.Match) -> str:
            target = next(g for g in match.groups() if g is not None)
            if not target or re.match(r"(?:[a-z]+:|/|#)", target):
                return match.group(0)
            file, suffix = re.match(r"([^?#]*)(.*)", target).groups()
            moved = os.path.relpath((path.parent / file).resolve(), static).replace(os.sep, "/")
            return f'url("{moved}{suffix}")'

        return SOURCE_MAP.sub("", CSS_URL.sub(url, text))

    static = static.resolve()
    return "".join(f"/* {source} */\n{read(static / source).strip()}\n" for source in sources)


def write_bundles(static: Path, bundles: dict[str, list[str]]) -> None:
    """Every page's bundle, joined again from the stylesheets this build copied (so a changed
    theme or book stylesheet reaches pages that were not written again)."""
    for name, sources in bundles.items():
        missing = [s for s in sources if not (static / s).is_file()]
        if missing:
            raise FileNotFoundError(f"{name} joins {missing}, which this build did not write to {static}")
        text = bundled_css(static, sources)
        target = static / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


# --- the draw-a-digit block: its network loads when the reader starts ------------------------------

DRAW_BLOCK = re.compile(
    r'<script type="application/json" class="dlbook-draw__data">(.+?)</script>\s*'
    r'<script>(\{ const DLBOOK_DRAW_ID = "([\w-]+)";.+?)</script>',
    re.S,
)
# Runs in place of the block's script (dlbook.draw): the block shows at once, without its network
# (half a megabyte); the network is fetched when a pointer comes over the block or the keyboard
# enters it, and the events of a reader who was quicker than the download (a stroke, a choice)
# are replayed once the block's script runs.
DRAW_LOADER = """<script>{ const root = document.getElementById(%(id)s);
  const data = root.querySelector(".dlbook-draw__data"), code = root.querySelector(".dlbook-draw__code");
  const text = root.querySelector(".dlbook-draw__text"), noScript = root.querySelector(".dlbook-draw__nojs");
  if (noScript) noScript.remove();
  const queued = [];
  let state = "waiting";
  const replay = (event) => {
    if (state === "ready") return;
    queued.push([event.target, new event.constructor(event.type, event)]);
    load();
  };
  const types = ["pointerdown", "pointermove", "pointerup", "pointercancel", "click", "change"];
  function load() {
    if (state !== "waiting") return;
    state = "loading";
    text.textContent = "Loading the network\\u2026";
    fetch(data.dataset.src).then((response) => {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then((json) => {
      data.textContent = json;
      const canvas = root.querySelector(".dlbook-draw__canvas");
      // a replayed press of a finger already lifted cannot capture the pointer; draw it anyway
      canvas.setPointerCapture = function (id) {
        try { Element.prototype.setPointerCapture.call(this, id); } catch (e) {}
      };
      const script = document.createElement("script");
      script.textContent = code.textContent;
      code.replaceWith(script);
      state = "ready";
      for (const type of types) root.removeEventListener(type, replay, true);
      text.textContent = "Draw a digit, or pick a test image.";
      for (const [target, event] of queued) target.dispatchEvent(event);
    }).catch(() => {
      state = "waiting";
      text.textContent = "The network could not be loaded. Check the connection, then try again.";
    });
  }
  for (const type of types) root.addEventListener(type, replay, true);
  root.addEventListener("pointerover", load);
  root.addEventListener("focusin", load);
}</script>"""


def defer_draw_model(page: str, path: Path, outdir: Path) -> str:
    """Move each draw-a-digit block's network out of the page into ``_static/dlbook-draw/``."""

    def move(match: re.Match) -> str:
        payload, code, block_id = match.groups()
        folder = outdir / "_static" / "dlbook-draw"
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(payload.encode()).hexdigest()[:16] + ".json"
        (folder / name).write_text(payload, encoding="utf-8")  # JSON as it was, "<\\/" and all
        url = Path("_static", "dlbook-draw", name).as_posix()
        depth = len(path.relative_to(outdir).parts) - 1
        return (
            f'<script type="application/json" class="dlbook-draw__data" data-src="{"../" * depth}{url}">'
            f'</script>\n<script type="text/x-dlbook-draw" class="dlbook-draw__code">{code}</script>\n'
            + DRAW_LOADER
            % {"id": json.dumps(block_id)}
        )

    return DRAW_BLOCK.sub(move, page)


# --- formulas -------------------------------------------------------------------------------------


class MathRenderer:
    """TeX to SVG with MathJax on Node.js, remembered in a JSON file across builds."""

    def __init__(self, cache_file: Path, script: Path = MATH_DIR / "tex2svg.js"):
        self.cache_file, self.script = cache_file, script
        self.key = self.version()
        self.css, self.svg = "", {}
        try:
            saved = json.loads(cache_file.read_text())
            if saved.get("key") == self.key:
                self.css, self.svg = saved["css"], saved["svg"]
        except (OSError, ValueError, KeyError):
            pass

    def version(self) -> str:
        digest = hashlib.sha256(self.script.read_bytes())
        lock = self.script.parent / "package-lock.json"
        if lock.exists():
            digest.update(lock.read_bytes())
        return digest.hexdigest()[:16]

    @staticmethod
    def name(tex: str, display: bool) -> str:
        return f"{'display' if display else 'inline'}:{tex}"

    def render(self, formulas: list[tuple[str, bool]]) -> None:
        """Typeset the formulas not yet in the cache, all in one run of Node."""
        missing = list(dict.fromkeys(f for f in formulas if self.name(*f) not in self.svg))
        if not missing and self.css:
            return
        node = shutil.which("node")
        if node is None or not (self.script.parent / "node_modules" / "mathjax-full").is_dir():
            raise RuntimeError(
                "Formulas are typeset when the book is built, by MathJax on Node.js: install Node.js "
                "and run `make book`, which installs tools/math/node_modules (npm ci)."
            )
        request = json.dumps([{"tex": tex, "display": display} for tex, display in missing])
        run = subprocess.run(
            [node, str(self.script)], input=request, capture_output=True, text=True, check=False
        )
        if run.returncode != 0:
            raise RuntimeError(f"MathJax could not typeset a formula:\n{run.stderr.strip()}")
        result = json.loads(run.stdout)
        self.css = re.sub(r"\s+", " ", result["css"]).replace(" {", "{").replace("; ", ";").strip()
        self.svg.update((self.name(*f), svg) for f, svg in zip(missing, result["svg"], strict=True))
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        self.cache_file.write_text(json.dumps({"key": self.key, "css": self.css, "svg": self.svg}))

    def __call__(self, tex: str, display: bool) -> str:
        if self.name(tex, display) not in self.svg:
            self.render([(tex, display)])
        return self.svg[self.name(tex, display)]


def display_tex(node: nodes.math_block) -> str:
    """The TeX of a displayed formula, as Sphinx's MathJax renderer writes it: paragraphs become
    aligned lines, a formula with line breaks a split."""
    if node.get("nowrap"):
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    lines = [rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part for part in parts]
    if len(lines) > 1:
        return r"\begin{align}\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}\end{align}"
    return lines[0] if lines else ""


def _renderer(app) -> MathRenderer:
    if not hasattr(app, "_dlbook_math"):
        app._dlbook_math = MathRenderer(Path(app.outdir).parent / MATH_CACHE)
    return app._dlbook_math


def _visit_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_renderer(self.builder.app)(node.astext(), False))
    self.body.append("</span>")
    raise nodes.SkipNode


def _visit_displaymath(self, node):
    from sphinx.util.math import get_node_equation_number

    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    self.body.append(_renderer(self.builder.app)(display_tex(node), True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _typeset_page(app, doctree, docname):
    """All of a page's formulas in one run of Node, before the page is written."""
    if app.builder.format != "html":
        return
    formulas = [(n.astext(), False) for n in doctree.findall(nodes.math)]
    formulas += [(display_tex(n), True) for n in doctree.findall(nodes.math_block)]
    if formulas:
        _renderer(app).render(formulas)


# --- figures --------------------------------------------------------------------------------------

IMAGE_TAG = re.compile(r"<img\s([^<>]*?)\s*/?>")
RASTER = (".png", ".jpg", ".jpeg")
# Text (in characters) a phone shows above an image in its first screen, roughly: an image with
# less text than this before it in the article may be the largest paint, and is fetched at once.
FIRST_SCREEN_TEXT = 600
# Keeps the proportions of every image whose width the page narrows (max-width: 100%): with a
# height attribute alone, a figure on a phone was squeezed sideways only (image-aspect-ratio).
IMAGE_CSS = ":where(img[width][height]){height:auto}"  # below any rule of the theme


def webp_copy(png: Path) -> Path | None:
    """A lossless WebP of the image beside it, or None when that is not smaller. (Matplotlib's
    figures come out about three times smaller; a half-size copy for ordinary screens does not
    pay: its anti-aliased edges make it larger than the full-size WebP.)"""
    from PIL import Image

    webp = png.with_suffix(".webp")
    if not webp.exists() or webp.stat().st_mtime < png.stat().st_mtime:
        with Image.open(png) as image:
            image.save(webp, "WEBP", lossless=True, quality=100, method=4)
    return webp if webp.stat().st_size < png.stat().st_size else None


def _text_before(page: str, position: int) -> int:
    start = page.find("<article")
    if start < 0 or start > position:
        return 0
    text = re.sub(r"<[^>]*>", " ", page[start:position])
    return len(re.sub(r"\s+", " ", html.unescape(text)).strip())


def right_size_images(page: str, path: Path) -> str:
    """Width and height on every local raster image, lazy loading past the first screen, a WebP
    where it is smaller. Images already done (``decoding`` set) are left alone."""

    def fix(match: re.Match) -> str:
        attrs = dict(ATTRIBUTE.findall(match.group(1)))
        source = attrs.get("src", "")
        file = (path.parent / source).resolve()
        if "decoding" in attrs or "://" in source or file.suffix.lower() not in RASTER or not file.is_file():
            return match.group(0)
        from PIL import Image

        with Image.open(file) as image:
            natural = image.size
        # myst-nb writes a figure's display size into its style ("width: 587px; height: 287px;"),
        # which, once max-width narrows the figure on a phone, kept the height and squeezed it.
        # The size becomes the attributes instead; the image keeps its proportions (IMAGE_CSS).
        style = attrs.pop("style", "")
        for name in ("width", "height"):
            if found := re.search(rf"(?:^|;)\s*{name}:\s*(\d+)px\s*(?:;|$)", style):
                attrs[name] = found.group(1)
                style = style.replace(found.group(0).strip(";"), "")
        if style.strip(" ;"):
            attrs["style"] = style.strip(" ;") + ";"
        width, height = attrs.get("width"), attrs.get("height")
        if width and width.isdigit() and not (height and height.isdigit()):
            height = str(round(int(width) * natural[1] / natural[0]))
        if height and height.isdigit() and not (width and width.isdigit()):
            width = str(round(int(height) * natural[0] / natural[1]))
        if not (width and width.isdigit()):
            width, height = (str(size) for size in natural)
        attrs.update(width=width, height=height, decoding="async")
        if _text_before(page, match.start()) > FIRST_SCREEN_TEXT:
            attrs["loading"] = "lazy"
        tag = "<img " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">"
        webp = webp_copy(file)
        if webp is None:
            return tag
        webp_source = source[: -len(file.suffix)] + ".webp"
        return f'<picture><source type="image/webp" srcset="{webp_source}">{tag}</picture>'

    return IMAGE_TAG.sub(fix, page)


# --- the root redirect ----------------------------------------------------------------------------

REDIRECT = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta http-equiv="Refresh" content="0; url={target}">
<link rel="canonical" href="{canonical}">
<link rel="icon" href="{icon}">
</head>
<body><p><a href="{target}">{title}</a></p></body>
</html>
"""


def write_redirect(app) -> None:
    """The site's root page, a redirect to the landing page, with the site's icon."""
    outdir = Path(app.outdir)
    target = f"{app.config.root_doc}.html"
    if app.config.root_doc == "index" or not (outdir / target).exists():
        return
    favicon = app.config.html_favicon
    icon = f"_static/{Path(favicon).name}" if favicon and "://" not in favicon else favicon
    (outdir / "index.html").write_text(
        REDIRECT.format(
            lang=app.config.language or "en",
            title=html.escape(app.config.html_title or app.config.project),
            target=target,
            canonical=html.escape((app.config.html_baseurl or "").rstrip("/") + "/" + target),
            icon=icon,
        ),
        encoding="utf-8",
    )


# --- the hooks ------------------------------------------------------------------------------------


def _configure(app, config):
    config.html_math_renderer = MATH_RENDERER


def _page_head(app, pagename, templatename, context, doctree):
    """The CSS the page's inline icons and formulas need, in its head (no request)."""
    if app.builder.format != "html":
        return
    styles = [IMAGE_CSS]
    if app.builder.name == "html":
        styles.append(icon_css())
    math = app.env.get_domain("math")
    if doctree is not None and math.has_equations(pagename):
        styles.append(_renderer(app).css)
    if styles:
        context["metatags"] = context.get("metatags", "") + f"\n<style>{''.join(styles)}</style>"


def _rewrite_pages(app, exception):
    if exception is not None or app.builder.name != "html":
        return
    outdir = Path(app.outdir)
    search_as_you_type = (app.config.html_theme_options or {}).get("search_as_you_type", False)
    bundles: dict[str, list[str]] = {}
    for path in outdir.rglob("*.html"):
        if path.parent.name == "_static" or "_static" in path.relative_to(outdir).parts:
            continue
        page = path.read_text(encoding="utf-8")
        new = right_size_images(inline_icons(defer_draw_model(page, path, outdir)), path)
        if path != outdir / "search.html":
            if not search_as_you_type:
                new = drop_search_scripts(new)
            new = drop_unused_css(defer_head_scripts(new))
        new = bundle_stylesheets(new, path, outdir, bundles)
        if new != page:
            path.write_text(new, encoding="utf-8")
    subset_icon_fonts(outdir / "_static")
    write_bundles(outdir / "_static", bundles)  # after the icon fonts' rules are cut
    write_redirect(app)


def setup(app):
    # Every page is written again when this module changes (Sphinx rewrites all pages when an
    # "html" setting changes); the rewriting at the end of the build only sees written pages.
    this = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    app.add_config_value("dlbook_page_weight", this, "html")
    app.connect("config-inited", _configure, priority=900)
    app.add_html_math_renderer(MATH_RENDERER, (_visit_math, None), (_visit_displaymath, None))
    app.connect("doctree-resolved", _typeset_page)
    app.connect("html-page-context", _page_head)
    # After sphinx-external-toc writes the root redirect (priority 500).
    app.connect("build-finished", _rewrite_pages, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
