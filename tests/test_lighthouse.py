"""Every page of the table of contents, as a reader on a phone gets it: Lighthouse's mobile preset
(a mid-range phone on slow 4G, simulated) on the built site served compressed, as GitHub Pages
serves it.

A page fails below performance 90, below 100 in accessibility, best practices or SEO, or above
400 KiB transferred on load. The weight is Lighthouse's ``total-byte-weight``, in its KiB.
Lighthouse simulates its timings from a trace, but a loaded machine still moves them: each page is
measured three times and judged on the medians, and a page whose median performance falls short
of 90 is measured twice more and judged on the median of all five. On
a host slower than Lighthouse expects (benchmark index under 1000, as a busy 2-core machine is),
the CPU slowdown is calibrated down from the preset's 4 so that the same phone is simulated
(tests/browser/lighthouse-pages.mjs). The table of every page's figures, with the host's index and
the slowdown used, is printed and kept in ``_build/lighthouse/summary.md``, the reports in
``_build/lighthouse/``.

Under ``make test`` this module runs last (marked ``quiet``), after the notebook runs, one page at a
time. On CI's two cores, 7 December 2026: beside the notebook runs, medians fell to 85; with the
runs cached (a local run), every page scored 96 or more; run last but two Lighthouses side by side,
dense-network scored 89 (load average 3.3); run last, one at a time, every page scored 95 to 100.

Lighthouse (pinned in tests/browser/package.json) drives the system's Chromium (CHROME_PATH); it
never downloads a browser.
"""

import functools
import http.server
import json
import os
import statistics
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from booktools import project

from .test_browser import Compressing, chromium_path

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("DLBOOK_SITE", ROOT / "_build" / "html"))  # another build: set DLBOOK_SITE
RUNNER = ROOT / "tests" / "browser" / "lighthouse-pages.mjs"
REPORTS = Path(os.environ.get("DLBOOK_LIGHTHOUSE_REPORTS", ROOT / "_build" / "lighthouse"))
PAGES = [f"{name}.html" for name in project.toc_pages(ROOT)]
RUNS = int(os.environ.get("DLBOOK_LIGHTHOUSE_RUNS", "3"))  # three unless told (a quick look: 1)
# One Lighthouse at a time: runs side by side compete for the cores, which Lighthouse's own
# documentation lists as a high source of variance ("client resource contention", docs/variability.md;
# its maintainers advise against parallel runs on one machine, discussion 13727). Two workers halve
# the time on a machine with cores to spare: DLBOOK_LIGHTHOUSE_WORKERS=2.
WORKERS = int(os.environ.get("DLBOOK_LIGHTHOUSE_WORKERS", "1"))
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = {"accessibility": 100, "best-practices": 100, "seo": 100}
#: The mark every page must reach (issue 27).
PERFORMANCE = 90
#: Runs added for a page whose median performance falls short of the mark (see lighthouse_results).
MORE_RUNS = int(os.environ.get("DLBOOK_LIGHTHOUSE_MORE_RUNS", "2"))
MAX_KIB = 400

pytestmark = [pytest.mark.browser, pytest.mark.quiet]


@pytest.fixture(scope="module")
def site_url():
    """The site served as GitHub Pages serves it: text compressed, connections kept open (HTTP/1.1;
    a connection per request would charge every file a handshake in Lighthouse's simulation)."""
    if not (SITE / "index.html").exists():
        pytest.fail(f"build the book first (make book): no {SITE / 'index.html'}")

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Compressing, directory=str(SITE))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def lighthouse(urls: list[str], runs: int = RUNS) -> list[dict]:
    """Every run of Lighthouse on these pages, in one Chromium (tests/browser/lighthouse-pages.mjs)."""
    if not (ROOT / "tests" / "browser" / "node_modules" / "lighthouse").is_dir():
        pytest.fail("Lighthouse is missing: run `make tests/browser/node_modules/.package-lock.json`.")
    run = subprocess.run(
        ["node", str(RUNNER), str(runs), str(REPORTS), *urls], capture_output=True, text=True,
        timeout=1200, env={**os.environ, "CHROME_PATH": chromium_path()}, cwd=RUNNER.parent,
    )  # fmt: skip
    if run.returncode != 0:
        raise RuntimeError(f"Lighthouse failed:\n{run.stderr[-3000:]}")
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def medians(runs: list[dict]) -> dict:
    """A page's figures: each the median of its runs (the first run alone scores accessibility,
    best practices and SEO, which do not vary)."""
    figures = {
        name: statistics.median(r["scores"][name] for r in runs if name in r["scores"]) for name in CATEGORIES
    }
    figures["kib"] = statistics.median(r["bytes"] for r in runs) / 1024
    figures["lcp"] = statistics.median(r["lcp"] for r in runs) / 1000
    figures["failing"] = sorted({audit for r in runs for audit in r["failing"]})
    figures["benchmark"] = statistics.median(r["benchmarkIndex"] for r in runs)
    figures["cpu"] = statistics.median(r["cpuSlowdown"] for r in runs)
    return figures


def table(results: dict[str, dict]) -> str:
    lines = [
        "| page | performance | accessibility | best practices | SEO | on load | largest paint "
        "| host index, CPU x |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page, f in results.items():
        lines.append(
            f"| {Path(page).stem} | {f['performance']:.0f} | {f['accessibility']:.0f} | "
            f"{f['best-practices']:.0f} | {f['seo']:.0f} | {f['kib']:,.0f} KiB | {f['lcp']:.1f} s | "
            f"{f['benchmark']:.0f}, {f['cpu']:.1f} |"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def lighthouse_results(site_url):
    REPORTS.mkdir(parents=True, exist_ok=True)
    shares = [PAGES[i::WORKERS] for i in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = [
            r
            for share in pool.map(lambda pages: lighthouse([f"{site_url}/{p}" for p in pages]), shares)
            for r in share
        ]

    def judged(pages):
        return {page: medians([r for r in runs if r["url"] == f"{site_url}/{page}"]) for page in pages}

    results = judged(PAGES)
    # A page below the mark gets MORE_RUNS more, and is judged on the median of them all: the five
    # runs Lighthouse's documentation advises where one score decides (docs/variability.md).
    retried = [page for page, figures in results.items() if figures["performance"] < PERFORMANCE]
    if retried:
        runs += lighthouse([f"{site_url}/{page}" for page in retried], runs=MORE_RUNS)
        results.update(judged(retried))
    summary = table(results)
    load = os.getloadavg()[0]
    note = f"Lighthouse {RUNS} runs a page, mobile preset, medians; load average {load:.1f} at the end"
    if retried:
        note += f"; {RUNS + MORE_RUNS} runs for {', '.join(Path(page).stem for page in retried)}"
    (REPORTS / "summary.md").write_text(f"{note}\n\n{summary}\n")
    print(f"\n{note}\n{summary}")
    return results


@pytest.mark.parametrize("page", PAGES)
def test_page_is_accessible_and_light_on_a_phone(lighthouse_results, page):
    figures = lighthouse_results[page]
    low = {name: figures[name] for name, least in MINIMUM.items() if figures[name] < least}
    assert not low, f"{page}: {low} (audits short of full marks: {figures['failing']})"
    assert figures["kib"] <= MAX_KIB, f"{page}: {figures['kib']:.0f} KiB on load, more than {MAX_KIB}"


@pytest.mark.parametrize("page", PAGES)
def test_page_is_fast_on_a_phone(lighthouse_results, page):
    figures = lighthouse_results[page]
    assert figures["performance"] >= PERFORMANCE, f"{page}: performance {figures['performance']}"
