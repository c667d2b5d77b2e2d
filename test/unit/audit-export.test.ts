/**
 * Audit export (SPEC §9: CSV/JSON export). CSV follows RFC 4180 and neutralises spreadsheet formulas
 * (CWE-1236): a user name like `=HYPERLINK(...)` typed into the reset form must not run in the auditor's
 * spreadsheet.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { csvCell, exportAuditToString } from "../../src/audit/export.ts";
import { createAuditRecorder } from "../../src/audit/recorder.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createTestEnv, REQUEST, type TestEnv } from "./methods-fixtures.ts";

/** Minimal RFC 4180 parser to read the export back. */
function parseCSV(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  return records;
}

describe("audit export", () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
    const audit = createAuditRecorder({
      stores: env.stores,
      clock: env.clock,
      random: secureRandom,
      log: createLogger({ level: "silent" }),
    });
    await audit.record({
      activity: "flowProgress",
      outcome: "failure",
      reason: "No account matches the submitted user ID",
      actor: { id: null, name: '=HYPERLINK("http://evil.example","x")' },
      ctx: { ...REQUEST, userAgent: 'Mozilla "quoted", with comma\nand newline' },
      details: { identifier: "+cmd|' /C calc'!A0" },
    });
    for (let i = 0; i < 7; i++) {
      env.clock.advance(1000);
      await audit.record({ activity: "resetSelfService", outcome: "success", reason: `r${i}`, ctx: REQUEST });
    }
  });
  after(async () => env.close());

  test("CSV is RFC 4180 and formula-safe", async () => {
    const csv = await exportAuditToString(
      { stores: env.stores },
      { offset: 0, limit: 100, outcome: "failure" },
      { format: "csv" },
    );
    assert.ok(csv.endsWith("\r\n"));
    const [header, row] = parseCSV(csv);
    assert.ok(header !== undefined && row !== undefined);
    const get = (name: string): string => row[header.indexOf(name)] as string;
    assert.equal(get("actorName"), `'=HYPERLINK("http://evil.example","x")`);
    assert.equal(get("userAgent"), 'Mozilla "quoted", with comma\nand newline');
    assert.equal(get("activity"), "Self-service password reset flow activity progress");
    assert.ok(get("details").includes("+cmd")); // inside JSON, starting with "{": not a formula
    assert.equal(get("correlationId"), "req-0001");
  });

  test("every formula trigger is neutralised", () => {
    for (const value of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
      assert.ok(csvCell(value).replace(/^"/, "").startsWith("'"), value);
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell('a"b'), '"a""b"');
  });

  test("JSON lines export pages through the store and keeps every row", async () => {
    const jsonl = await exportAuditToString(
      { stores: env.stores },
      { offset: 0, limit: 100 },
      { format: "jsonl", pageSize: 3 },
    );
    const lines = jsonl
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { reason: string; at: string });
    assert.equal(lines.length, 8);
    assert.equal(new Set(lines.map((l) => l.reason)).size, 8);
    assert.ok(lines.every((l) => !Number.isNaN(Date.parse(l.at))));
  });

  test("the query's limit bounds the export", async () => {
    const csv = await exportAuditToString(
      { stores: env.stores },
      { offset: 0, limit: 5, outcome: "success" },
      { format: "csv", pageSize: 2 },
    );
    assert.equal(parseCSV(csv).length, 1 + 5);
  });
});
