"""The link checker (booktools.checks.links): local links and fragments, polite fetching with
retries, the GitHub token sent to GitHub only, Colab links checked through their raw notebooks,
and a published site checked page by page. Every server here is a local one in a thread."""

import json
import shutil
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from booktools.checks import links as check_links

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}).encode()


def routes(answers: dict[str, list[tuple[int, dict, bytes]]]):
    """A handler answering each path with its list of (status, headers, body) in turn (the last
    one again once the list is used up), and recording every request as (path, headers)."""
    seen: list[tuple[str, dict]] = []
    answered: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, dict(self.headers)))
            replies = answers.get(self.path, [(404, {}, b"not found")])
            status, headers, body = replies[min(answered.get(self.path, 0), len(replies) - 1)]
            answered[self.path] = answered.get(self.path, 0) + 1
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler, seen


def fast(**settings) -> check_links.Fetcher:
    """A fetcher without pauses (and with tiny backoffs) for local servers."""
    return check_links.Fetcher(**{"host_delay": 0, "backoff": 0.01, "timeout": 5, **settings})


# --- Local links ---------------------------------------------------------------------------


def test_link_checker_finds_broken_links(tmp_path):
    """lychee checks the links and their fragments; the scripts and the redirect page's target,
    which lychee does not read, are checked by booktools."""
    (tmp_path / "a.html").write_text(
        '<p id="x"></p><a href="b.html#y">b</a><a href="a.html#x">ok</a>'
        '<img src="missing.png"><a href="https://example.org">e</a>'
        '<script src="gone.js"></script><script src="b.html"></script>'
    )
    (tmp_path / "b.html").write_text('<p id="z"></p>')
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=gone/index.html" />')
    result = subprocess.run(
        [sys.executable, "-m", "booktools", "links", tmp_path], capture_output=True, text=True
    )
    assert result.returncode == 1
    broken = result.stdout.split("Broken:")[1]
    assert "a.html: b.html#y -> Cannot find fragment" in broken
    assert "a.html: missing.png -> File not found" in broken
    assert "a.html: gone.js -> missing file" in broken  # a script's src
    assert "index.html: gone/index.html -> missing file" in broken  # the redirect page's target
    assert "b.html -> " not in broken
    assert "a.html#x" not in broken
    assert "example.org" not in broken  # not fetched without --external


