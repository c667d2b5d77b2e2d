/**
 * "Contact your administrator" (FLOW-04, reference §10 N-3, POL-11/12): without a custom helpdesk contact
 * the form emails every administrator once per flow and is audited; with a custom URL or address the page
 * links there and no admin email is sent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { flowOf, startAPI, startPage, step, TEST_CAPTCHA_MAX } from "./reset-support.ts";

test("the contact form emails the administrators once per flow, for a known or unknown identifier alike", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"], helpdesk: { contact: "", mode: "assist" } },
  });
  try {
    await t.createAdmin({ userName: "admin1", email: "admin1@example.test" });
    await t.createAdmin({ userName: "admin2", email: "admin2@example.test" });
    await t.createUser({ userName: "nina", displayName: "Nina Simone" });
    const browser = createClient(t.app);
    const { flowId } = await startPage(browser, "nina");
    await browser.postForm(`/reset/${flowId}/path`, { path: "reset" });
    const page = await browser.postForm(`/reset/${flowId}/contact`, {});
    assert.match(page.body, /asked your administrator/);
    await browser.postForm(`/reset/${flowId}/contact`, {});
    const mails = (await t.mailbox()).filter((m) => m.recipient.startsWith("admin"));
    assert.deepEqual(mails.map((m) => m.recipient).sort(), ["admin1@example.test", "admin2@example.test"]);
    assert.match(mails[0]?.body ?? "", /nina/);
    const audit = await t.registry.stores.audit.query({
      activity: "User contacted an administrator",
      offset: 0,
      limit: 5,
    });
    assert.equal(audit.rows.length, 1);

    // An unknown identifier gets the same page; the admins learn there is no such account, the requester does not.
    const api = createClient(t.app);
    const unknown = await startAPI(api, "no-such-person");
    const response = flowOf(await step(api, unknown, "contact", {}));
    assert.equal(response.contactedAdmin, true);
  } finally {
    await t.close();
  }
});

test("a custom helpdesk URL is linked instead, and the form is not offered", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: {
      enabled: "all",
      methods: ["email-code", "totp"],
      helpdesk: { contact: "https://help.example.test/sspr", mode: "assist" },
    },
  });
  try {
    await t.createUser({ userName: "omar" });
    const browser = createClient(t.app);
    const identify = await browser.get("/reset");
    assert.match(identify.body, /href="https:\/\/help\.example\.test\/sspr"/);
    const { flowId, response } = await startPage(browser, "omar");
    assert.doesNotMatch(response.body, /\/contact"/);
    assert.equal((await browser.postForm(`/reset/${flowId}/contact`, {})).status, 409);
    assert.equal((await t.mailbox()).length, 0);
  } finally {
    await t.close();
  }
});
