/**
 * Admin portal access (REQ-092/093/097): deny by default on every admin route and path variant, password +
 * a second registered method for every administrator, rotation of the session id, immediate effect of
 * role changes, rate-limited sign-in, API keys for automation.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const ADMIN_PAGES = [
  "/admin",
  "/admin/policy",
  "/admin/users",
  "/admin/users/new",
  "/admin/groups",
  "/admin/outbox",
  "/admin/audit",
  "/admin/audit/export?format=csv",
  "/admin/settings",
];
const API_ROUTES = [
  "/api/v1/admin/policy",
  "/api/v1/admin/users",
  "/api/v1/admin/groups",
  "/api/v1/admin/audit",
  "/api/v1/admin/dashboard",
];

describe("admin access control", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test("every admin page sends a browser without a session to the sign-in page", async () => {
    for (const url of ADMIN_PAGES) {
      const response = await t.app.inject({ method: "GET", url });
      assert.equal(response.statusCode, 303, url);
      assert.equal(response.headers.location, "/admin/sign-in", url);
    }
  });

  test("admin API routes answer 401 JSON without credentials and with a bad key", async () => {
    for (const url of API_ROUTES) {
      const none = await t.app.inject({ method: "GET", url });
      assert.equal(none.statusCode, 401, url);
      assert.equal(none.json().error.code, "UNAUTHENTICATED");
      const bad = await t.app.inject({ method: "GET", url, headers: { authorization: "Bearer osk_not-a-real-key" } });
      assert.equal(bad.statusCode, 401, url);
    }
    const put = await t.app.inject({
      method: "PUT",
      url: "/api/v1/admin/policy",
      headers: { "content-type": "application/json" },
      payload: "{}",
    });
    assert.equal(put.statusCode, 401);
  });

  test("path variants of admin routes are never 2xx without credentials", async () => {
    const variants = [
      "/admin/",
      "//admin",
      "/admin/./policy",
      "/admin/../admin/policy",
      "/admin;x=1",
      "/ADMIN",
      "/admin/%2e/policy",
      "/admin%2fpolicy",
      "/admin/policy/",
      "/api/v1/admin/policy/",
      "/api/v1/ADMIN/policy",
      "/api//v1/admin/policy",
    ];
    for (const url of variants) {
      const response = await t.app.inject({ method: "GET", url });
      assert.ok(response.statusCode < 200 || response.statusCode >= 300, `${url} gave ${response.statusCode}`);
    }
  });

  test("an administrator signs in with password and authenticator code; the session id is rotated", async () => {
    const user = await t.createAdmin({ userName: "ada" });
    const totp = await t.enrollTOTP(user);
    const client = createClient(t.app);
    const first = await client.postForm(
      "/admin/sign-in",
      { userName: "ada", password: TEST_PASSWORD },
      { from: "/admin/sign-in" },
    );
    assert.equal(first.redirects.at(-1)?.location, "/admin/sign-in/verify");
    assert.match(first.body, /Code from your authenticator app/);
    const mfaCookie = client.cookie("opensspr-admin");
    assert.ok(mfaCookie !== undefined);
    // the mfa stage grants nothing
    const early = await client.get("/admin/policy", { follow: false });
    assert.equal(early.status, 303);
    assert.equal(early.location, "/admin/sign-in/verify");

    const second = await client.postForm("/admin/sign-in/verify", { code: totp.code() });
    assert.equal(second.status, 200);
    assert.match(second.body, /<h1>Dashboard<\/h1>/);
    const activeCookie = client.cookie("opensspr-admin");
    assert.ok(activeCookie !== undefined && activeCookie !== mfaCookie, "a new session id after the second factor");
    // the pre-MFA token is dead
    const replay = await t.app.inject({
      method: "GET",
      url: "/admin",
      headers: { cookie: `opensspr-admin=${mfaCookie}` },
    });
    assert.equal(replay.statusCode, 303);
    const { rows } = await t.registry.stores.audit.query({
      activity: "Administrator signed in",
      outcome: "success",
      offset: 0,
      limit: 10,
    });
    assert.ok(rows.some((row) => row.targetId === user.id && row.details["method"] === "totp"));
  });

  test("an administrator with email and an authenticator app can choose the emailed code instead", async () => {
    const user = await t.createAdmin({ userName: "ivy", email: "ivy@example.test" });
    await t.enrollTOTP(user);
    const email = t.registry.methods.get("email-code")?.enrollment;
    assert.ok(email !== undefined);
    const ctx = async () => ({
      user,
      enrollments: await t.registry.stores.enrollments.listForUser(user.id),
      policy: (await t.registry.policy.current()).policy,
      request: { ip: null, userAgent: null, requestId: "setup", locale: "en" },
    });
    const started = await email.start(await ctx(), { email: "ivy.backup@example.org" });
    assert.equal(started.kind, "code-sent");
    const enrollCode = await t.lastCode("ivy.backup@example.org");
    assert.ok(enrollCode !== null && started.kind === "code-sent");
    assert.equal((await email.confirm(await ctx(), started.enrollmentId, { code: enrollCode })).kind, "active");

    const client = createClient(t.app);
    const chooser = await client.postForm(
      "/admin/sign-in",
      { userName: "ivy", password: TEST_PASSWORD },
      { from: "/admin/sign-in" },
    );
    assert.match(chooser.body, /Choose a method/);
    const asked = await client.postForm("/admin/sign-in/method", { method: "email-code" });
    assert.match(asked.body, /Your email address/);
    const sent = await client.postForm("/admin/sign-in/verify", { email: "ivy.backup@example.org" });
    assert.match(sent.body, /Enter the code we sent/);
    const code = await t.lastCode("ivy.backup@example.org");
    assert.ok(code !== null && code !== enrollCode);
    const done = await client.postForm("/admin/sign-in/verify", { code });
    assert.equal(done.status, 200);
    assert.match(done.body, /<h1>Dashboard<\/h1>/);
    const notOffered = await client.postForm(
      "/admin/sign-in/method",
      { method: "security-questions" },
      { from: "/admin/sign-in/verify" },
    );
    assert.notEqual(notOffered.status, 200);
  });

  test("a wrong code keeps the admin portal closed and says how many tries are left", async () => {
    const user = await t.createAdmin({ userName: "bea" });
    const totp = await t.enrollTOTP(user);
    const client = createClient(t.app);
    await client.postForm("/admin/sign-in", { userName: "bea", password: TEST_PASSWORD }, { from: "/admin/sign-in" });
    const wrong = totp.code() === "000000" ? "111111" : "000000";
    const response = await client.postForm("/admin/sign-in/verify", { code: wrong });
    assert.equal(response.status, 422);
    assert.match(response.body, /attempts left/);
    assert.equal((await client.get("/admin", { follow: false })).location, "/admin/sign-in/verify");
  });

  test("wrong password and unknown user get the same 401 answer; a non-admin gets 403", async () => {
    await t.createUser({ userName: "carl" });
    const client = createClient(t.app);
    const wrong = await client.postForm(
      "/admin/sign-in",
      { userName: "carl", password: "not-the-password" },
      { from: "/admin/sign-in" },
    );
    const unknown = await client.postForm(
      "/admin/sign-in",
      { userName: "nobody-here", password: "not-the-password" },
      { from: "/admin/sign-in" },
    );
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const message = (body: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0];
    assert.equal(message(wrong.body), message(unknown.body));
    const notAdmin = await client.postForm(
      "/admin/sign-in",
      { userName: "carl", password: TEST_PASSWORD },
      { from: "/admin/sign-in" },
    );
    assert.equal(notAdmin.status, 403);
    assert.match(notAdmin.body, /not an OpenSSPR administrator/);
    assert.equal(client.cookie("opensspr-admin"), undefined);
  });

  test("an administrator with no registered method is sent to register first, not into the portal", async () => {
    await t.createAdmin({ userName: "dora" });
    const client = createClient(t.app);
    const response = await client.postForm(
      "/admin/sign-in",
      { userName: "dora", password: TEST_PASSWORD },
      { from: "/admin/sign-in", follow: false },
    );
    assert.equal(response.status, 303);
    assert.equal(response.location, "/register?return_to=%2Fadmin");
    assert.equal(client.cookie("opensspr-admin"), undefined);
    assert.ok(client.cookie("opensspr-session") !== undefined, "a portal session for registration");
    assert.equal((await client.get("/admin", { follow: false })).location, "/admin/sign-in");
  });

  test("sign-in attempts are rate limited per account and address", async () => {
    await t.createAdmin({ userName: "eve" });
    const client = createClient(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (
          await client.postForm(
            "/admin/sign-in",
            { userName: "eve", password: `wrong-${i}` },
            { from: "/admin/sign-in" },
          )
        ).status,
      );
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const correct = await client.postForm(
      "/admin/sign-in",
      { userName: "eve", password: TEST_PASSWORD },
      { from: "/admin/sign-in" },
    );
    assert.equal(correct.status, 429, "even the right password waits out the window");
  });

  test("removing someone from the admin groups takes effect at their next request", async () => {
    const { client, user } = await t.signInAdmin({ userName: "fay" });
    assert.equal((await client.get("/admin/policy")).status, 200);
    const group = await t.registry.stores.builtin.findGroupByName("opensspr-admins");
    assert.ok(group !== null);
    await t.registry.stores.builtin.removeMember(group.id, { kind: "user", id: user.id });
    assert.equal((await client.get("/admin/policy")).status, 403);
    assert.equal((await client.json("GET", "/api/v1/admin/policy")).status, 403);
  });

  test("signing out ends the admin session", async () => {
    const { client } = await t.signInAdmin({ userName: "gil" });
    const out = await client.postForm("/admin/sign-out", {}, { from: "/admin" });
    assert.equal(out.redirects[0]?.location, "/admin/sign-in");
    assert.equal((await client.get("/admin", { follow: false })).location, "/admin/sign-in");
  });

  test("an idle admin session expires after 15 minutes", async () => {
    const { client } = await t.signInAdmin({ userName: "hal" });
    t.clock.advance(15 * 60_000 + 1000);
    assert.equal((await client.get("/admin", { follow: false })).location, "/admin/sign-in");
  });
});

describe("admin API keys", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test("a key created in settings is shown once, works as Bearer, and stops working when revoked", async () => {
    const { client } = await t.signInAdmin();
    const created = await client.postForm(
      "/admin/settings/api-keys",
      { name: "HR import" },
      { from: "/admin/settings" },
    );
    assert.equal(created.status, 201);
    const key = /<code class="mono">(osk_[A-Za-z0-9_-]+)<\/code>/.exec(created.body)?.[1];
    assert.ok(key !== undefined);
    const stored = JSON.stringify(await t.registry.stores.settings.get("admin.apiKeys"));
    assert.ok(!stored.includes(key), "only a digest is stored");
    const again = await client.get("/admin/settings");
    assert.ok(!again.body.includes(key), "never shown again");

    const api = await t.app.inject({
      method: "GET",
      url: "/api/v1/admin/policy",
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().version, 0);

    const id = /\/admin\/settings\/api-keys\/([^/]+)\/revoke/.exec(again.body)?.[1];
    assert.ok(id !== undefined);
    const revoked = await client.postForm(`/admin/settings/api-keys/${id}/revoke`, {}, { from: "/admin/settings" });
    assert.equal(revoked.status, 200);
    const after = await t.app.inject({
      method: "GET",
      url: "/api/v1/admin/policy",
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(after.statusCode, 401);
    const { rows } = await t.registry.stores.audit.query({ activity: "Revoke admin API key", offset: 0, limit: 5 });
    assert.equal(rows.length, 1);
  });

  test("a key stops working when its creator is no longer an administrator; keys never open HTML pages", async () => {
    const { client, user } = await t.signInAdmin({ userName: "keyholder" });
    const created = await client.postForm("/admin/settings/api-keys", { name: "sync" }, { from: "/admin/settings" });
    const key = /<code class="mono">(osk_[A-Za-z0-9_-]+)<\/code>/.exec(created.body)?.[1];
    assert.ok(key !== undefined);
    const page = await t.app.inject({
      method: "GET",
      url: "/admin/policy",
      headers: { authorization: `Bearer ${key}` },
    });
    assert.notEqual(page.statusCode, 200);
    const group = await t.registry.stores.builtin.findGroupByName("opensspr-admins");
    assert.ok(group !== null);
    await t.registry.stores.builtin.removeMember(group.id, { kind: "user", id: user.id });
    const api = await t.app.inject({
      method: "GET",
      url: "/api/v1/admin/policy",
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(api.statusCode, 403);
  });

  test("bad key names are refused with the field named; nothing is stored", async () => {
    const { client } = await t.signInAdmin({ userName: "namer" });
    const before = JSON.stringify(await t.registry.stores.settings.get("admin.apiKeys"));
    const empty = await client.postForm("/admin/settings/api-keys", { name: "  " }, { from: "/admin/settings" });
    assert.equal(empty.status, 400);
    assert.match(empty.body, /This field is required/);
    const twice = await client.postForm("/admin/settings/api-keys", { name: ["a", "b"] }, { from: "/admin/settings" });
    assert.equal(twice.status, 400);
    assert.equal(JSON.stringify(await t.registry.stores.settings.get("admin.apiKeys")), before);
  });
});
