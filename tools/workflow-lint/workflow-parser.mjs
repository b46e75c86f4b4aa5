// Validate workflow files with GitHub's own workflow parser (npm package @actions/workflow-parser,
// the parser behind GitHub's Actions language service): schema, expressions and contexts.
// Usage: node --import ./register-json-loader.mjs workflow-parser.mjs FILE...  Prints one line per error; exits 1 if any.
import { readFile } from "node:fs/promises";
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from "@actions/workflow-parser";

const files = process.argv.slice(2);
let errors = 0;
for (const name of files) {
  const content = await readFile(name, "utf8");
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const found = [...parsed.context.errors.getErrors()];
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    found.push(...(template.errors ?? []).map((e) => ({ message: e.Message ?? String(e) })));
  }
  for (const message of new Set(found.map((e) => e.message ?? e.Message))) {
    console.log(`${name}: ${message}`);
    errors += 1;
  }
}
console.log(`workflow-parser: ${files.length} workflow(s), ${errors} error(s)`);
process.exit(errors ? 1 : 0);
