/**
 * `npm run docs:config`: regenerates docs/configuration.md from the configuration schema.
 * `npm run docs:config -- --check` exits 1 when the committed file is stale (the unit test does the same).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderConfigDocs } from "../src/config/describe.ts";

const target = join(import.meta.dirname, "..", "docs", "configuration.md");
const wanted = renderConfigDocs();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== wanted) {
    console.error("docs/configuration.md is stale: run `npm run docs:config`");
    process.exit(1);
  }
  console.log("docs/configuration.md is up to date");
} else {
  writeFileSync(target, wanted);
  console.log(`wrote ${target}`);
}
