/**
 * The reset / unlock flow end to end over HTTP (SPEC §6), with codes read from a REAL SMTP server process
 * (mail.transport = smtp on its loopback port): every path — one gate and two gates, each method (email
 * code, TOTP, security questions), unlock only — and what success must do (directory write, flow consumed,
 * sessions revoked, notifications, audit).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generateTOTP } from "../../src/methods/totp/totp.method.ts";
import { buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { startSMTPServer, type TestSMTPServer } from "../support/smtp-server.ts";
import {
  answerFor,
  enrollQuestions,
  enrollTOTP,
  flowOf,
  startAPI,
  startPage,
  step,
  TEST_CAPTCHA_MAX,
} from "./reset-support.ts";

const NEW_PASSWORD = "Violet-Harbour-Mango-731";

describe("reset flow with codes from the real SMTP server", () => {
  let smtp: TestSMTPServer;
  let t: TestApp;

  before(async () => {
    smtp = await startSMTPServer();
    t = await buildTestApp({
      config: {
        mail: { transport: "smtp", smtp: { host: "127.0.0.1", port: smtp.port, timeoutMs: 5000 } },
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
      },
      policy: { enabled: "all", methodsRequired: 1, methods: ["email-code", "totp", "security-questions"] },
    });
  });
  after(async () => {
    await t.close();
    await smtp.stop();
  });

  /** Delivers the outbox over SMTP and returns the newest message to `to` received after `since` messages. */
  async function mailTo(to: string, since: number): Promise<{ subject: string; text: string }> {
    await t.registry.outboxWorker.drain();
    let seen = 0;
    return smtp.waitFor((mail) => {
      if (!mail.envelopeTo.includes(to)) return false;
      seen++;
      return seen > since;
    }, 5000);
  }
  async function countTo(to: string): Promise<number> {
    return (await smtp.messages()).filter((m) => m.envelopeTo.includes(to)).length;
  }
  function codeIn(text: string): string {
    const match = /\b(\d{8})\b/.exec(text);
    assert.ok(match?.[1] !== undefined, `no 8-digit code in: ${text}`);
    return match[1];
  }

  test("a user resets a forgotten password through the pages with an emailed code", async () => {
    const alice = await t.createUser({ userName: "alice", email: "alice@example.test" });
    // A portal session issued before the reset must not survive it (REQ-086).
    await t.registry.stores.sessions.insert({
      idDigest: "session-of-alice",
      userId: alice.id,
      kind: "portal",
      data: {},
      createdAt: t.clock.now(),
      expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
      lastSeenAt: t.clock.now(),
    });
    const browser = createClient(t.app);
    const { flowId, response } = await startPage(browser, "alice");
    assert.match(response.body, /Why are you having trouble signing in\?/);
    await browser.postForm(`/reset/${flowId}/path`, { path: "reset" });
    const methods = await browser.postForm(`/reset/${flowId}/method`, { method: "email-code" });
    assert.match(methods.body, /type the full address/);
    const before = await countTo("alice@example.test");
    const sent = await browser.postForm(`/reset/${flowId}/send`, { email: "ALICE@example.test" });
    assert.equal(sent.status, 200);
    assert.match(sent.body, /Enter your verification code/);
    const mail = await mailTo("alice@example.test", before);
    assert.match(mail.subject, /account email verification code/);
    const verified = await browser.postForm(`/reset/${flowId}/verify`, { code: codeIn(mail.text) });
    assert.match(verified.body, /Create a new password/);

    const done = await browser.postForm(`/reset/${flowId}/password`, {
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
      action: "set",
    });
    assert.equal(done.status, 200);
    assert.match(done.body, /Your password has been reset/);

    // The directory holds the new password, not the old one.
    const verify = t.registry.directory.passwords?.verify;
    assert.ok(verify !== undefined);
    assert.equal(await verify(alice, NEW_PASSWORD), true);
    assert.equal(await verify(alice, TEST_PASSWORD), false);
    // Sessions revoked, user notified (N-1) over SMTP, audited.
    assert.equal(await t.registry.stores.sessions.get("session-of-alice"), null);
    const notice = await mailTo("alice@example.test", before + 1);
    assert.match(notice.subject, /your password has been changed/);
    const audit = await t.registry.stores.audit.query({
      activity: "Reset password (self-service)",
      offset: 0,
      limit: 10,
    });
    assert.equal(audit.rows.filter((r) => r.targetId === alice.id && r.outcome === "success").length, 1);

    // The flow is consumed: the password step cannot be replayed.
    const replay = await browser.postForm(`/reset/${flowId}/password`, {
      password: "Another-Pass-99x",
      confirm: "Another-Pass-99x",
    });
    assert.equal(replay.status, 409);
    assert.equal(await verify(alice, NEW_PASSWORD), true);
  });

  test("a headless client resets with an authenticator app code (API, one gate)", async () => {
    const bob = await t.createUser({ userName: "bob", email: "bob@example.test" });
    const secret = await enrollTOTP(t, bob);
    const api = createClient(t.app);
    const flow = await startAPI(api, "bob");
    assert.equal(flow.flow.state, "choosing_path");
    await step(api, flow, "path", { path: "reset" });
    const chosen = flowOf(await step(api, flow, "method", { method: "totp" }));
    assert.equal(chosen.challenge?.kind, "enter-totp");
    const wrong = await step(api, flow, "verify", { code: "000000" });
    assert.equal(wrong.status, 422);
    assert.equal(flowOf(wrong).messageKind, "error");
    const right = flowOf(await step(api, flow, "verify", { code: generateTOTP(secret, t.clock.now()) }));
    assert.equal(right.state, "awaiting_new_password");
    const done = flowOf(await step(api, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    assert.equal(done.state, "done");
    assert.equal(done.result, "password_reset");
    assert.equal(await t.registry.directory.passwords?.verify?.(bob, NEW_PASSWORD), true);
  });

  test("security questions: a wrong answer draws a new set (SQ-12), right answers pass the gate", async () => {
    const carol = await t.createUser({ userName: "carol", email: null });
    await enrollQuestions(t, carol, 5);
    const api = createClient(t.app);
    const flow = await startAPI(api, "carol");
    await step(api, flow, "path", { path: "reset" });
    const asked = flowOf(await step(api, flow, "method", { method: "security-questions" }));
    assert.equal(asked.challenge?.kind, "answer-questions");
    const questions = asked.challenge?.questions ?? [];
    assert.equal(questions.length, 3);
    const wrongAnswers = Object.fromEntries(questions.map((q) => [q.id, "wrong answer"]));
    const redrawn = await step(api, flow, "verify", { answers: wrongAnswers });
    assert.equal(redrawn.status, 422);
    assert.equal(flowOf(redrawn).message, "method.questions.wrong");
    const next = flowOf(redrawn).challenge?.questions ?? [];
    const answers = Object.fromEntries(next.map((q) => [q.id, answerFor(q.id)]));
    const passed = flowOf(await step(api, flow, "verify", { answers }));
    assert.equal(passed.state, "awaiting_new_password");
  });

  test("two gates: the second must be a different method; an admin's reset alerts the other admins (N-2)", async () => {
    const admin = await t.createAdmin({ userName: "dave", email: "dave@example.test" });
    await t.createAdmin({ userName: "erin", email: "erin@example.test" });
    const secret = await enrollTOTP(t, admin);
    const api = createClient(t.app);
    const flow = await startAPI(api, "dave");
    await step(api, flow, "path", { path: "reset" });
    const before = await countTo("dave@example.test");
    await step(api, flow, "method", { method: "email-code" });
    await step(api, flow, "send", { email: "dave@example.test" });
    const code = codeIn((await mailTo("dave@example.test", before)).text);
    const gate2 = flowOf(await step(api, flow, "verify", { code }));
    // Administrators always need two methods (ADM-02), of different families (FLOW-05).
    assert.equal(gate2.state, "choosing_method");
    assert.equal(gate2.gate, 2);
    assert.deepEqual(
      gate2.methods.map((m) => m.id),
      ["totp"],
    );
    const same = await step(api, flow, "method", { method: "email-code" });
    assert.equal(same.status, 422);
    await step(api, flow, "method", { method: "totp" });
    const ready = flowOf(await step(api, flow, "verify", { code: generateTOTP(secret, t.clock.now()) }));
    assert.equal(ready.state, "awaiting_new_password");
    const erinBefore = await countTo("erin@example.test");
    const done = flowOf(await step(api, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    assert.equal(done.state, "done");
    const alert = await mailTo("erin@example.test", erinBefore);
    assert.match(alert.text, /dave/);
    // The admin who reset is not told about himself as "another admin".
    const daveMails = (await smtp.messages()).filter((m) => m.envelopeTo.includes("dave@example.test"));
    assert.equal(daveMails.filter((m) => /administrator/i.test(m.subject)).length, 0);
  });

  test('unlock only: "I know my password" unlocks without changing it', async () => {
    const frank = await t.createUser({ userName: "frank", email: "frank@example.test" });
    const secret = await enrollTOTP(t, frank);
    await t.registry.stores.builtin.updateUser(frank.id, { lockedAt: t.clock.now(), failedLogins: 5 });
    const api = createClient(t.app);
    const flow = await startAPI(api, "frank");
    assert.equal(flowOf(await step(api, flow, "path", { path: "unlock" })).state, "choosing_method");
    await step(api, flow, "method", { method: "totp" });
    const verified = flowOf(await step(api, flow, "verify", { code: generateTOTP(secret, t.clock.now()) }));
    assert.equal(verified.state, "awaiting_unlock");
    // The password step is not part of the unlock path.
    const wrongStep = await step(api, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(wrongStep.status, 409);
    const done = flowOf(await step(api, flow, "unlock", {}));
    assert.equal(done.state, "done");
    assert.equal(done.result, "unlocked");
    assert.equal((await t.registry.stores.builtin.getUser(frank.id))?.lockedAt, null);
    assert.equal(await t.registry.directory.passwords?.verify?.(frank, TEST_PASSWORD), true);
    const audit = await t.registry.stores.audit.query({
      activity: "Unlock user account (self-service)",
      offset: 0,
      limit: 5,
    });
    assert.equal(audit.rows.filter((r) => r.targetId === frank.id).length, 1);
  });

  test('"Try again" re-sends a code that supersedes the first one (FLOW-04)', async () => {
    await t.createUser({ userName: "gina", email: "gina@example.test" });
    const api = createClient(t.app);
    const flow = await startAPI(api, "gina");
    await step(api, flow, "path", { path: "reset" });
    await step(api, flow, "method", { method: "email-code" });
    const before = await countTo("gina@example.test");
    await step(api, flow, "send", { email: "gina@example.test" });
    const first = codeIn((await mailTo("gina@example.test", before)).text);
    // Try again: pick the method again (back to "type your address"), send again.
    assert.equal(flowOf(await step(api, flow, "method", { method: "email-code" })).challenge?.kind, "ask-destination");
    await step(api, flow, "send", { email: "gina@example.test" });
    const second = codeIn((await mailTo("gina@example.test", before + 1)).text);
    const old = await step(api, flow, "verify", { code: first });
    assert.notEqual(flowOf(old).state, "awaiting_new_password");
    if (second !== first) {
      const ok = flowOf(await step(api, flow, "verify", { code: second }));
      assert.equal(ok.state, "awaiting_new_password");
    }
  });
});
