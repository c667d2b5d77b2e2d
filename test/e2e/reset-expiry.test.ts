/**
 * Lifetimes with the injected clock: a reset flow lives 15 minutes (FLOW-01), a code 5 minutes (FLOW-02).
 * Just before the deadline the step works; at the deadline and after it does not.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { flowOf, startAPI, startPage, step, TEST_CAPTCHA_MAX } from "./reset-support.ts";

const POLICY = { enabled: "all" as const, methods: ["email-code" as const, "totp" as const] };

async function app(): Promise<TestApp> {
  return buildTestApp({ config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } }, policy: POLICY });
}

async function flowWithCode(t: TestApp, name: string) {
  await t.createUser({ userName: name });
  const api = createClient(t.app);
  const flow = await startAPI(api, name);
  await step(api, flow, "path", { path: "reset" });
  await step(api, flow, "method", { method: "email-code" });
  await step(api, flow, "send", { email: `${name}@example.test` });
  const code = await t.lastCode(`${name}@example.test`);
  assert.ok(code !== null);
  return { api, flow, code };
}

describe("reset flow lifetime (FLOW-01: 15 minutes)", () => {
  test("one millisecond before 15:00 the flow still works", async () => {
    const t = await app();
    try {
      const { api, flow, code } = await flowWithCode(t, "amy");
      t.clock.advance(4 * 60_000); // the code is still young
      const passed = flowOf(await step(api, flow, "verify", { code }));
      assert.equal(passed.state, "awaiting_new_password");
      t.clock.advance(11 * 60_000 - 1); // 14:59.999 since identify
      const view = await api.json("GET", `/api/v1/reset/${flow.flowId}`, undefined, {
        headers: { "x-flow-token": flow.token },
      });
      assert.equal(view.status, 200);
    } finally {
      await t.close();
    }
  });

  test("at 15:00 and after, every step answers 410 FLOW_EXPIRED, on the pages too", async () => {
    const t = await app();
    try {
      await t.createUser({ userName: "ben" });
      const browser = createClient(t.app);
      const { flowId } = await startPage(browser, "ben");
      t.clock.advance(15 * 60_000);
      const page = await browser.get(`/reset/${flowId}`);
      assert.equal(page.status, 410);
      assert.match(page.body, /support-code__value/);
      const post = await browser.postForm(`/reset/${flowId}/path`, { path: "reset" });
      assert.equal(post.status, 410);
      t.clock.advance(60_000);
      assert.equal((await browser.get(`/reset/${flowId}`)).status, 410);
    } finally {
      await t.close();
    }
  });
});

describe("code lifetime (FLOW-02: 5 minutes)", () => {
  test("a code is accepted one millisecond before 5:00", async () => {
    const t = await app();
    try {
      const { api, flow, code } = await flowWithCode(t, "cleo");
      t.clock.advance(5 * 60_000 - 1);
      assert.equal(flowOf(await step(api, flow, "verify", { code })).state, "awaiting_new_password");
    } finally {
      await t.close();
    }
  });

  test("at 5:00 the code is expired and the correct code no longer passes", async () => {
    const t = await app();
    try {
      const { api, flow, code } = await flowWithCode(t, "dan");
      t.clock.advance(5 * 60_000);
      const response = await step(api, flow, "verify", { code });
      const view = flowOf(response);
      assert.notEqual(view.state, "awaiting_new_password");
      assert.equal(view.message, "method.code.expired");
    } finally {
      await t.close();
    }
  });
});
