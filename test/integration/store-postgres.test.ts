/**
 * The store contract on a real PostgreSQL server, plus what only matters with several instances on one
 * database: two processes' stores claiming the outbox, redeeming one code and appending to the audit chain
 * at the same time.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { runStoreContract } from "../../src/store/contract/stores.contract.ts";
import { GENESIS_HASH } from "../../src/store/sql/audit-chain.ts";
import { createSqlStores, migrate, readSchemaVersion, type SqlStores } from "../../src/store/sql/stores.ts";
import type { RedeemResult } from "../../src/store/types.ts";
import { type PostgresServer, startPostgres } from "../support/postgres.ts";

let server: PostgresServer | undefined;
const ready = startPostgres().then((s) => {
  server = s;
  return s;
});
after(async () => {
  await server?.stop();
});

/**
 * Every contract test starts from an empty database. Creating one per test costs about a second, so the
 * contract shares one migrated database and empties it (the migration itself is tested below).
 */
let contractUrl: Promise<string> | undefined;
runStoreContract("postgres", async () => {
  contractUrl ??= ready.then((s) => s.newDatabase());
  const stores = await createSqlStores({ url: await contractUrl, dataDir: "/nonexistent" });
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'`.execute(stores.db);
  await sql`truncate ${sql.join(tables.rows.map((t) => sql.table(t.tablename)))} restart identity cascade`.execute(
    stores.db,
  );
  await stores.db
    .insertInto("audit_chain")
    .values({ id: 1, seq: 0, hash: GENESIS_HASH, anchor: GENESIS_HASH })
    .execute();
  return stores;
});

const T0 = new Date("2026-03-01T10:00:00.000Z");

describe("postgres: two instances on one database", () => {
  let a: SqlStores;
  let b: SqlStores;
  before(async () => {
    const url = await (await ready).newDatabase();
    // Both instances migrate at once, as two replicas starting together would.
    [a, b] = await Promise.all([
      createSqlStores({ url, dataDir: "/nonexistent" }),
      createSqlStores({ url, dataDir: "/nonexistent" }),
    ]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  test("never claim the same outbox message", async () => {
    for (let i = 0; i < 60; i++) {
      await a.outbox.enqueue({
        id: `m${i}`,
        channel: "email",
        recipient: "alice@example.test",
        subject: "s",
        body: "b",
        html: null,
        template: "reset-code",
        status: "queued",
        attempts: 0,
        nextAttemptAt: T0,
        lastError: null,
        createdAt: T0,
        sentAt: null,
        campaignId: null,
      });
    }
    const claimed: string[] = [];
    await Promise.all(
      [a, b, a, b].map(async (stores) => {
        for (;;) {
          const batch = await stores.outbox.claimDue(T0, 7);
          if (batch.length === 0) return;
          claimed.push(...batch.map((m) => m.id));
        }
      }),
    );
    assert.equal(claimed.length, 60);
    assert.equal(new Set(claimed).size, 60);
  });

  test("redeem one code at most once across instances", async () => {
    await a.codes.issue({
      id: "c1",
      purpose: "flow:x:gate:email-code",
      digest: "d",
      expiresAt: new Date(T0.getTime() + 300_000),
      attempts: 0,
      maxAttempts: 50,
      consumedAt: null,
      createdAt: T0,
    });
    const results: RedeemResult[] = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).codes.redeem("flow:x:gate:email-code", "d", T0)),
    );
    assert.equal(results.filter((r) => r.kind === "redeemed").length, 1);
  });

  test("audit appends from both instances form one verifiable chain", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).audit.append({
          id: `e${i}`,
          at: new Date(T0.getTime() + i),
          activity: "Reset password (self-service)",
          service: "Self-service Password Management",
          outcome: "success",
          reason: "ok",
          actorId: null,
          actorName: null,
          targetId: "u1",
          targetName: "alice",
          ip: null,
          userAgent: null,
          correlationId: null,
          details: { i },
        }),
      ),
    );
    assert.deepEqual(await a.verifyAuditChain(), { ok: true, count: 40 });
  });

  test("an audit entry edited directly in the database is detected", async () => {
    await a.db.updateTable("audit_log").set({ outcome: "failure" }).where("id", "=", "e7").execute();
    assert.deepEqual(await b.verifyAuditChain(), { ok: false, count: 40, id: "e7", problem: "hash_mismatch" });
  });
});

describe("postgres: migrations and errors", () => {
  test("migrate() runs once; readSchemaVersion() reports it", async () => {
    const url = await (await ready).newDatabase();
    assert.deepEqual((await readSchemaVersion({ url, dataDir: "/nonexistent" })).pending, ["0001_initial"]);
    const first = await migrate({ url, dataDir: "/nonexistent" });
    assert.deepEqual(first.applied, ["0001_initial"]);
    assert.equal(first.dialect, "postgres");
    assert.deepEqual((await migrate({ url, dataDir: "/nonexistent" })).applied, []);
  });

  test("an unreachable server is STORE_UNAVAILABLE", async () => {
    await assert.rejects(
      createSqlStores({ url: "postgres://postgres@127.0.0.1:1/none", dataDir: "/nonexistent" }),
      (error: unknown) => (error as { code?: string }).code === "STORE_UNAVAILABLE",
    );
  });
});
