/**
 * Per-account throttles (reference §5 THR-01..08, SPEC §8). Without them one account's SMS gate or security
 * questions can be hammered without end; with a wrong boundary either attackers get extra guesses or real users
 * get blocked early. Boundary: "more than five" — attempts 1..5 allowed, the 6th refused and blocks for 24 h.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createAuditRecorder } from "../../src/audit/recorder.ts";
import { createManualClock, DAY_MS, HOUR_MS, type ManualClock, MINUTE_MS } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createThrottleService, type FullThrottleService } from "../../src/policy/throttles.ts";
import type { ThrottleCounter } from "../../src/registry.types.ts";
import { createSqlStores, type SqlStores } from "../../src/store/sql/stores.ts";

let stores: SqlStores;
let clock: ManualClock;
let throttles: FullThrottleService;
let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "opensspr-throttle-"));
  stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
  clock = createManualClock();
  const audit = createAuditRecorder({ stores, clock, random: secureRandom, log: createLogger({ level: "silent" }) });
  throttles = createThrottleService({ stores, clock, audit });
});

afterEach(async () => {
  await stores.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function hits(userId: string, counter: ThrottleCounter, times: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < times; i++) out.push((await throttles.hitAccount(userId, counter, null)).allowed);
  return out;
}

async function blockedEvents(): Promise<number> {
  const { total } = await stores.audit.query({
    activity: "Blocked from self-service password reset",
    offset: 0,
    limit: 100,
  });
  return total;
}

describe("account counters at their exact limits", () => {
  const hourly: ThrottleCounter[] = ["phone-validation", "app-or-sms", "questions", "reset-attempt"];
  for (const counter of hourly) {
    test(`${counter}: 5 in an hour allowed, the 6th blocked`, async () => {
      assert.deepEqual(await hits("u1", counter, 5), [true, true, true, true, true]);
      assert.equal(await throttles.isAccountBlocked("u1"), null);
      assert.deepEqual(await hits("u1", counter, 1), [false]);
      assert.deepEqual(await throttles.isAccountBlocked("u1"), { until: new Date(clock.now().getTime() + DAY_MS) });
    });
  }

  test("THR-02 window: 5 attempts, an hour passes, 5 more are allowed", async () => {
    await hits("u1", "phone-validation", 5);
    clock.advance(HOUR_MS + 1);
    assert.deepEqual(await hits("u1", "phone-validation", 5), [true, true, true, true, true]);
  });

  test("THR-01: 5 failed proofs within 24 h allowed, the 6th blocks even when spread over the day", async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await throttles.hitAccount("u1", "identity-proof", null)).allowed, true);
      clock.advance(4 * HOUR_MS);
    }
    assert.equal((await throttles.hitAccount("u1", "identity-proof", null)).allowed, false);
  });

  test("THR-06: 10 emails in 10 minutes allowed, the 11th blocked; after the window they are allowed again", async () => {
    assert.ok((await hits("u1", "email-send", 10)).every(Boolean));
    clock.advance(10 * MINUTE_MS + 1);
    assert.ok((await hits("u2", "email-send", 10)).every(Boolean));
    assert.deepEqual(await hits("u2", "email-send", 1), [false]);
    assert.ok((await hits("u1", "email-send", 10)).every(Boolean), "u1's window moved on");
  });

  test("the block lasts 24 h: still blocked at +23:59, allowed at +24 h; counters are per account", async () => {
    await hits("u1", "questions", 6);
    assert.deepEqual(await hits("u2", "questions", 1), [true], "another account is not affected");
    clock.advance(DAY_MS - MINUTE_MS);
    assert.deepEqual(await hits("u1", "reset-attempt", 1), [false], "a block covers every counter");
    clock.advance(MINUTE_MS);
    assert.equal(await throttles.isAccountBlocked("u1"), null);
    assert.deepEqual(await hits("u1", "questions", 1), [true]);
  });
});

describe("THR-07 / THR-08 / unblock", () => {
  test("'Blocked from self-service password reset' is audited once per block", async () => {
    await hits("u1", "app-or-sms", 9);
    assert.equal(await blockedEvents(), 1);
    const { rows } = await stores.audit.query({
      activity: "Blocked from self-service password reset",
      offset: 0,
      limit: 1,
    });
    assert.equal(rows[0]?.targetId, "u1");
    assert.equal(rows[0]?.outcome, "success");
    assert.equal(rows[0]?.details["rule"], "THR-03");
    clock.advance(DAY_MS);
    await hits("u1", "app-or-sms", 6);
    assert.equal(await blockedEvents(), 2, "a new block after expiry is audited again");
  });

  test("blocked accounts are listed with their reason until the block ends", async () => {
    await hits("u1", "questions", 6);
    const blocked = await throttles.listBlockedAccounts();
    assert.deepEqual(
      blocked.map((b) => [b.userId, b.reason]),
      [["u1", "User tried to answer security questions too many times and is blocked for 24 hours"]],
    );
    clock.advance(DAY_MS);
    assert.deepEqual(await throttles.listBlockedAccounts(), []);
  });

  test("THR-08: counters cleared on success start again from zero", async () => {
    await hits("u1", "questions", 5);
    await throttles.clearAccount("u1");
    assert.deepEqual(await hits("u1", "questions", 5), [true, true, true, true, true]);
  });

  test("an admin can clear a block; it is audited and the user may try again", async () => {
    await hits("u1", "reset-attempt", 6);
    await throttles.unblock("u1", { actor: { id: "admin-1", name: "admin" }, ctx: null });
    assert.equal(await throttles.isAccountBlocked("u1"), null);
    assert.deepEqual(await hits("u1", "reset-attempt", 1), [true]);
    const { rows } = await stores.audit.query({
      activity: "Unblock user from self-service password reset",
      offset: 0,
      limit: 5,
    });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.actorName, "admin");
  });
});

describe("generic per-key limits (source address, destination)", () => {
  test("count independently and never block the account", async () => {
    const limit = { limit: 3, windowMs: MINUTE_MS };
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await throttles.hitKey("ip:203.0.113.9:identify", limit)).allowed);
    assert.deepEqual(results, [true, true, true, false]);
    assert.equal((await throttles.hitKey("ip:203.0.113.10:identify", limit)).allowed, true);
    clock.advance(MINUTE_MS + 1);
    assert.equal((await throttles.hitKey("ip:203.0.113.9:identify", limit)).allowed, true);
    assert.equal(await blockedEvents(), 0);
  });

  test("a nonsensical limit is a programming error", async () => {
    await assert.rejects(throttles.hitKey("k", { limit: 0, windowMs: 1000 }), RangeError);
  });
});
