/**
 * Abuse limits at their exact boundaries (SPEC §8, reference §5): THR-05 reset attempts (5 per hour, the 6th
 * blocks for 24 h), THR-01 failed proofs (5 per 24 h), THR-06 emails (10 per 10 minutes), the single
 * "Blocked from self-service password reset" audit event, the per-address identify limit, counters cleared
 * on success (THR-08) and the administrator's unblock.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "./reset-support.ts";

async function app(): Promise<TestApp> {
  return buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"], methodsRequired: 1 },
  });
}

/** identify → reset path → email gate → send to the typed address; returns the flow. */
async function requestCode(api: HTTPClient, name: string, address = `${name}@example.test`) {
  const flow = await startAPI(api, name);
  await step(api, flow, "path", { path: "reset" });
  await step(api, flow, "method", { method: "email-code" });
  await step(api, flow, "send", { email: address });
  return flow;
}

async function blockedEvents(t: TestApp): Promise<number> {
  const { rows } = await t.registry.stores.audit.query({
    activity: "Blocked from self-service password reset",
    offset: 0,
    limit: 50,
  });
  return rows.length;
}

test("THR-05: five reset attempts an hour are served, the sixth blocks for 24 hours and is audited once", async () => {
  const t = await app();
  try {
    await t.createUser({ userName: "ivy" });
    const api = createClient(t.app);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await requestCode(api, "ivy");
      assert.equal((await t.mailbox("ivy@example.test")).length, attempt, `attempt ${attempt} should send a code`);
    }
    assert.equal(await blockedEvents(t), 0);
    await requestCode(api, "ivy");
    await requestCode(api, "ivy");
    assert.equal((await t.mailbox("ivy@example.test")).length, 5, "no code once blocked");
    assert.equal(await blockedEvents(t), 1, "the block is audited exactly once");
    // Still blocked just before 24 h; served again after.
    t.clock.advance(24 * 3_600_000 - 60_000);
    await requestCode(api, "ivy");
    assert.equal((await t.mailbox("ivy@example.test")).length, 5);
    t.clock.advance(2 * 60_000);
    await requestCode(api, "ivy");
    assert.equal((await t.mailbox("ivy@example.test")).length, 6);
  } finally {
    await t.close();
  }
});

test("THR-01: the sixth failed proof in 24 hours blocks, and then even the right code fails", async () => {
  const t = await app();
  try {
    await t.createUser({ userName: "jack" });
    const api = createClient(t.app);
    const first = await requestCode(api, "jack");
    for (let i = 0; i < 4; i++) await step(api, first, "verify", { code: "00000000" });
    assert.equal(await blockedEvents(t), 0);
    const second = await requestCode(api, "jack");
    await step(api, second, "verify", { code: "00000000" }); // 5th failure: still allowed
    assert.equal(await blockedEvents(t), 0);
    const code = await t.lastCode("jack@example.test");
    assert.ok(code !== null);
    await step(api, second, "verify", { code: "11111111" }); // 6th failure: blocked
    assert.equal(await blockedEvents(t), 1);
    const after = flowOf(await step(api, second, "verify", { code }));
    assert.notEqual(after.state, "awaiting_new_password");
  } finally {
    await t.close();
  }
});

test("THR-06 and the destination limit: ten emails are sent, the eleventh is not", async () => {
  const t = await app();
  try {
    await t.createUser({ userName: "kim" });
    const api = createClient(t.app);
    const flow = await startAPI(api, "kim");
    await step(api, flow, "path", { path: "reset" });
    for (let i = 1; i <= 11; i++) {
      await step(api, flow, "method", { method: "email-code" });
      const sent = await step(api, flow, "send", { email: "kim@example.test" });
      assert.equal(sent.status, 200);
      assert.equal(
        flowOf(sent).challenge?.kind,
        "enter-code",
        "the page looks the same whether or not a mail went out",
      );
    }
    // The per-destination limit (10 an hour) and THR-06 (10 per 10 minutes) agree: the 11th is not sent.
    assert.equal((await t.mailbox("kim@example.test")).length, 10);
  } finally {
    await t.close();
  }
});

test("per source address: the 21st identify in a minute is refused with 429 for any identifier", async () => {
  const t = await app();
  try {
    const api = createClient(t.app);
    for (let i = 0; i < 20; i++) await startAPI(api, `nobody-${i}`);
    const { solveCaptcha } = await import("./reset-support.ts");
    const refused = await api.json("POST", "/api/v1/reset", {
      identifier: "nobody-x",
      captcha: await solveCaptcha(api),
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, "RATE_LIMITED");
    t.clock.advance(60_001);
    await startAPI(api, "nobody-y");
  } finally {
    await t.close();
  }
});

test("THR-08 and unblock: success clears the counters; an administrator can lift a block", async () => {
  const t = await app();
  try {
    const lea = await t.createUser({ userName: "lea" });
    const api = createClient(t.app);
    for (let i = 0; i < 4; i++) await requestCode(api, "lea");
    await t.mailbox(); // deliver the earlier codes first, so the last one is the newest
    t.clock.advance(1000);
    const flow = await requestCode(api, "lea");
    const code = await t.lastCode("lea@example.test");
    assert.ok(code !== null);
    assert.equal(flowOf(await step(api, flow, "verify", { code })).state, "awaiting_new_password");
    const done = await step(api, flow, "password", {
      password: "Maple-Orbit-Canyon-52",
      confirm: "Maple-Orbit-Canyon-52",
    });
    assert.equal(flowOf(done).state, "done", done.body);
    // Counters cleared: five more attempts are served without a block.
    for (let i = 0; i < 5; i++) await requestCode(api, "lea");
    assert.equal(await blockedEvents(t), 0);
    await requestCode(api, "lea"); // 6th: blocked
    assert.notEqual(await t.registry.throttles.isAccountBlocked(lea.id), null);
    // An hour later the per-destination window is clear, but the 24-hour block still holds...
    t.clock.advance(61 * 60_000);
    const before = (await t.mailbox("lea@example.test")).length;
    await requestCode(api, "lea");
    assert.equal((await t.mailbox("lea@example.test")).length, before);
    // ...until an administrator lifts it.
    await t.registry.throttles.unblock(lea.id, { actor: { id: "admin", name: "admin" }, ctx: null });
    await requestCode(api, "lea");
    assert.equal((await t.mailbox("lea@example.test")).length, before + 1);
  } finally {
    await t.close();
  }
});
