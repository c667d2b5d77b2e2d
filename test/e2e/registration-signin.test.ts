/**
 * Registration portal sign-in (SPEC §6): the directory password opens a portal session; unknown users,
 * wrong passwords and disabled accounts all get the same generic answer (enumeration-neutral, STYLE rule 4).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { auditRows, buildRegistrationApp, pageText, signIn } from "./registration-support.ts";

describe("registration sign-in", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp();
    await t.createUser({ userName: "alice", displayName: "Alice Example" });
    await t.createUser({ userName: "dora", enabled: false });
  });
  after(async () => {
    await t.close();
  });

  test("the sign-in page is a plain form with labelled fields and a CSRF token", async () => {
    const client = createClient(t.app);
    const page = await client.get("/register");
    assert.equal(page.status, 200);
    assert.match(page.body, /<form method="post" action="\/register\/sign-in"/);
    assert.match(page.body, /<label class="field__label" for="f-identifier">/);
    assert.match(
      page.body,
      /<input[^>]*type="password"[^>]*autocomplete="current-password"|<input[^>]*autocomplete="current-password"[^>]*type="password"/,
    );
    assert.notEqual(client.csrfToken(), "");
  });

  test("the right password signs in, rotates the session and shows the user's security info", async () => {
    const client = createClient(t.app);
    client.setCookie("opensspr-session", "A".repeat(43));
    const response = await signIn(client, "alice");
    assert.equal(response.status, 303);
    assert.equal(response.location, "/register");
    assert.notEqual(client.cookie("opensspr-session"), "A".repeat(43));
    const page = await client.get("/register");
    assert.equal(page.status, 200);
    assert.match(pageText(page.body), /Signed in as Alice Example\./);
    const signIns = await auditRows(t.registry, "portalSignIn");
    assert.ok(signIns.some((row) => row.targetName === "alice" && row.outcome === "success"));
  });

  test("the pages speak French and German (?lang= and Accept-Language)", async () => {
    const fr = await createClient(t.app).get("/register?lang=fr");
    assert.match(pageText(fr.body), /Connectez-vous pour configurer vos informations de sécurité/);
    assert.match(fr.body, /<html lang="fr"/);
    const client = createClient(t.app, { headers: { "accept-language": "de-CH, de;q=0.9, en;q=0.5" } });
    await signIn(client, "alice");
    const de = await client.get("/register");
    assert.match(
      pageText(de.body),
      /Ihr Administrator verlangt, dass Sie Ihre Authentifizierungsinformationen überprüfen\./,
    );
    const wrong = await signIn(createClient(t.app, { headers: { "accept-language": "de" } }), "alice", {
      password: "falsch-falsch",
    });
    assert.match(pageText(wrong.body), /Ihr Benutzername oder Kennwort ist falsch\./);
  });

  test("signing in by email address works too", async () => {
    const client = createClient(t.app);
    const response = await signIn(client, "alice@example.test");
    assert.equal(response.status, 303);
  });

  test("wrong password, unknown user and disabled account get the same 401 page", async () => {
    const bodies: string[] = [];
    for (const [identifier, password] of [
      ["alice", "not-the-password"],
      ["nobody-here", "not-the-password"],
      ["dora", undefined],
    ] as const) {
      const client = createClient(t.app);
      const response = await signIn(client, identifier, password === undefined ? {} : { password });
      assert.equal(response.status, 401, identifier);
      assert.match(pageText(response.body), /Your user name or password is incorrect\./);
      assert.equal(client.cookie("opensspr-session"), undefined, `${identifier} got no session`);
      // Same page apart from the echoed identifier and per-request values (CSRF token, support code).
      bodies.push(
        response.body
          .replace(new RegExp(`value="${identifier}"`, "g"), 'value="X"')
          .replace(/name="_csrf" value="[^"]*"/, ""),
      );
    }
    assert.equal(bodies[0], bodies[1]);
    assert.equal(bodies[0], bodies[2]);
  });

  test("the JSON sign-in answers unknown and wrong-password alike with 401 INVALID_CREDENTIALS", async () => {
    const client = createClient(t.app);
    const wrong = await client.json("POST", "/api/v1/registration/sign-in", {
      identifier: "alice",
      password: "nope-nope",
    });
    const unknown = await client.json("POST", "/api/v1/registration/sign-in", {
      identifier: "ghost",
      password: "nope-nope",
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const a = wrong.json<{ error: { code: string; message: string } }>().error;
    const b = unknown.json<{ error: { code: string; message: string } }>().error;
    assert.equal(a.code, "INVALID_CREDENTIALS");
    assert.deepEqual({ code: a.code, message: a.message }, { code: b.code, message: b.message });
  });

  test("a good JSON sign-in returns the overview and a session cookie", async () => {
    const client = createClient(t.app);
    const response = await client.json("POST", "/api/v1/registration/sign-in", {
      identifier: "alice",
      password: "Correct-Horse-Battery-Staple-42",
    });
    assert.equal(response.status, 200);
    const body = response.json<{ user: { userName: string }; interrupt: string | null; methods: { id: string }[] }>();
    assert.equal(body.user.userName, "alice");
    assert.equal(body.interrupt, "register");
    assert.deepEqual(
      body.methods.map((m) => m.id),
      ["totp", "email-code", "security-questions"],
    );
    assert.ok(client.cookie("opensspr-session"));
    const overview = await client.json("GET", "/api/v1/registration");
    assert.equal(overview.status, 200);
  });

  test("malformed sign-in forms are refused with 400 and create no session", async () => {
    const cases: Record<string, string | string[]>[] = [
      { identifier: ["alice", "bob"], password: "x" },
      { identifier: "alice" },
      { password: "x" },
      { identifier: "a".repeat(300), password: "x" },
      { identifier: "alice", password: "p".repeat(2000) },
    ];
    for (const fields of cases) {
      const client = createClient(t.app);
      const response = await client.postForm("/register/sign-in", fields, { from: "/register", follow: false });
      assert.equal(response.status, 400, JSON.stringify(fields).slice(0, 80));
      assert.equal(client.cookie("opensspr-session"), undefined);
    }
    const client = createClient(t.app);
    for (const body of [
      { identifier: { $ne: null }, password: "x" },
      { identifier: "alice", password: 12345678 },
      { identifier: "alice", password: "x", isAdmin: true },
      [],
    ]) {
      const response = await client.json("POST", "/api/v1/registration/sign-in", body);
      assert.equal(response.status, 400, JSON.stringify(body));
    }
    assert.equal(client.cookie("opensspr-session"), undefined);
  });

  test("a sign-in form posted without the CSRF token is refused", async () => {
    const client = createClient(t.app);
    const response = await client.postForm(
      "/register/sign-in",
      { identifier: "alice", password: "Correct-Horse-Battery-Staple-42" },
      { from: "/register", csrf: false, follow: false },
    );
    assert.equal(response.status, 403);
    assert.equal(client.cookie("opensspr-session"), undefined);
  });

  test("signing out ends the session", async () => {
    const client = createClient(t.app);
    await signIn(client, "alice");
    const out = await client.postForm("/register/sign-out", {}, { from: "/register", follow: false });
    assert.equal(out.status, 303);
    const page = await client.get("/register");
    assert.match(page.body, /action="\/register\/sign-in"/);
    const api = await client.json("GET", "/api/v1/registration");
    assert.equal(api.status, 401);
  });
});