@pytest.mark.book
def test_built_site_has_no_broken_local_links():
    result = subprocess.run(
        [sys.executable, "-m", "booktools", "links", ROOT / "_build/html"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


# --- Fetching --------------------------------------------------------------------------------


def test_429_with_retry_after_is_retried(serve):
    handler, seen = routes({"/page": [(429, {"Retry-After": "0"}, b"slow down"), (200, {}, b"fine")]})
    with serve(handler) as base:
        outcome = fast(backoff=30).fetch(f"{base}/page")  # Retry-After: 0, not the backoff, is used
    assert outcome.status == "ok", outcome
    assert [path for path, _ in seen] == ["/page", "/page"]
    assert seen[0][1]["User-Agent"].startswith("dlbook-link-check/")


def test_retries_honour_retry_after_and_stop(serve):
    handler, seen = routes({"/page": [(503, {"Retry-After": "7"}, b"")], "/limited": [(429, {}, b"")]})
    waits: list[float] = []
    with serve(handler) as base:
        unavailable = fast(attempts=3, sleep=waits.append).fetch(f"{base}/page")
        assert waits == [7, 7]
        too_long = fast(max_wait=5, sleep=waits.append).fetch(f"{base}/page")  # asks for more than 5 s
        limited = fast(attempts=2, sleep=lambda s: None).fetch(f"{base}/limited")
        limited_strict = fast(attempts=2, sleep=lambda s: None).fetch(f"{base}/limited", strict=True)
    assert unavailable == check_links.Outcome("broken", "HTTP 503 after 3 tries")
    assert too_long == check_links.Outcome("broken", "HTTP 503 after 1 try")
    assert waits == [7, 7]
    assert limited.status == "unverified" and "rate limited" in limited.detail
    assert limited_strict.status == "broken"
    assert len(seen) == 3 + 1 + 2 + 2


def test_missing_and_refused_pages(serve):
    handler, _ = routes({"/gone": [(410, {}, b"")], "/private": [(403, {}, b"")]})
    with serve(handler) as base:
        fetcher = fast()
        assert fetcher.fetch(f"{base}/nothing-here") == check_links.Outcome("broken", "HTTP 404")
        assert fetcher.fetch(f"{base}/gone").status == "broken"
        assert fetcher.fetch(f"{base}/private").status == "unverified"
        assert fetcher.fetch(f"{base}/private", strict=True).status == "broken"
        # from a GitHub host a 403 is not a robot filter: it is broken
        assert fast(github=frozenset({base})).fetch(f"{base}/private").status == "broken"


def test_connection_errors_are_retried_then_broken(serve):
    with serve(routes({})[0]) as base:
        pass  # the port is closed again: nothing listens there
    waits: list[float] = []
    outcome = fast(attempts=3, sleep=waits.append).fetch(f"{base}/page")
    assert outcome.status == "broken" and outcome.detail.startswith("unreachable")
    assert len(waits) == 2 and waits[1] > waits[0]  # exponential backoff


# --- GitHub: the token and the Colab notebooks -----------------------------------------------


def test_token_goes_to_github_hosts_only():
    for url in (
        "https://github.com/dlbook/first-network/issues",
        "https://api.github.com/repos/dlbook/first-network",
        "https://raw.githubusercontent.com/dlbook/first-network/notebooks/book/training.ipynb",
        "https://GitHub.com:443/dlbook",
    ):
        assert check_links.request_headers(url, "t0ken")["Authorization"] == "Bearer t0ken", url
    for url in (
        "https://example.org/",
        "https://colab.research.google.com/github/dlbook/first-network/blob/notebooks/a.ipynb",
        "http://github.com/dlbook",  # not over plain http
        "https://github.com.example.org/",
        "https://gist.github.com/x",
        "https://example.org/?next=https://github.com/",
        "https://github.com:8443/x",
    ):
        assert "Authorization" not in check_links.request_headers(url, "t0ken"), url
    assert "Authorization" not in check_links.request_headers("https://github.com/", None)
    assert check_links.github_token({"GH_TOKEN": "b"}) == "b"
    assert check_links.github_token({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}) == "a"
    assert check_links.github_token({"GITHUB_TOKEN": ""}) is None


def test_token_is_not_carried_over_a_redirect_to_another_host(serve):
    other, seen_other = routes({"/target": [(200, {}, b"ok")]})
    with serve(other) as other_base:
        github, seen_github = routes({"/moved": [(302, {"Location": f"{other_base}/target"}, b"")]})
        with serve(github) as github_base:
            fetcher = fast(token="t0ken", github=check_links.github_origins(f"{github_base}/raw"))
            assert fetcher.fetch(f"{github_base}/moved").status == "ok"
    assert seen_github[0][1]["Authorization"] == "Bearer t0ken"
    assert "Authorization" not in seen_other[0][1]


def test_colab_url_maps_to_the_raw_notebook():
    url = "https://colab.research.google.com/github/dlbook/first-network/blob/notebooks/book/training.ipynb"
    raw = "https://raw.githubusercontent.com/dlbook/first-network/notebooks/book/training.ipynb"
    assert check_links.colab_raw_url(url) == raw
    assert check_links.colab_raw_url(url + "#scrollTo=x") == raw
    assert check_links.colab_raw_url(url, "http://127.0.0.1:9/raw/") == (
        "http://127.0.0.1:9/raw/dlbook/first-network/notebooks/book/training.ipynb"
    )
    assert check_links.colab_raw_url("https://colab.research.google.com/") is None
    assert check_links.colab_raw_url("https://github.com/dlbook/first-network/blob/main/a.ipynb") is None
    assert check_links.raw_base({}) == check_links.RAW_BASE
    assert check_links.raw_base({"DLBOOK_RAW_BASE": "http://127.0.0.1:9/raw/"}) == "http://127.0.0.1:9/raw"


def colab(path: str) -> str:
    return f"https://colab.research.google.com/github/o/r/blob/nb/{path}"


def test_colab_links_are_checked_through_their_raw_notebooks(serve, tmp_path):
    (tmp_path / "a.html").write_text(
        f'<a href="{colab("good.ipynb")}">1</a><a href="{colab("missing.ipynb")}">2</a>'
        f'<a href="{colab("page.ipynb")}">3</a><a href="{colab("good.ipynb")}">again</a>'
    )
    handler, seen = routes(
        {
            "/raw/o/r/nb/good.ipynb": [(200, {}, NOTEBOOK)],
            "/raw/o/r/nb/page.ipynb": [(200, {"Content-Type": "text/html"}, b"<html>Not found</html>")],
        }
    )
    with serve(handler) as base:
        report = check_links.check_site(tmp_path, external=True, fetcher=fast(), raw=f"{base}/raw")
    assert len(report.broken) == 2, report.broken
    assert "missing.ipynb -> HTTP 404" in report.broken[0]
    assert "page.ipynb -> not a notebook" in report.broken[1]
    assert not report.unverified
    assert sorted(path for path, _ in seen) == [f"/raw/o/r/nb/{n}.ipynb" for n in ("good", "missing", "page")]


def test_external_links_are_checked_by_lychee_and_sorted_as_broken_or_unverified(serve, tmp_path):
    """lychee fetches the other links (its retries and backoff); a missing page is broken, a site
    that refuses robots (403) or still rate-limits (429) after the retries is unverified, and what
    it is told to leave (the Colab links, whose notebooks booktools reads) is not fetched."""
    handler, seen = routes(
        {
            "/ok": [(200, {}, b"<html>fine</html>")],
            "/robots-refused": [(403, {}, b"no")],
            "/busy": [(429, {"Retry-After": "0"}, b"later")],
        }
    )
    with serve(handler) as base:
        (tmp_path / "a.html").write_text(
            f'<a href="{base}/ok">1</a><a href="{base}/gone">2</a><a href="{base}/robots-refused">3</a>'
            f'<a href="{base}/busy">4</a><a href="{colab("good.ipynb")}">5</a>'
        )
        broken, unverified = check_links.lychee(
            tmp_path,
            [tmp_path / "a.html"],
            offline=False,
            exclude=["^https://colab"],
            retries=2,
            wait=0,
        )
    assert [line.split(" -> ")[0] for line in broken] == [f"a.html: {base}/gone"]
    assert sorted(line.split(" -> ")[0] for line in unverified) == [
        f"a.html: {base}/busy",
        f"a.html: {base}/robots-refused",
    ]
    assert sum(path == "/busy" for path, _ in seen) > 1  # retried before it was given up
    assert not any("colab" in path for path, _ in seen)


def test_an_external_script_is_fetched_too(serve, tmp_path):
    """lychee does not read a script's src: booktools fetches it with --external."""
    handler, seen = routes({"/here.js": [(200, {}, b"//")]})
    with serve(handler) as base:
        (tmp_path / "a.html").write_text(
            f'<script src="{base}/here.js"></script><script src="{base}/gone.js"></script>'
        )
        report = check_links.check_site(tmp_path, external=True, fetcher=fast())
    assert report.broken == [f"a.html: {base}/gone.js -> HTTP 404"], report.broken
    assert sorted(path for path, _ in seen) == ["/gone.js", "/here.js"]
    assert "2 scripts' and redirects' here" in report.summary


# --- A published site ------------------------------------------------------------------------


def test_published_site_with_a_missing_page(serve, tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    (site / "book").mkdir(parents=True)
    (site / "_static").mkdir()
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html" />')
    (site / "book" / "index.html").write_text(
        f'<a href="training.html">next</a><a href="{colab("x.ipynb")}">C</a>'
    )
    (site / "book" / "training.html").write_text('<a href="index.html">back</a>')
    (site / "_static" / "macros.html").write_text("{% macro x() %}{% endmacro %}")  # not a page
    served = tmp_path / "served"
    shutil.copytree(site, served)
    (served / "book" / "training.html").unlink()
    shutil.rmtree(served / "_static")
    (served / "raw" / "o" / "r" / "nb").mkdir(parents=True)
    (served / "raw" / "o" / "r" / "nb" / "x.ipynb").write_bytes(NOTEBOOK)

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=served, **kwargs)

        def log_message(self, *args):
            pass

    with serve(Handler) as base:
        monkeypatch.setenv("DLBOOK_RAW_BASE", f"{base}/raw")
        status = check_links.main([str(site), "--published", f"{base}/"], fetcher=fast())
        out = capsys.readouterr().out
        assert status == 1, out
        broken = out.split("Broken:")[1].strip().splitlines()
        assert broken == [f"book/training.html: {base}/book/training.html (published) -> HTTP 404"]
        assert "3 pages and 1 Colab notebooks checked as published" in out

        (served / "book" / "training.html").write_text("published")
        assert check_links.main([str(site), "--published", base], fetcher=fast()) == 0
        (served / "raw" / "o" / "r" / "nb" / "x.ipynb").unlink()
        assert check_links.main([str(site), "--published", base], fetcher=fast()) == 1
        assert "x.ipynb -> HTTP 404" in capsys.readouterr().out
