/**
 * The directory's answers at the password step (SPEC §3): a refusal is shown as something the user can act
 * on and they may try another password; an outage gives "we can't reset your password right now", keeps the
 * flow so it can be retried, and puts the raw error only in the audit log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTestApp, TEST_PASSWORD } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { startPage, TEST_CAPTCHA_MAX } from "./reset-support.ts";

const NEW_PASSWORD = "Saffron-Glacier-Pylon-19";

async function verifiedFlow() {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  const user = await t.createUser({ userName: "hank" });
  const browser = createClient(t.app);
  const { flowId } = await startPage(browser, "hank");
  await browser.postForm(`/reset/${flowId}/path`, { path: "reset" });
  await browser.postForm(`/reset/${flowId}/method`, { method: "email-code" });
  await browser.postForm(`/reset/${flowId}/send`, { email: "hank@example.test" });
  const code = await t.lastCode("hank@example.test");
  assert.ok(code !== null);
  const page = await browser.postForm(`/reset/${flowId}/verify`, { code });
  assert.match(page.body, /Create a new password/);
  return { t, user, browser, flowId };
}

test("a directory refusal (history) is shown inline and the user can choose another password", async () => {
  const { t, user, browser, flowId } = await verifiedFlow();
  try {
    // Reusing the current password: the builtin directory refuses it (history).
    const refused = await browser.postForm(`/reset/${flowId}/password`, {
      password: TEST_PASSWORD,
      confirm: TEST_PASSWORD,
    });
    assert.equal(refused.status, 422);
    assert.match(refused.body, /used this password before/);
    assert.match(refused.body, /support-code__value/);
    const ok = await browser.postForm(`/reset/${flowId}/password`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.match(ok.body, /Your password has been reset/);
    assert.equal(await t.registry.directory.passwords?.verify?.(user, NEW_PASSWORD), true);
  } finally {
    await t.close();
  }
});

test('a directory outage says "can\'t reset right now", keeps the flow, and a retry succeeds', async () => {
  const { t, user, browser, flowId } = await verifiedFlow();
  try {
    const passwords = t.registry.directory.passwords;
    assert.ok(passwords?.reset !== undefined);
    const realReset = passwords.reset;
    passwords.reset = async () => {
      throw new Error("connect ECONNREFUSED 10.0.0.7:636");
    };
    const down = await browser.postForm(`/reset/${flowId}/password`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(down.status, 503);
    assert.match(down.body, /can&#39;t reset your password right now|can't reset your password right now/);
    assert.doesNotMatch(down.body, /ECONNREFUSED|10\.0\.0\.7/);
    const audit = await t.registry.stores.audit.query({ offset: 0, limit: 50 });
    assert.ok(audit.rows.some((r) => JSON.stringify(r.details).includes("ECONNREFUSED")));
    passwords.reset = realReset;
    const retry = await browser.postForm(`/reset/${flowId}/password`, {
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    assert.match(retry.body, /Your password has been reset/);
    assert.equal(await t.registry.directory.passwords?.verify?.(user, NEW_PASSWORD), true);
  } finally {
    await t.close();
  }
});

test("the two passwords must match, and the password policy's reasons are listed", async () => {
  const { t, browser, flowId } = await verifiedFlow();
  try {
    const mismatch = await browser.postForm(`/reset/${flowId}/password`, {
      password: NEW_PASSWORD,
      confirm: "something-else-1",
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body, /don&#39;t match|don't match/);
    const weak = await browser.postForm(`/reset/${flowId}/password`, { password: "password1", confirm: "password1" });
    assert.equal(weak.status, 422);
    assert.match(weak.body, /easily guessable|seen that password/);
    // Server-side strength feedback without JavaScript: the "check" button writes nothing.
    const checked = await browser.postForm(`/reset/${flowId}/password`, { password: "aaaaaaaa", action: "check" });
    assert.equal(checked.status, 200);
    assert.match(checked.body, /<meter[^>]*value="0"/);
    assert.match(checked.body, /Very weak/);
    const strong = await browser.postForm(`/reset/${flowId}/password`, { password: NEW_PASSWORD, action: "check" });
    assert.match(strong.body, /<meter[^>]*value="[34]"/);
    // Nothing was written by checking.
    assert.match(strong.body, /Create a new password/);
  } finally {
    await t.close();
  }
});
