/**
 * The audit recorder stamps every event with the reference's activity name, who, from where and the
 * request's correlation id, and refuses to store secrets even when a caller passes them by mistake
 * (SPEC §9: "never a password, code, answer or secret").
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { createAuditRecorder, isSecretKey, scrubDetails } from "../../src/audit/recorder.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createTestEnv, REQUEST, type TestEnv } from "./methods-fixtures.ts";

describe("audit recorder", () => {
  let env: TestEnv;
  const logLines: string[] = [];
  before(async () => {
    env = await createTestEnv();
  });
  after(async () => env.close());

  function recorder() {
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    });
    return createAuditRecorder({
      stores: env.stores,
      clock: env.clock,
      random: secureRandom,
      log: createLogger({ level: "info", destination }),
    });
  }

  test("maps the activity key to the reference's name and service and fills the request context", async () => {
    const row = await recorder().record({
      activity: "resetSelfService",
      outcome: "success",
      reason: "User successfully reset password",
      actor: { id: "u1", name: "alice" },
      target: { id: "u1", name: "alice" },
      ctx: REQUEST,
      details: { method: "email-code" },
    });
    assert.equal(row.activity, "Reset password (self-service)");
    assert.equal(row.service, "Self-service Password Management");
    assert.equal(row.ip, "203.0.113.7");
    assert.equal(row.userAgent, "node-test");
    assert.equal(row.correlationId, "req-0001");
    assert.equal(row.at.getTime(), env.clock.now().getTime());
    const { rows } = await env.stores.audit.query({ correlationId: "req-0001", offset: 0, limit: 10 });
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]?.details, { method: "email-code" });
  });

  test("events without a request (background jobs) have no ip, agent or correlation id", async () => {
    const row = await recorder().record({ activity: "policyChanged", outcome: "success", reason: "cli", ctx: null });
    assert.equal(row.ip, null);
    assert.equal(row.correlationId, null);
    assert.equal(row.actorId, null);
  });

  test("secrets passed in details are never stored, at any depth", async () => {
    const row = await recorder().record({
      activity: "registeredInfo",
      outcome: "success",
      reason: "test",
      ctx: REQUEST,
      details: {
        method: "totp",
        newPassword: "Hunter2!Hunter2!",
        code: "12345678",
        nested: { answers: ["Paris"], otpSecret: "JBSWY3DPEHPK3PXP", list: [{ resetToken: "abc" }] },
        uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
        errorCode: "0000052D",
        attemptsLeft: 3,
      },
    });
    const stored = JSON.stringify((await env.stores.audit.query({ offset: 0, limit: 100 })).rows);
    for (const secret of ["Hunter2!Hunter2!", "12345678", "Paris", "JBSWY3DPEHPK3PXP", '"abc"']) {
      assert.ok(!stored.includes(secret), `audit store contains ${secret}`);
    }
    assert.equal(row.details.method, "totp");
    assert.equal(row.details.errorCode, "0000052D");
    assert.equal(row.details.attemptsLeft, 3);
    assert.equal(row.details.newPassword, "[redacted]");
  });

  test("writes a one-line structured log summary without the details", async () => {
    logLines.length = 0;
    await recorder().record({
      activity: "blocked",
      outcome: "success",
      reason: "questions",
      target: { id: "u9", name: "bob" },
      ctx: REQUEST,
      details: { password: "NotInLogs123" },
    });
    assert.equal(logLines.length, 1);
    const line = JSON.parse(logLines[0] as string) as { audit: { activity: string; targetId: string }; reqId: string };
    assert.equal(line.audit.activity, "blocked");
    assert.equal(line.audit.targetId, "u9");
    assert.equal(line.reqId, "req-0001");
    assert.ok(!(logLines[0] as string).includes("NotInLogs123"));
  });

  test("knows which keys are secret", () => {
    for (const key of [
      "password",
      "currentPassword",
      "code",
      "verificationCode",
      "answer",
      "secret",
      "apiToken",
      "otp",
    ]) {
      assert.ok(isSecretKey(key), key);
    }
    for (const key of ["method", "errorCode", "statusCode", "reason", "attempts", "countryCode"]) {
      assert.ok(!isSecretKey(key), key);
    }
    assert.deepEqual(scrubDetails({ a: { b: { c: { password: "x" } } } }), {
      a: { b: { c: { password: "[redacted]" } } },
    });
  });
});
