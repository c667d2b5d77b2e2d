/**
 * Threat: skipping steps (REQ-025, forced browsing; CVE-2020-26061). Posting the new password, the unlock
 * or a verification before the steps that come first must be refused, and a second gate cannot be skipped
 * when the policy requires two.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { flowOf, startAPI, startPage, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, TEST_PASSWORD } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const NEW = "Granite-Willow-Beacon-17";

test("password, unlock and verify before their turn are refused (409) and change nothing", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    const user = await t.createUser({ userName: "bea" });
    const api = createClient(t.app);
    const flow = await startAPI(api, "bea");
    assert.equal((await step(api, flow, "password", { password: NEW, confirm: NEW })).status, 409);
    assert.equal((await step(api, flow, "unlock", {})).status, 409);
    assert.equal((await step(api, flow, "verify", { code: "12345678" })).status, 409);
    await step(api, flow, "path", { path: "reset" });
    assert.equal((await step(api, flow, "password", { password: NEW, confirm: NEW })).status, 409);
    await step(api, flow, "method", { method: "email-code" });
    // A method chosen but not verified is not a proof.
    assert.equal((await step(api, flow, "password", { password: NEW, confirm: NEW })).status, 409);
    // A method the policy does not offer cannot be chosen.
    assert.equal((await step(api, flow, "method", { method: "security-questions" })).status, 422);

    const browser = createClient(t.app);
    const { flowId } = await startPage(browser, "bea");
    const page = await browser.postForm(`/reset/${flowId}/password`, { password: NEW, confirm: NEW });
    assert.equal(page.status, 409);
    assert.match(page.body, /support-code__value/);
    assert.equal(await t.registry.directory.passwords?.verify?.(user, TEST_PASSWORD), true);
  } finally {
    await t.close();
  }
});

test("with two methods required, the password step stays closed after one gate", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp", "security-questions"], methodsRequired: 2 },
  });
  try {
    const user = await t.createUser({ userName: "cal" });
    const { enrollTOTP } = await import("../e2e/reset-support.ts");
    await enrollTOTP(t, user);
    const api = createClient(t.app);
    const flow = await startAPI(api, "cal");
    await step(api, flow, "path", { path: "reset" });
    await step(api, flow, "method", { method: "email-code" });
    await step(api, flow, "send", { email: "cal@example.test" });
    const code = await t.lastCode("cal@example.test");
    assert.ok(code !== null);
    const afterOne = flowOf(await step(api, flow, "verify", { code }));
    assert.equal(afterOne.state, "choosing_method");
    assert.equal(afterOne.gate, 2);
    assert.equal((await step(api, flow, "password", { password: NEW, confirm: NEW })).status, 409);
    assert.equal(await t.registry.directory.passwords?.verify?.(user, TEST_PASSWORD), true);
  } finally {
    await t.close();
  }
});
