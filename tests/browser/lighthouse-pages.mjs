// Lighthouse (mobile preset, the default) on a list of pages, in one Chromium: for
// tests/test_lighthouse.py. Usage: node lighthouse-pages.mjs RUNS REPORT_DIR URL...
// Each page is measured RUNS times: the first run scores all four categories (accessibility, best
// practices and SEO do not vary between runs), the others performance alone. One JSON line per
// run on standard output. The browser is CHROME_PATH's; nothing is downloaded.
//
// The mobile preset slows the CPU down 4 times, tuned for a host whose benchmark index (Lighthouse's
// measure of the host's speed) is 1000 or more; Lighthouse calls a slower host too slow and asks
// for a calibrated multiplier (docs/throttling.md, "calibrating multipliers"). A 2-core machine busy
// with other work scores 250 to 700, so there the multiplier is 4 x index / 1000 (at least 1), the
// same phone simulated on a slower host; the index is the previous run's (a first run measures it).
import fs from "node:fs";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { throttling } from "lighthouse/core/config/constants.js";

const DEFAULT_THROTTLING = throttling.mobileSlow4G;  // the mobile preset's

const [runs, reportDir, ...urls] = process.argv.slice(2);
const ALL = ["performance", "accessibility", "best-practices", "seo"];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"],
});
// Stopped (a test's timeout), close the browser too: it runs in a process group of its own.
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => chrome.kill().then(() => process.exit(1)));
let benchmark = null;
const multiplier = () => Math.round(100 * Math.min(4, Math.max(1, 4 * benchmark / 1000))) / 100;
async function measure(url, categories) {
  const result = await lighthouse(url, {
    port: chrome.port, output: "json", logLevel: "error", onlyCategories: categories,
    disableFullPageScreenshot: true,
    throttling: { ...DEFAULT_THROTTLING, cpuSlowdownMultiplier: multiplier() },
  });
  benchmark = result.lhr.environment.benchmarkIndex;
  return result;
}
try {
  benchmark = 1000;
  await measure(urls[0], ["performance"]);  // the host's speed, before the first counted run
  for (const url of urls) {
    for (let run = 0; run < Number(runs); run++) {
      const cpuSlowdown = multiplier();
      const result = await measure(url, run === 0 ? ALL : ["performance"]);
      const lhr = result.lhr;
      if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.message}`);
      const name = `${new URL(url).pathname.replace(/^\//, "").replaceAll("/", "-")}.${run}.json`;
      fs.writeFileSync(path.join(reportDir, name), result.report);
      const scores = Object.fromEntries(Object.entries(lhr.categories).map(([k, c]) => [k, Math.round(100 * c.score)]));
      const failing = Object.values(lhr.categories).filter((c) => c.id !== "performance")
        .flatMap((c) => c.auditRefs.filter((r) => r.weight && lhr.audits[r.id].score !== null && lhr.audits[r.id].score < 1).map((r) => r.id));
      process.stdout.write(JSON.stringify({
        url, run, scores, failing,
        bytes: lhr.audits["total-byte-weight"].numericValue,
        lcp: lhr.audits["largest-contentful-paint"].numericValue,
        benchmarkIndex: lhr.environment.benchmarkIndex, cpuSlowdown,
      }) + "\n");
    }
  }
} finally {
  await chrome.kill();
}
