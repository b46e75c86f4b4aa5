// Node 20 needs `with { type: "json" }` on JSON imports; @actions/workflow-parser omits it
// (it targets bundlers and newer Node). This load hook serves its JSON schema files as JSON.
import { readFile } from "node:fs/promises";

export async function load(url, context, nextLoad) {
  if (url.endsWith(".json")) {
    return { format: "json", source: await readFile(new URL(url), "utf8"), shortCircuit: true };
  }
  return nextLoad(url, context);
}
