/**
 * The whole product against a real OpenLDAP: a user resets through the reset flow (email code from the
 * directory's `mail`), and `ldapwhoami` — an independent client — proves the directory holds the new password;
 * the unlock-only path unlocks a ppolicy-locked account without touching its password; a password in the
 * directory's history is refused in plain words and nothing changes; the directory stopped at the password
 * step gives "can't reset right now", keeps the flow, and the retry succeeds once it is back.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { ldapwhoami, type Slapd, startSlapd } from "../support/slapd.ts";

const FIRST = "Violet-Harbour-Mango-731";
const SECOND = "Orchid-Lantern-Quartz-58";
const THIRD = "Copper-Meadow-Falcon-264";

describe("reset flow on slapd", () => {
  let slapd: Slapd;
  let t: TestApp;

  before(async () => {
    slapd = await startSlapd();
    t = await buildTestApp({
      config: {
        directory: {
          kind: "ldap",
          ldap: {
            urls: [slapd.url],
            startTLS: true,
            caFile: slapd.caFile,
            bindDN: slapd.serviceDN,
            bindPassword: slapd.servicePassword,
            userBase: slapd.userBase,
            groupBase: slapd.groupBase,
            passwordPolicyDN: slapd.policyDN,
            connectTimeoutMs: 1000,
            timeoutMs: 1000,
          },
        },
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
      },
      policy: { enabled: "all", methodsRequired: 1, methods: ["email-code"] },
    });
  });
  after(async () => {
    await t?.close();
    await slapd?.stop();
  });

  /** Identify, choose the path, prove the directory's mail address with an emailed code. */
  async function verified(api: HTTPClient, userName: string, path: "reset" | "unlock") {
    const flow = await startAPI(api, userName);
    assert.equal(flowOf(await step(api, flow, "path", { path })).state, "choosing_method");
    await step(api, flow, "method", { method: "email-code" });
    const mail = `${userName}@example.org`;
    await step(api, flow, "send", { email: mail });
    const code = await t.lastCode(mail);
    assert.ok(code !== null, `no code mailed to ${mail}`);
    const after = flowOf(await step(api, flow, "verify", { code }));
    assert.equal(after.state, path === "reset" ? "awaiting_new_password" : "awaiting_unlock");
    return flow;
  }

  test("a user resets through the flow; ldapwhoami binds with the new password and not the old one", async () => {
    const api = createClient(t.app);
    const flow = await verified(api, "bob", "reset");
    const done = flowOf(await step(api, flow, "password", { password: FIRST, confirm: FIRST }));
    assert.equal(done.state, "done");
    assert.equal(done.result, "password_reset");
    assert.equal(await ldapwhoami(slapd, slapd.users.bob.dn, FIRST), true);
    assert.equal(await ldapwhoami(slapd, slapd.users.bob.dn, slapd.users.bob.password), false);
  });

  test("the unlock-only path unlocks a locked account, which then binds with its unchanged password", async () => {
    assert.equal(
      await ldapwhoami(slapd, slapd.users.carol.dn, slapd.users.carol.password),
      false,
      "carol starts locked",
    );
    const api = createClient(t.app);
    const flow = await verified(api, "carol", "unlock");
    const done = flowOf(await step(api, flow, "unlock", {}));
    assert.equal(done.state, "done");
    assert.equal(done.result, "unlocked");
    assert.equal(await ldapwhoami(slapd, slapd.users.carol.dn, slapd.users.carol.password), true);
  });

  test("a password in the directory's history is refused in plain words and nothing changes", async () => {
    const erin = await t.registry.directory.findUser("erin");
    assert.ok(erin);
    const reset = t.registry.directory.passwords?.reset;
    assert.ok(reset);
    assert.deepEqual(await reset(erin, FIRST, { unlock: true, mustChangeAtNextLogon: false }), { ok: true });
    assert.deepEqual(await reset(erin, SECOND, { unlock: true, mustChangeAtNextLogon: false }), { ok: true });
    const api = createClient(t.app);
    const flow = await verified(api, "erin", "reset");
    const refused = await step(api, flow, "password", { password: FIRST, confirm: FIRST });
    assert.equal(refused.status, 422, refused.body);
    const error = refused.json<{ error: { code: string; issues: { rule?: string; message: string }[] } }>().error;
    assert.equal(error.code, "PASSWORD_REJECTED");
    assert.equal(error.issues[0]?.rule, "history");
    assert.match(error.issues[0]?.message ?? "", /used this password before/);
    assert.doesNotMatch(
      refused.body,
      /ppolicy|LDAP \d|dc=example|constraint/i,
      "no raw directory text reaches the user",
    );
    assert.equal(await ldapwhoami(slapd, slapd.users.erin.dn, SECOND), true, "unchanged");
    assert.equal(await ldapwhoami(slapd, slapd.users.erin.dn, FIRST), false);
    // The flow is still open: another password goes through.
    const done = flowOf(await step(api, flow, "password", { password: THIRD, confirm: THIRD }));
    assert.equal(done.state, "done");
    assert.equal(await ldapwhoami(slapd, slapd.users.erin.dn, THIRD), true);
  });

  test("the directory stopped at the password step: 503, the flow survives, the retry works after restart", async () => {
    const api = createClient(t.app);
    const flow = await verified(api, "alice", "reset");
    await slapd.halt();
    try {
      const down = await step(api, flow, "password", { password: FIRST, confirm: FIRST });
      assert.equal(down.status, 503, down.body);
      assert.doesNotMatch(down.body, /ECONNREFUSED|127\.0\.0\.1|timed out/);
    } finally {
      await slapd.start();
    }
    assert.equal(
      await ldapwhoami(slapd, slapd.users.alice.dn, slapd.users.alice.password),
      true,
      "nothing was half-written",
    );
    const done = flowOf(await step(api, flow, "password", { password: FIRST, confirm: FIRST }));
    assert.equal(done.state, "done");
    assert.equal(await ldapwhoami(slapd, slapd.users.alice.dn, FIRST), true);
    assert.equal(await ldapwhoami(slapd, slapd.users.alice.dn, slapd.users.alice.password), false);
  });
});
