/**
 * The store contract on SQLite (in memory and in a file), plus what only the SQLite path does: creating the
 * data directory and database file, WAL mode, migrations on open, and detecting tampering done directly in
 * the database file (REQ-112).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sql } from "kysely";
import { AppError } from "../../src/errors/app-error.ts";
import { runStoreContract } from "../../src/store/contract/stores.contract.ts";
import { createSqlStores, migrate, readSchemaVersion } from "../../src/store/sql/stores.ts";

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "opensspr-store-"));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

runStoreContract("sqlite (memory)", () => createSqlStores({ url: "sqlite::memory:", dataDir: "/nonexistent" }));
runStoreContract("sqlite (file)", () => createSqlStores({ url: "", dataDir: tempDir() }));

const T0 = new Date("2026-03-01T10:00:00.000Z");
function auditInput(id: string, reason: string) {
  return {
    id,
    at: T0,
    activity: "Reset password (self-service)",
    service: "Self-service Password Management" as const,
    outcome: "success" as const,
    reason,
    actorId: "u1",
    actorName: "alice",
    targetId: "u1",
    targetName: "alice",
    ip: null,
    userAgent: null,
    correlationId: null,
    details: {},
  };
}

describe("sqlite store specifics", () => {
  test("creates the data directory and opensspr.db in WAL mode, and keeps data across reopen", async () => {
    const dataDir = join(tempDir(), "nested", "data");
    const first = await createSqlStores({ url: "", dataDir });
    assert.ok(existsSync(join(dataDir, "opensspr.db")));
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db);
    assert.equal(mode.rows[0]?.journal_mode, "wal");
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(first.db);
    assert.equal(fk.rows[0]?.foreign_keys, 1);
    await first.settings.set("k", { v: 1 }, T0);
    await first.close();

    const second = await createSqlStores({ url: "", dataDir });
    assert.deepEqual(await second.settings.get("k"), { v: 1 });
    assert.deepEqual(await second.schemaVersion(), { current: "0001_initial", latest: "0001_initial", pending: [] });
    await second.close();
  });

  test("migrate() applies the schema once and readSchemaVersion() reports it", async () => {
    const dataDir = tempDir();
    assert.deepEqual((await readSchemaVersion({ url: "", dataDir })).pending, ["0001_initial"]);
    const firstRun = await migrate({ url: "", dataDir });
    assert.deepEqual(firstRun.applied, ["0001_initial"]);
    assert.equal(firstRun.version, "0001_initial");
    assert.equal(firstRun.dialect, "sqlite");
    const secondRun = await migrate({ url: "", dataDir });
    assert.deepEqual(secondRun.applied, []);
    assert.equal((await readSchemaVersion({ url: "", dataDir })).current, "0001_initial");
  });

  test("detects an audit entry edited or deleted directly in the database", async () => {
    const stores = await createSqlStores({ url: "sqlite::memory:", dataDir: "/nonexistent" });
    try {
      for (let i = 1; i <= 4; i++) await stores.audit.append(auditInput(`a${i}`, `reason ${i}`));
      assert.deepEqual(await stores.verifyAuditChain(), { ok: true, count: 4 });

      await stores.db.updateTable("audit_log").set({ reason: "nothing happened" }).where("id", "=", "a2").execute();
      assert.deepEqual(await stores.verifyAuditChain(), { ok: false, count: 4, id: "a2", problem: "hash_mismatch" });
      await stores.db.updateTable("audit_log").set({ reason: "reason 2" }).where("id", "=", "a2").execute();
      assert.equal((await stores.verifyAuditChain()).ok, true);

      await stores.db.deleteFrom("audit_log").where("id", "=", "a3").execute();
      assert.deepEqual(await stores.verifyAuditChain(), { ok: false, count: 3, id: "a4", problem: "broken_link" });

      await stores.db.deleteFrom("audit_log").where("id", "=", "a4").execute();
      assert.deepEqual(await stores.verifyAuditChain(), { ok: false, count: 2, id: null, problem: "truncated" });
    } finally {
      await stores.close();
    }
  });

  test("retention keeps the chain verifiable", async () => {
    const stores = await createSqlStores({ url: "sqlite::memory:", dataDir: "/nonexistent" });
    try {
      for (let i = 1; i <= 4; i++) {
        await stores.audit.append({ ...auditInput(`a${i}`, "r"), at: new Date(T0.getTime() + i * 1000) });
      }
      assert.equal(await stores.audit.deleteOlderThan(new Date(T0.getTime() + 3000)), 2);
      assert.deepEqual(await stores.verifyAuditChain(), { ok: true, count: 2 });
    } finally {
      await stores.close();
    }
  });

  test("an unusable data directory or URL fails with STORE_UNAVAILABLE", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    await assert.rejects(createSqlStores({ url: "", dataDir: join(file, "data") }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "STORE_UNAVAILABLE");
      return true;
    });
    await assert.rejects(createSqlStores({ url: "mysql://localhost/x", dataDir: tempDir() }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "STORE_UNAVAILABLE");
      return true;
    });
  });
});
