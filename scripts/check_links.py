"""Check the links of the built site.

    python scripts/check_links.py SITE_DIR [--external]

Every local link (href/src in a, img, link, script) must point at a file of the site, and
every #fragment at an id on the target page. With --external, every http(s) link is fetched
too (the scheduled link-check workflow). Prints each broken link; exit status 1 if any.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from bs4 import BeautifulSoup

ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src"}
SKIP_SCHEMES = {"mailto", "javascript", "data"}


def check_site(site: Path, external: bool = False) -> list[str]:
    ids: dict[Path, set[str]] = {}
    # Pages only: _static/ holds the theme's Jinja macro files, which are not pages.
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    links: list[tuple[Path, str]] = []
    for page in pages:
        soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
        ids[page.resolve()] = {tag["id"] for tag in soup.find_all(id=True)} | {
            tag["name"] for tag in soup.find_all("a", attrs={"name": True})
        }
        for tag, attribute in ATTRIBUTES.items():
            links += [(page, element[attribute]) for element in soup.find_all(tag) if element.get(attribute)]
    problems, remote = [], defaultdict(list)
    for page, link in links:
        parsed = urlparse(link)
        if parsed.scheme in SKIP_SCHEMES:
            continue
        if parsed.scheme in ("http", "https"):
            remote[urldefrag(link).url].append(page)
            continue
        path_part, fragment = unquote(parsed.path), parsed.fragment
        target = (page.parent / path_part).resolve() if path_part else page.resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            problems.append(f"{page.relative_to(site)}: {link} -> missing file")
        elif fragment and target.suffix == ".html" and fragment not in ids.get(target, set()):
            problems.append(f"{page.relative_to(site)}: {link} -> no element with id {fragment!r}")
    if external:
        for url, where in sorted(remote.items()):
            error = fetch(url)
            if error:
                problems.append(f"{where[0].relative_to(site)} (+{len(where) - 1} more): {url} -> {error}")
    print(
        f"{len(pages)} pages, {len(links)} links, {len(remote)} external URLs"
        f"{' checked' if external else ' not checked (use --external)'}; {len(problems)} broken"
    )
    return problems


def fetch(url: str) -> str | None:
    request = urllib.request.Request(url, headers={"User-Agent": "dlbook-link-check"})
    try:
        with urllib.request.urlopen(request, timeout=20):
            return None
    except urllib.error.HTTPError as err:
        return None if err.code in (401, 403, 429) else f"HTTP {err.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        return f"unreachable ({err})"


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--external"]
    if len(args) != 1:
        sys.exit(__doc__)
    broken = check_site(Path(args[0]), external="--external" in sys.argv)
    print("\n".join(broken))
    sys.exit(1 if broken else 0)
