/**
 * Threat: a stolen session outliving the password reset that was meant to lock the thief out (REQ-086,
 * REQ-028). After a reset every session of the user is gone (other users' stay), and the reset itself signs
 * nobody in.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startPage, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

test("a reset revokes all of the user's sessions, keeps other users', and creates none", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    const dora = await t.createUser({ userName: "dora" });
    const eli = await t.createUser({ userName: "eli" });
    const now = t.clock.now();
    const session = (idDigest: string, userId: string, kind: "portal" | "admin") => ({
      idDigest,
      userId,
      kind,
      data: {},
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      lastSeenAt: now,
    });
    await t.registry.stores.sessions.insert(session("dora-1", dora.id, "portal"));
    await t.registry.stores.sessions.insert(session("dora-2", dora.id, "admin"));
    await t.registry.stores.sessions.insert(session("eli-1", eli.id, "portal"));

    const browser = createClient(t.app);
    const { flowId } = await startPage(browser, "dora");
    await browser.postForm(`/reset/${flowId}/path`, { path: "reset" });
    await browser.postForm(`/reset/${flowId}/method`, { method: "email-code" });
    await browser.postForm(`/reset/${flowId}/send`, { email: "dora@example.test" });
    const code = await t.lastCode("dora@example.test");
    assert.ok(code !== null);
    await browser.postForm(`/reset/${flowId}/verify`, { code });
    const done = await browser.postForm(`/reset/${flowId}/password`, {
      password: "Nimbus-Falcon-Ledger-28",
      confirm: "Nimbus-Falcon-Ledger-28",
    });
    assert.match(done.body, /Your password has been reset/);

    assert.equal(await t.registry.stores.sessions.get("dora-1"), null);
    assert.equal(await t.registry.stores.sessions.get("dora-2"), null);
    assert.notEqual(await t.registry.stores.sessions.get("eli-1"), null);
    // No automatic sign-in (REQ-028): the reset set no session cookie, and the session table holds none for her.
    const set = done.headers["set-cookie"];
    assert.doesNotMatch(String(set ?? ""), /session|sid/i);
    const stillSignedOut = await browser.get("/account");
    assert.notEqual(stillSignedOut.status, 200);
  } finally {
    await t.close();
  }
});
