/**
 * Notification templates and the notifier (SPEC §4 last paragraph, reference §3.5 / §10). The subject of
 * the email code names the organisation; values are escaped in HTML (a display name is user-controlled);
 * the notifier only enqueues — nothing is delivered on the request path.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { renderTemplate, TEMPLATE_LOCALES, TEMPLATES } from "../../src/notify/templates.ts";
import { createTestEnv, type TestEnv } from "./methods-fixtures.ts";

describe("templates", () => {
  test("N-4: the email code subject is '<Org> account email verification code'", () => {
    const mail = renderTemplate("email-verification-code", "en", {
      organisationName: "Contoso",
      code: "12345678",
      ttlMinutes: "5",
    });
    assert.equal(mail.subject, "Contoso account email verification code");
    assert.ok(mail.text.includes("12345678"));
    assert.ok(mail.text.includes("5 minutes"));
    assert.ok(mail.html?.includes("12345678"));
  });

  test("every template renders in en, fr and de, with different text per language", () => {
    const params = {
      organisationName: "Contoso",
      code: "12345678",
      ttlMinutes: "5",
      displayName: "Alice",
      userName: "alice",
      adminName: "Bob",
      at: "2026-03-02 10:00 UTC",
    };
    for (const id of Object.keys(TEMPLATES)) {
      const texts = TEMPLATE_LOCALES.map((locale) => renderTemplate(id, locale, params).text);
      assert.equal(new Set(texts).size, 3, id);
      for (const text of texts) assert.ok(!text.includes("{{"), `${id} left a placeholder`);
    }
    assert.equal(
      renderTemplate("password-changed", "fr-CA", params).subject,
      "Contoso : votre mot de passe a été modifié",
    );
    assert.equal(renderTemplate("password-changed", "xx", params).subject, "Contoso: your password has been changed");
  });

  test("values are escaped in HTML and cannot break the subject line", () => {
    const mail = renderTemplate("password-changed", "en", {
      organisationName: "Evil\r\nBcc: victim@example.com",
      displayName: '<script>alert("x")</script>',
      at: "now",
    });
    assert.ok(!mail.subject.includes("\n") && !mail.subject.includes("\r"));
    assert.ok(mail.html?.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert.ok(!mail.html?.includes("<script>"));
    assert.ok(mail.text.includes('<script>alert("x")</script>'), "plain text keeps the value as typed");
  });

  test("SMS and voice have no subject or HTML; the voice code is spoken digit by digit", () => {
    const sms = renderTemplate("sms-code", "en", { organisationName: "Contoso", code: "123456", ttlMinutes: "5" });
    assert.equal(sms.html, null);
    assert.ok(sms.text.startsWith("123456 is your Contoso verification code"));
    const voice = renderTemplate("voice-code", "de", { organisationName: "Contoso", code: "123" });
    assert.ok(voice.text.includes("1 2 3"));
  });

  test("unknown templates and missing parameters are programming errors", () => {
    assert.throws(() => renderTemplate("nope", "en", { organisationName: "x" }), /unknown template/);
    assert.throws(
      () => renderTemplate("email-verification-code", "en", { organisationName: "x", ttlMinutes: "5" }),
      /code/,
    );
  });
});

describe("notifier", () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(async () => env.close());

  test("enqueues a rendered message durably and delivers nothing itself", async () => {
    const { id } = await env.notifier.enqueue({
      channel: "email",
      recipient: "alice@corp.example",
      template: "email-verification-code",
      params: { code: "87654321", ttlMinutes: "5" },
      locale: "de",
    });
    const [row] = await env.outboxFor("alice@corp.example");
    assert.equal(row?.id, id);
    assert.equal(row?.status, "queued");
    assert.equal(row?.subject, "OpenSSPR-Konto: Bestätigungscode für Ihre E-Mail-Adresse");
    assert.ok(row?.body.includes("87654321"));
    assert.equal((await env.stores.devMailbox.list({ offset: 0, limit: 10 })).total, 0);
  });

  test("takes the organisation name from the branding settings, then the policy", async () => {
    await env.stores.policy.save(
      { passwords: { organisationName: "Policy Org" } },
      { expectedVersion: 0, at: env.clock.now(), by: "test" },
    );
    await env.notifier.enqueue({
      channel: "email",
      recipient: "p@x.example",
      template: "email-verification-code",
      params: { code: "1", ttlMinutes: "5" },
      locale: "en",
    });
    assert.equal((await env.outboxFor("p@x.example"))[0]?.subject, "Policy Org account email verification code");
    await env.stores.settings.set("branding", { organisationName: "Contoso demo" }, env.clock.now());
    await env.notifier.enqueue({
      channel: "email",
      recipient: "b@x.example",
      template: "email-verification-code",
      params: { code: "1", ttlMinutes: "5" },
      locale: "en",
    });
    assert.equal((await env.outboxFor("b@x.example"))[0]?.subject, "Contoso demo account email verification code");
  });

  test("SMS messages carry no HTML", async () => {
    await env.notifier.enqueue({
      channel: "sms",
      recipient: "+15551234567",
      template: "sms-code",
      params: { code: "123456", ttlMinutes: "5" },
      locale: "en",
    });
    const [row] = await env.outboxFor("+15551234567");
    assert.equal(row?.html, null);
    assert.equal(row?.channel, "sms");
  });
});
