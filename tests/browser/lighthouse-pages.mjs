// Lighthouse (mobile preset, the default) on a list of pages, in one Chromium: for
// tests/test_lighthouse.py. Usage: node lighthouse-pages.mjs RUNS REPORT_DIR URL...
// Each page is measured RUNS times: the first run scores all four categories (accessibility, best
// practices and SEO do not vary between runs), the others performance alone. One JSON line per
// run on standard output. The browser is CHROME_PATH's; nothing is downloaded.
import fs from "node:fs";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [runs, reportDir, ...urls] = process.argv.slice(2);
const ALL = ["performance", "accessibility", "best-practices", "seo"];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"],
});
// Stopped (a test's timeout), close the browser too: it runs in a process group of its own.
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => chrome.kill().then(() => process.exit(1)));
try {
  for (const url of urls) {
    for (let run = 0; run < Number(runs); run++) {
      const result = await lighthouse(url, {
        port: chrome.port, output: "json", logLevel: "error",
        onlyCategories: run === 0 ? ALL : ["performance"], disableFullPageScreenshot: true,
      });
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
        benchmarkIndex: lhr.environment.benchmarkIndex,
      }) + "\n");
    }
  }
} finally {
  await chrome.kill();
}
