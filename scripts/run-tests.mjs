#!/usr/bin/env node
// Runs one test suite with node's own test runner (through tsx), so CI reads its summary line.
// Node 20 has no glob support in `--test`, so the files are collected here.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const suites = {
  // Everything that needs nothing but Node: unit, store (SQLite), builtin connector, HTTP end-to-end, security.
  unit: ["test/unit", "test/e2e", "test/security", "src"],
  // Real servers: slapd, Samba AD DC, PostgreSQL.
  integration: ["test/integration"],
  // Chromium through playwright-core.
  browser: ["test/browser"],
};

const suite = process.argv[2] ?? "unit";
const roots = suites[suite];
if (roots === undefined) {
  console.error(`unknown suite "${suite}"; one of: ${Object.keys(suites).join(", ")}`);
  process.exit(2);
}

function collect(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(collect(path));
    else if (name.endsWith(".test.ts") || name.endsWith(".test.tsx")) out.push(path);
  }
  return out;
}

const filter = process.argv[3];
const files = roots
  .flatMap(collect)
  .filter((f) => filter === undefined || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files for suite "${suite}"`);
  process.exit(1);
}
const concurrency = suite === "unit" ? "2" : "1";
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    // A test that hangs fails after 10 minutes, and a file whose set-up failed cannot keep the run waiting on an
    // open server handle: the suite ends with a failure instead of hanging until CI's time runs out.
    "--test-timeout=600000",
    "--test-force-exit",
    "--test-reporter=spec",
    ...files,
  ],
  { stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(result.status ?? 1);
