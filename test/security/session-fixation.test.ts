/**
 * Threat: session fixation of the reset flow (REQ-084, REQ-031). An attacker starts a flow for the victim's
 * account, plants its token in the victim's browser (or keeps a copy of it), lets the victim pass the
 * gates, then sets the password with the token they kept. A passed gate must replace the token, so the
 * copy made before is worthless.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { flowOf, startAPI, startPage, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, TEST_PASSWORD } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const NEW = "Orchard-Meteor-Saddle-58";

test("the token held before a gate was passed cannot continue the flow (API)", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    const victim = await t.createUser({ userName: "pia" });
    const api = createClient(t.app);
    const flow = await startAPI(api, "pia");
    const attackerCopy = { flowId: flow.flowId, token: flow.token };
    await step(api, flow, "path", { path: "reset" });
    await step(api, flow, "method", { method: "email-code" });
    await step(api, flow, "send", { email: "pia@example.test" });
    const code = await t.lastCode("pia@example.test");
    assert.ok(code !== null);
    const passed = await step(api, flow, "verify", { code });
    assert.equal(flowOf(passed).state, "awaiting_new_password");
    assert.notEqual(flow.token, attackerCopy.token, "the token was replaced");
    const attack = await step(api, attackerCopy, "password", { password: NEW, confirm: NEW });
    assert.equal(attack.status, 404);
    assert.equal(await t.registry.directory.passwords?.verify?.(victim, TEST_PASSWORD), true);
  } finally {
    await t.close();
  }
});

test("a planted page cookie is replaced when the gate is passed", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    const victim = await t.createUser({ userName: "quin" });
    const browser = createClient(t.app);
    const { flowId } = await startPage(browser, "quin");
    const planted = browser.cookie("opensspr-reset");
    assert.ok(planted !== undefined);
    await browser.postForm(`/reset/${flowId}/path`, { path: "reset" });
    await browser.postForm(`/reset/${flowId}/method`, { method: "email-code" });
    await browser.postForm(`/reset/${flowId}/send`, { email: "quin@example.test" });
    const code = await t.lastCode("quin@example.test");
    assert.ok(code !== null);
    const passed = await browser.postForm(`/reset/${flowId}/verify`, { code });
    assert.match(passed.body, /Create a new password/);
    assert.notEqual(browser.cookie("opensspr-reset"), planted);
    const attacker = createClient(t.app);
    attacker.setCookie("opensspr-reset", planted);
    await attacker.get("/reset");
    const attack = await attacker.postForm(`/reset/${flowId}/password`, { password: NEW, confirm: NEW });
    assert.equal(attack.status, 404);
    assert.equal(await t.registry.directory.passwords?.verify?.(victim, TEST_PASSWORD), true);
  } finally {
    await t.close();
  }
});
