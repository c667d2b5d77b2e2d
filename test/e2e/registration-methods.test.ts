/**
 * Adding, confirming and removing security info through the registration pages (no JavaScript): email
 * confirmed with the emailed code, authenticator app confirmed with a code computed from the shown secret
 * at the manual clock's time, security questions with every SQ rule violation refused (422, field named).
 * The development mailbox and the audit log are the oracles (DATA-08: one audit event per method added).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestApp } from "../support/app.ts";
import { createClient, decodeEntities, type HTTPClient } from "../support/http-client.ts";
import { createSoftAuthenticator } from "../support/webauthn-authenticator.ts";
import {
  auditRows,
  buildRegistrationApp,
  enrollmentIdFrom,
  pageText,
  secretFromPage,
  signIn,
  signInAPI,
  totpNow,
} from "./registration-support.ts";

async function registerEmail(t: TestApp, client: HTTPClient, address: string): Promise<void> {
  const start = await client.postForm(
    "/register/methods/email-code",
    { email: address },
    { from: "/register/methods/email-code" },
  );
  assert.equal(start.status, 200);
  assert.match(start.redirects[0]?.location ?? "", /^\/register\/enrollments\/[0-9a-z]+\/confirm$/);
  const code = await t.lastCode(address);
  assert.ok(code !== null, "a code was emailed");
  const confirm = await client.postForm(new URL(start.redirects[0]?.location ?? "", "http://x").pathname, { code });
  assert.equal(confirm.status, 200);
}

async function registerTOTP(t: TestApp, client: HTTPClient, label: string): Promise<void> {
  const setup = await client.postForm("/register/methods/totp", { label }, { from: "/register/methods/totp" });
  assert.equal(setup.status, 200);
  const secret = secretFromPage(setup.body);
  const id = enrollmentIdFrom(setup.body);
  const confirm = await client.postForm(`/register/enrollments/${id}/confirm`, { code: totpNow(secret, t.clock) });
  assert.equal(confirm.status, 200);
}

describe("registering security info through the pages", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp();
  });
  after(async () => {
    await t.close();
  });

  test("email: the code sent to the address confirms it; wrong codes are refused with tries left", async () => {
    await t.createUser({ userName: "emma", email: null });
    const client = createClient(t.app);
    await signIn(client, "emma");
    const start = await client.postForm(
      "/register/methods/email-code",
      { email: "emma.private@example.org" },
      { from: "/register/methods/email-code", follow: false },
    );
    assert.equal(start.status, 303);
    const confirmPath = start.location ?? "";
    const page = await client.get(confirmPath);
    assert.match(pageText(page.body), /We sent a code to e\S*@\S+\. It is valid for 5 minutes\./);
    assert.ok(!page.body.includes("emma.private@example.org"), "the address is masked");
    const code = await t.lastCode("emma.private@example.org");
    assert.ok(code !== null);
    const wrong = await client.postForm(confirmPath, { code: code === "00000000" ? "11111111" : "00000000" });
    assert.equal(wrong.status, 422);
    assert.match(pageText(wrong.body), /tries left/);
    const good = await client.postForm(confirmPath, { code });
    assert.equal(good.status, 200);
    assert.equal(good.redirects.at(-1)?.location, "/register?status=added");
    assert.match(pageText(good.body), /Your security info was saved\./);
    const enrollments = await t.registry.stores.enrollments.listForUser(
      (await t.registry.directory.findUser("emma"))?.id ?? "",
    );
    assert.deepEqual(
      enrollments.map((e) => [e.method, e.status, e.data["email"]]),
      [["email-code", "active", "emma.private@example.org"]],
    );
    const events = await auditRows(t.registry, "registeredInfo");
    const mine = events.filter((e) => e.targetName === "emma");
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.reason, "User registered Email.");
    assert.ok(!JSON.stringify(mine).includes(code), "the code is not in the audit log");
  });

  test("the directory email is shown for confirmation and registered with one click", async () => {
    await t.createUser({ userName: "pete", email: "pete@corp.example" });
    const client = createClient(t.app);
    await signIn(client, "pete");
    const overview = await client.get("/register");
    assert.match(pageText(overview.body), /Confirm pete@corp\.example/);
    const start = await client.postForm("/register/methods/email-code", { email: "pete@corp.example" });
    assert.equal(start.status, 200);
    const code = await t.lastCode("pete@corp.example");
    assert.ok(code !== null, "the code went to the directory address");
    const confirm = await client.postForm(`/register/enrollments/${enrollmentIdFrom(start.body)}/confirm`, { code });
    assert.equal(confirm.status, 200);
    assert.match(pageText(confirm.body), /Registered/);
  });

  test("authenticator app: QR as a data: image and the secret once; a current code confirms it", async () => {
    await t.createUser({ userName: "tom", email: null });
    const client = createClient(t.app);
    await signIn(client, "tom");
    const setup = await client.postForm(
      "/register/methods/totp",
      { label: "My phone" },
      { from: "/register/methods/totp" },
    );
    assert.equal(setup.status, 200);
    assert.match(setup.body, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const secret = secretFromPage(setup.body);
    assert.ok(Buffer.from(secret.replace(/=+$/, ""), "utf8").length >= 32, "a 160-bit base32 secret");
    const id = enrollmentIdFrom(setup.body);
    // The confirmation page does not show the secret again (REQ-063: shown once).
    const again = await client.get(`/register/enrollments/${id}/confirm`);
    assert.equal(again.status, 200);
    assert.doesNotMatch(again.body, /totp-secret|data:image\/svg/);
    const wrong = await client.postForm(`/register/enrollments/${id}/confirm`, {
      code: "000000" === totpNow(secret, t.clock) ? "111111" : "000000",
    });
    assert.equal(wrong.status, 422);
    t.clock.advance(5_000);
    const good = await client.postForm(`/register/enrollments/${id}/confirm`, { code: totpNow(secret, t.clock) });
    assert.equal(good.status, 200);
    assert.match(pageText(good.body), /My phone/);
    const events = (await auditRows(t.registry, "registeredInfo")).filter((e) => e.targetName === "tom");
    assert.equal(events[0]?.reason, "User registered Authenticator app.");
    assert.ok(!JSON.stringify(events).includes(secret), "the seed is not in the audit log");
  });

  test("security questions: N questions from the policy pool, each rule violation named on its field", async () => {
    await t.createUser({ userName: "quinn", email: null });
    const client = createClient(t.app);
    await signIn(client, "quinn");
    const form = await client.get("/register/methods/security-questions");
    assert.equal(form.status, 200);
    for (const n of [1, 2, 3]) assert.match(form.body, new RegExp(`name="question${n}"`));
    assert.match(form.body, /What was the name of your first pet\?/);

    const valid = {
      question1: "29",
      answer1: "Rex the dog",
      question2: "12",
      answer2: "Lasagne",
      question3: "32",
      answer3: "Paper boy",
    };
    const violations: { fields: Record<string, string>; field: string; rule: string }[] = [
      { fields: { ...valid, answer2: "ab" }, field: "answer2", rule: "SQ-06" },
      { fields: { ...valid, answer3: "x".repeat(41) }, field: "answer3", rule: "SQ-06" },
      { fields: { ...valid, question3: "29" }, field: "question3", rule: "SQ-07" },
      { fields: { ...valid, answer3: "  LASAGNE " }, field: "answer3", rule: "SQ-08" },
      { fields: { ...valid, question1: "999" }, field: "question1", rule: "SQ-10" },
    ];
    for (const { fields, field, rule } of violations) {
      const response = await client.postForm("/register/methods/security-questions", fields, {
        from: "/register/methods/security-questions",
      });
      assert.equal(response.status, 422, rule);
      assert.match(
        response.body,
        new RegExp(`id="f-${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-${field}"`),
        `${rule} on ${field}`,
      );
      assert.ok(response.body.includes(rule), `${rule} shown`);
      assert.ok(!response.body.includes("Rex the dog"), "answers are not echoed back");
    }
    const user = await t.registry.directory.findUser("quinn");
    assert.deepEqual(await t.registry.stores.enrollments.listForUser(user?.id ?? ""), [], "nothing saved");

    const ok = await client.postForm("/register/methods/security-questions", valid, {
      from: "/register/methods/security-questions",
    });
    assert.equal(ok.status, 200);
    assert.match(pageText(ok.body), /3 questions answered/);
    const rows = await t.registry.stores.enrollments.listForUser(user?.id ?? "");
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes("Lasagne"), "answers are stored hashed only");
  });

  test("completing the required set writes the registration events once and records registeredAt", async () => {
    const user = await t.createUser({ userName: "rita", email: null });
    const client = createClient(t.app);
    await signIn(client, "rita");
    await registerEmail(t, client, "rita@home.example");
    assert.equal((await t.registry.stores.registrations.get(user.id))?.registeredAt ?? null, null);
    assert.equal((await auditRows(t.registry, "registeredForSSPR")).filter((e) => e.targetName === "rita").length, 0);
    await registerTOTP(t, client, "Phone");
    const state = await t.registry.stores.registrations.get(user.id);
    assert.equal(state?.registeredAt?.getTime(), t.clock.now().getTime());
    const forSSPR = (await auditRows(t.registry, "registeredForSSPR")).filter((e) => e.targetName === "rita");
    const all = (await auditRows(t.registry, "registeredAll")).filter((e) => e.targetName === "rita");
    assert.equal(forSSPR.length, 1);
    assert.equal(forSSPR[0]?.outcome, "success");
    assert.equal(all.length, 1);
    assert.equal(all[0]?.reason, "User registered all required security info.");
    const info = (await auditRows(t.registry, "registeredInfo")).filter((e) => e.targetName === "rita");
    assert.deepEqual(info.map((e) => e.reason).sort(), [
      "User registered Authenticator app.",
      "User registered Email.",
    ]);
    // A second app adds info but does not register the user again.
    await registerTOTP(t, client, "Tablet");
    assert.equal((await auditRows(t.registry, "registeredForSSPR")).filter((e) => e.targetName === "rita").length, 1);
  });

  test("removing a method deletes it, audits it, and warns when the user is no longer registered", async () => {
    const user = await t.createUser({ userName: "remy", email: null });
    const client = createClient(t.app);
    await signIn(client, "remy");
    await registerEmail(t, client, "remy@home.example");
    await registerTOTP(t, client, "Phone");
    const rows = await t.registry.stores.enrollments.listForUser(user.id);
    const totp = rows.find((r) => r.method === "totp");
    assert.ok(totp !== undefined);
    const removed = await client.postForm(`/register/enrollments/${totp.id}/remove`, {}, { from: "/register" });
    assert.equal(removed.status, 200);
    assert.equal(removed.redirects[0]?.location, "/register?status=removed_unregistered");
    assert.match(pageText(removed.body), /You no longer have enough methods/);
    assert.equal(await t.registry.stores.enrollments.get(totp.id), null);
    assert.equal((await t.registry.stores.registrations.get(user.id))?.registeredAt ?? null, null);
    const deleted = (await auditRows(t.registry, "deletedInfo")).filter((e) => e.targetName === "remy");
    assert.equal(deleted[0]?.reason, "User deleted Authenticator app.");
  });

  test("another user's enrollment cannot be removed or confirmed (404, nothing changes)", async () => {
    const owner = await t.createUser({ userName: "olga", email: null });
    const ownerClient = createClient(t.app);
    await signIn(ownerClient, "olga");
    await registerEmail(t, ownerClient, "olga@home.example");
    const [row] = await t.registry.stores.enrollments.listForUser(owner.id);
    assert.ok(row !== undefined);
    await t.createUser({ userName: "mallory", email: null });
    const attacker = createClient(t.app);
    await signIn(attacker, "mallory");
    const remove = await attacker.postForm(
      `/register/enrollments/${row.id}/remove`,
      {},
      { from: "/register", follow: false },
    );
    assert.equal(remove.status, 404);
    const confirm = await attacker.postForm(
      `/register/enrollments/${row.id}/confirm`,
      { code: "12345678" },
      { from: "/register" },
    );
    assert.equal(confirm.status, 404);
    const apiRemove = await attacker.json("DELETE", `/api/v1/registration/enrollments/${row.id}`, {});
    assert.equal(apiRemove.status, 404);
    assert.notEqual(await t.registry.stores.enrollments.get(row.id), null);
  });

  test("a method the policy does not allow cannot be added", async () => {
    await t.createUser({ userName: "sam", email: null });
    const client = createClient(t.app);
    await signIn(client, "sam");
    const page = await client.get("/register/methods/sms-code");
    assert.equal(page.status, 422);
    const api = await client.json("POST", "/api/v1/registration/methods/sms-code", { phone: "+1 4255551234" });
    assert.equal(api.status, 422);
    assert.equal(api.json<{ error: { code: string } }>().error.code, "METHOD_NOT_ALLOWED");
    const unknown = await client.get("/register/methods/carrier-pigeon");
    assert.equal(unknown.status, 404);
  });

  test("pages need a session: signed-out visitors are sent to sign in", async () => {
    const client = createClient(t.app);
    const page = await client.get("/register/methods/totp", { follow: false });
    assert.equal(page.status, 303);
    assert.equal(page.location, "/register");
    const api = await client.json("POST", "/api/v1/registration/methods/totp", {});
    assert.equal(api.status, 401);
  });
});

describe("registering a mobile phone", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp({
      policy: { methods: ["email-code", "sms-code", "voice-mobile"], methodsRequired: 1 },
    });
  });
  after(async () => {
    await t.close();
  });

  test("the directory mobile is confirmed by a texted code and then serves texts and calls", async () => {
    const user = await t.createUser({ userName: "mo", email: null, mobile: "+14255551234" });
    const client = createClient(t.app);
    await signIn(client, "mo");
    const overview = await client.get("/register");
    assert.match(pageText(overview.body), /Confirm \+14255551234/);
    const start = await client.postForm("/register/methods/sms-code", { phone: "+14255551234" }, { from: "/register" });
    assert.equal(start.status, 200);
    assert.match(pageText(start.body), /We sent a code to \+1 \S*34\./);
    const code = await t.lastCode("+14255551234");
    assert.ok(code !== null, "a text was sent to the number");
    const confirm = await client.postForm(`/register/enrollments/${enrollmentIdFrom(start.body)}/confirm`, { code });
    assert.equal(confirm.status, 200);
    const rows = await t.registry.stores.enrollments.listForUser(user.id);
    assert.deepEqual(
      rows.map((r) => [r.method, r.status, r.data["phone"]]),
      [["sms-code", "active", "+14255551234"]],
    );
    const api = await client.json("GET", "/api/v1/registration");
    const methods = api.json<{ methods: { id: string; enrollments: unknown[] }[]; otherEnrollments: unknown[] }>();
    assert.equal(methods.methods.find((m) => m.id === "voice-mobile")?.enrollments.length, 1);
    assert.deepEqual(methods.otherEnrollments, []);
  });

  test("an invalid number is refused on its field (422) and nothing is sent", async () => {
    await t.createUser({ userName: "nemo", email: null });
    const client = createClient(t.app);
    await signIn(client, "nemo");
    const before = (await t.mailbox()).length;
    const response = await client.postForm(
      "/register/methods/sms-code",
      { phone: "12" },
      { from: "/register/methods/sms-code" },
    );
    assert.equal(response.status, 422);
    assert.match(response.body, /id="f-phone"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-phone"/);
    assert.equal((await t.mailbox()).length, before);
  });

  test("with only calls allowed, the number is still registered (confirmed by a call)", async () => {
    await t.savePolicy({ methods: ["email-code", "voice-mobile"] });
    try {
      const user = await t.createUser({ userName: "vic", email: null });
      const client = createClient(t.app);
      await signIn(client, "vic");
      const start = await client.json("POST", "/api/v1/registration/methods/voice-mobile", { phone: "+1 4255550199" });
      assert.equal(start.status, 201);
      const sent = await t.mailbox("+14255550199");
      assert.equal(sent[0]?.channel, "voice");
      const rows = await t.registry.stores.enrollments.listForUser(user.id);
      assert.equal(rows[0]?.method, "sms-code");
    } finally {
      await t.savePolicy({ methods: ["email-code", "sms-code", "voice-mobile"] });
    }
  });
});

describe("registering a passkey", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp({ policy: { methods: ["email-code", "passkey", "totp"] } });
  });
  after(async () => {
    await t.close();
  });

  test("the page hands the options to the browser script; the browser's response confirms the passkey", async () => {
    const user = await t.createUser({ userName: "paula", email: null });
    const client = createClient(t.app);
    await signIn(client, "paula");
    const labelPage = await client.get("/register/methods/passkey");
    assert.equal(labelPage.status, 200);
    const ceremony = await client.postForm(
      "/register/methods/passkey",
      { label: "Laptop" },
      { from: "/register/methods/passkey" },
    );
    assert.equal(ceremony.status, 200);
    assert.match(ceremony.body, /<script src="\/assets\/passkey\.js"/);
    assert.match(ceremony.body, /data-needs-js/, "without JavaScript the page explains what is needed");
    const options = JSON.parse(decodeEntities(/data-options="([^"]*)"/.exec(ceremony.body)?.[1] ?? "{}")) as Record<
      string,
      unknown
    >;
    const authenticator = createSoftAuthenticator();
    const response = authenticator.create(options, "http://localhost:3000");
    const id = enrollmentIdFrom(ceremony.body);
    const done = await client.postForm(`/register/enrollments/${id}/confirm`, {
      response: JSON.stringify(response),
      label: "Laptop",
    });
    assert.equal(done.status, 200);
    assert.match(pageText(done.body), /Laptop/);
    const rows = await t.registry.stores.enrollments.listForUser(user.id);
    assert.deepEqual(
      rows.map((r) => [r.method, r.status, r.label]),
      [["passkey", "active", "Laptop"]],
    );
    const events = (await auditRows(t.registry, "registeredInfo")).filter((e) => e.targetName === "paula");
    assert.equal(events[0]?.reason, "User registered Passkey.");
  });

  test("over JSON; a response for another origin is refused and the setup must start again", async () => {
    const user = await t.createUser({ userName: "pablo", email: null });
    const client = createClient(t.app);
    await signInAPI(client, "pablo");
    const authenticator = createSoftAuthenticator();
    const first = await client.json("POST", "/api/v1/registration/methods/passkey", { label: "Key" });
    assert.equal(first.status, 201);
    const phish = first.json<{ enrollmentId: string; options: Record<string, unknown> }>();
    const refused = await client.json("POST", `/api/v1/registration/enrollments/${phish.enrollmentId}/confirm`, {
      response: authenticator.create(phish.options, "https://evil.example"),
    });
    assert.equal(refused.status, 422);
    assert.equal((await t.registry.stores.enrollments.listForUser(user.id)).length, 0);
    const second = await client.json("POST", "/api/v1/registration/methods/passkey", { label: "Key" });
    const good = second.json<{ enrollmentId: string; options: Record<string, unknown> }>();
    const confirmed = await client.json("POST", `/api/v1/registration/enrollments/${good.enrollmentId}/confirm`, {
      response: authenticator.create(good.options, "http://localhost:3000"),
    });
    assert.equal(confirmed.status, 200);
  });
});
