/**
 * Threat: host-header poisoning (REQ-019). An attacker requests a reset for a victim with a forged Host or
 * X-Forwarded-* header so that the mail the victim receives points at the attacker's server. Mail and
 * redirects must be built only from `server.publicUrl`, never from the request.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { solveCaptcha, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const FORGED = {
  host: "evil.test",
  "x-forwarded-host": "evil.test",
  "x-forwarded-proto": "https",
  "x-forwarded-port": "8443",
  "x-host": "evil.test",
  "x-original-host": "evil.test",
  forwarded: "host=evil.test;proto=https",
};

test("forged Host / X-Forwarded-* headers never reach a mail or a redirect", async () => {
  const t = await buildTestApp({
    config: {
      server: { publicUrl: "https://passwords.example.test" },
      security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
    },
    policy: {
      enabled: "all",
      methods: ["email-code", "totp"],
      notifications: { userOnReset: true, adminsOnAdminReset: true },
    },
  });
  try {
    await t.createUser({ userName: "yara" });
    const browser = createClient(t.app, { headers: FORGED });
    await browser.get("/reset");
    const altcha = await solveCaptcha(browser);
    const identify = await browser.postForm("/reset", { identifier: "yara", altcha }, { follow: false });
    assert.equal(identify.status, 303);
    assert.match(identify.location ?? "", /^\/reset\/[0-9a-z]+$/);
    const flowPath = identify.location ?? "";
    for (const [path, fields] of [
      ["path", { path: "reset" }],
      ["method", { method: "email-code" }],
      ["send", { email: "yara@example.test" }],
    ] as const) {
      const response = await browser.postForm(`${flowPath}/${path}`, fields, { follow: false });
      assert.equal(response.status, 303);
      assert.doesNotMatch(response.location ?? "", /evil/);
    }
    const code = await t.lastCode("yara@example.test");
    assert.ok(code !== null);
    await browser.postForm(`${flowPath}/verify`, { code });
    const done = await browser.postForm(`${flowPath}/password`, {
      password: "Lunar-Piano-Orchid-46",
      confirm: "Lunar-Piano-Orchid-46",
    });
    assert.match(done.body, /Your password has been reset/);
    assert.doesNotMatch(done.body, /evil\.test/);
    const mails = await t.mailbox("yara@example.test");
    assert.ok(mails.length >= 2);
    for (const mail of mails) {
      const text = `${mail.subject}\n${mail.body}\n${mail.html ?? ""}`;
      assert.doesNotMatch(text, /evil\.test|8443/);
      for (const url of text.match(/https?:\/\/[^\s"'<>]+/g) ?? []) {
        assert.ok(url.startsWith("https://passwords.example.test"), `link not from publicUrl: ${url}`);
      }
    }
  } finally {
    await t.close();
  }
});
