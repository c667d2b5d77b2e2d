/**
 * One-time codes (SPEC §4 "Codes", FLOW-02): 8 digits, valid exactly 5 minutes, 5 guesses, superseded by a
 * newer code, single use, stored only as a purpose-bound HMAC. Without these a 6–8 digit code falls to
 * guessing, replay or a database read.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { codeDigest } from "../../src/methods/codes.ts";
import { createTestEnv, type TestEnv } from "./methods-fixtures.ts";

describe("code service", () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(async () => env.close());

  test("issues an 8-digit code stored only as its purpose-bound digest", async () => {
    const { code, expiresAt } = await env.codes.issue("flow:f1:email-code");
    assert.match(code, /^\d{8}$/);
    assert.equal(expiresAt.getTime(), env.clock.now().getTime() + 300_000);
    const rows = await sql<{ digest: string }>`select digest from codes where purpose = 'flow:f1:email-code'`.execute(
      env.stores.db,
    );
    assert.equal(rows.rows.length, 1);
    assert.equal(rows.rows[0]?.digest, codeDigest(env.keys.codeDigest, "flow:f1:email-code", code));
    assert.ok(!rows.rows[0]?.digest.includes(code));
  });

  test("a code is single use", async () => {
    const { code } = await env.codes.issue("p:single");
    assert.deepEqual(await env.codes.redeem("p:single", code), { kind: "redeemed" });
    assert.deepEqual(await env.codes.redeem("p:single", code), { kind: "not_found" });
  });

  test("still valid at 4:59.999, expired at exactly 5:00", async () => {
    const first = await env.codes.issue("p:ttl-a");
    env.clock.advance(299_999);
    assert.deepEqual(await env.codes.redeem("p:ttl-a", first.code), { kind: "redeemed" });
    const second = await env.codes.issue("p:ttl-b");
    env.clock.advance(300_000);
    assert.deepEqual(await env.codes.redeem("p:ttl-b", second.code), { kind: "expired" });
  });

  test("allows 5 guesses; after that even the right code is refused", async () => {
    const { code } = await env.codes.issue("p:cap");
    const wrong = code === "00000000" ? "11111111" : "00000000";
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await env.codes.redeem("p:cap", wrong);
      assert.equal(result.kind, "mismatch");
      if (result.kind === "mismatch") left.push(result.attemptsLeft);
    }
    assert.deepEqual(left, [4, 3, 2, 1, 0]);
    assert.deepEqual(await env.codes.redeem("p:cap", code), { kind: "exhausted" });
  });

  test("a newer code supersedes the older one", async () => {
    const older = await env.codes.issue("p:supersede");
    const newer = await env.codes.issue("p:supersede");
    if (older.code !== newer.code) {
      assert.equal((await env.codes.redeem("p:supersede", older.code)).kind, "mismatch");
    }
    assert.deepEqual(await env.codes.redeem("p:supersede", newer.code), { kind: "redeemed" });
  });

  test("a code proves nothing for another purpose", async () => {
    const one = await env.codes.issue("flow:a:email-code");
    const other = await env.codes.issue("flow:b:email-code");
    if (one.code !== other.code) assert.equal((await env.codes.redeem("flow:b:email-code", one.code)).kind, "mismatch");
    assert.deepEqual(await env.codes.redeem("flow:b:email-code", other.code), { kind: "redeemed" });
  });

  test("accepts the code typed with spaces or a dash", async () => {
    const { code } = await env.codes.issue("p:typed");
    assert.deepEqual(await env.codes.redeem("p:typed", ` ${code.slice(0, 4)}-${code.slice(4)} `), { kind: "redeemed" });
  });
});
