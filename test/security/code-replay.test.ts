/**
 * Threat: replaying a secret outside the exchange it was issued for (REQ-012, REQ-013, REQ-031): a code
 * used once, a code from another flow, a flow id without its token, or a token from another browser.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { flowOf, startAPI, startPage, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

test("a code works once, only in its own flow, and a flow only with its own token", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    await t.createUser({ userName: "vera" });
    await t.createUser({ userName: "walt" });
    const api = createClient(t.app);
    const vera = await startAPI(api, "vera");
    await step(api, vera, "path", { path: "reset" });
    await step(api, vera, "method", { method: "email-code" });
    await step(api, vera, "send", { email: "vera@example.test" });
    const code = await t.lastCode("vera@example.test");
    assert.ok(code !== null);

    // Walt's flow cannot use Vera's code (bound to its flow, REQ-013).
    const walt = await startAPI(api, "walt");
    await step(api, walt, "path", { path: "reset" });
    await step(api, walt, "method", { method: "email-code" });
    await step(api, walt, "send", { email: "walt@example.test" });
    assert.equal(flowOf(await step(api, walt, "verify", { code })).state, "in_challenge");

    // Vera's flow id with Walt's token, or with none, is an unknown flow (REQ-031).
    assert.equal((await step(api, { flowId: vera.flowId, token: walt.token }, "verify", { code })).status, 404);
    assert.equal((await api.json("GET", `/api/v1/reset/${vera.flowId}`)).status, 404);

    // The code passes once; replaying it in the same flow does nothing more.
    assert.equal(flowOf(await step(api, vera, "verify", { code })).state, "awaiting_new_password");
    assert.equal((await step(api, vera, "verify", { code })).status, 409);
  } finally {
    await t.close();
  }
});

test("a page flow started in one browser cannot be continued from another cookie jar", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    await t.createUser({ userName: "xena" });
    const victim = createClient(t.app);
    const { flowId } = await startPage(victim, "xena");
    const attacker = createClient(t.app);
    await attacker.get("/reset");
    const stolen = await attacker.postForm(`/reset/${flowId}/path`, { path: "reset" });
    assert.equal(stolen.status, 404);
    assert.equal((await attacker.get(`/reset/${flowId}`)).status, 404);
  } finally {
    await t.close();
  }
});
