/**
 * Threat: cross-site request forgery (REQ-089/091). A page on another site makes the victim's browser post
 * to the portal with the victim's cookies: changing the SSPR policy from an admin's browser, or making
 * unauthenticated forms send mail. Every unsafe form post needs the synchronizer token bound to this
 * browser's CSRF cookie; JSON endpoints need `Content-Type: application/json` (not sendable cross-site
 * without a CORS preflight, which is never granted); `Sec-Fetch-Site: cross-site` is refused outright.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, encodeForm } from "../support/http-client.ts";

describe("CSRF protection", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  const policyForm = (version: number) => ({
    expectedVersion: String(version),
    enabled: "all",
    methodsRequired: "1",
    methods: ["email-code", "totp"],
    "securityQuestions.toRegister": "3",
    "securityQuestions.toReset": "3",
    "registration.reconfirmDays": "180",
    "helpdesk.mode": "assist",
    "administrators.enabled": "on",
    "administrators.methods": ["email-code", "totp"],
    "passwords.minLength": "8",
    "passwords.maxLength": "256",
    "passwords.requiredClasses": "0",
    "passwords.historyCount": "5",
  });

  test("an admin form post without the token is refused with 403 and changes nothing", async () => {
    const { client } = await t.signInAdmin({ userName: "csrf-admin-1" });
    const before = await t.registry.policy.current();
    const response = await client.postForm("/admin/policy", policyForm(before.version), { csrf: false, follow: false });
    assert.equal(response.status, 403);
    assert.match(response.body, /did not come from this site/);
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("a token from another browser (another CSRF cookie) is refused", async () => {
    const { client } = await t.signInAdmin({ userName: "csrf-admin-2" });
    const attacker = createClient(t.app);
    await attacker.get("/admin/sign-in");
    const foreignToken = attacker.csrfToken();
    assert.notEqual(foreignToken, "");
    const before = await t.registry.policy.current();
    const response = await client.postForm("/admin/policy", policyForm(before.version), {
      csrf: foreignToken,
      follow: false,
    });
    assert.equal(response.status, 403);
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("the same post with the page's token succeeds", async () => {
    const { client } = await t.signInAdmin({ userName: "csrf-admin-3" });
    const before = await t.registry.policy.current();
    const response = await client.postForm("/admin/policy", policyForm(before.version), {
      from: "/admin/policy",
      follow: false,
    });
    assert.equal(response.status, 303);
    assert.equal((await t.registry.policy.current()).version, before.version + 1);
  });

  test("an unauthenticated form (admin sign-in) also needs the token", async () => {
    const client = createClient(t.app);
    await client.get("/admin/sign-in");
    const response = await client.postForm("/admin/sign-in", { userName: "nobody", password: "x" }, { csrf: false });
    assert.equal(response.status, 403);
  });

  test("Sec-Fetch-Site: cross-site is refused even with a valid token", async () => {
    const client = createClient(t.app);
    await client.get("/admin/sign-in");
    const response = await client.postForm(
      "/admin/sign-in",
      { userName: "nobody", password: "x" },
      { headers: { "sec-fetch-site": "cross-site" } },
    );
    assert.equal(response.status, 403);
  });

  test("the admin JSON API refuses a cookie-authenticated form post (415) and a text/plain body", async () => {
    const { client } = await t.signInAdmin({ userName: "csrf-admin-4" });
    const before = await t.registry.policy.current();
    const form = await client.request({
      method: "PUT",
      url: "/api/v1/admin/policy",
      payload: encodeForm({ expectedVersion: String(before.version) }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(form.status, 415);
    const plain = await client.request({
      method: "PUT",
      url: "/api/v1/admin/policy",
      payload: JSON.stringify({ policy: before.policy, expectedVersion: before.version }),
      headers: { "content-type": "text/plain" },
    });
    assert.equal(plain.status, 415);
    assert.equal(plain.json<{ error: { code: string } }>().error.code, "UNSUPPORTED_MEDIA_TYPE");
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("the CSRF cookie is HttpOnly and SameSite=Lax, and the token is not the cookie value", async () => {
    const response = await t.app.inject({ method: "GET", url: "/admin/sign-in" });
    const cookie = String(response.headers["set-cookie"]);
    assert.match(cookie, /opensspr-csrf=([A-Za-z0-9_-]{43});/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    const secret = /opensspr-csrf=([A-Za-z0-9_-]{43})/.exec(cookie)?.[1];
    assert.ok(secret !== undefined && !response.body.includes(secret));
  });
});
