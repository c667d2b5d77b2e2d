/**
 * Threat: parameter arrays and objects where one string belongs (REQ-022, REQ-113/114/115; GitLab
 * CVE-2023-7028, Rocket.Chat CVE-2021-22911): `identifier[]=victim&identifier[]=attacker@evil.test`,
 * `{"identifier":{"$ne":null}}`, `{"code":["1","2"]}`. Every such request is a 400 with nothing started and
 * nothing sent; mail only ever goes to the stored address.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { solveCaptcha, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

test("identifiers that are not one plain string are refused with 400, over the form and the API", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    await t.createUser({ userName: "zoe", email: "zoe@example.test" });
    const browser = createClient(t.app);
    await browser.get("/reset");
    const repeated = await browser.postForm("/reset", {
      identifier: ["zoe", "attacker@evil.test"],
      altcha: await solveCaptcha(browser),
    });
    assert.equal(repeated.status, 400);
    const api = createClient(t.app);
    for (const identifier of [
      ["zoe"],
      ["zoe", "attacker@evil.test"],
      { $ne: null },
      null,
      true,
      0,
      "",
      "x".repeat(300),
      "zo\u200be",
      "zoe\u0000",
    ]) {
      const response = await api.json("POST", "/api/v1/reset", { identifier, captcha: await solveCaptcha(api) });
      assert.equal(response.status, 400, `${JSON.stringify(identifier)} → ${response.status}`);
    }
    const proto = await api.json(
      "POST",
      "/api/v1/reset",
      '{"identifier":"zoe","captcha":"x","__proto__":{"admin":true}}',
    );
    assert.equal(proto.status, 400);
    const extra = await api.json("POST", "/api/v1/reset", {
      identifier: "zoe",
      captcha: await solveCaptcha(api),
      resetUrl: "https://evil.test",
    });
    assert.equal(extra.status, 400);
    const { rows } = await t.registry.stores.audit.query({
      activity: "Self-service password reset flow activity progress",
      offset: 0,
      limit: 10,
    });
    assert.equal(rows.length, 0, "no flow was started");
  } finally {
    await t.close();
  }
});

test("step fields that are arrays or objects are refused; mail goes only to the stored address", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    await t.createUser({ userName: "abe", email: "abe@example.test" });
    const api = createClient(t.app);
    const flow = await startAPI(api, "abe");
    await step(api, flow, "path", { path: "reset" });
    assert.equal((await step(api, flow, "method", { method: ["email-code", "totp"] })).status, 400);
    await step(api, flow, "method", { method: "email-code" });
    for (const email of [["abe@example.test", "attacker@evil.test"], { $ne: null }, 1]) {
      assert.equal((await step(api, flow, "send", { email })).status, 400);
    }
    // Case and whitespace variants match the stored address; the code still goes to the stored one.
    await step(api, flow, "send", { email: "  ABE@Example.TEST " });
    for (const code of [["1"], { $gt: "" }, 12345678]) {
      assert.equal((await step(api, flow, "verify", { code })).status, 400);
    }
    const mails = await t.mailbox();
    assert.deepEqual([...new Set(mails.map((m) => m.recipient))], ["abe@example.test"]);
  } finally {
    await t.close();
  }
});
