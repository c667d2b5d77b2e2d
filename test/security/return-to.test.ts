/**
 * Threat: open redirect through `return_to`. Other sign-in systems send users to
 * `/register?return_to=<their app>`; without an exact origin allow-list an attacker mails a link to the real
 * portal that ends on their look-alike page after "Looks good" (phishing with the portal's reputation).
 * Refused: other origins, protocol-relative `//evil`, backslash variants browsers read as `//`,
 * `javascript:`/`data:` schemes, userinfo tricks (`https://portal@evil`), suffix/prefix look-alikes, control
 * characters. Compared as parsed origins, never with `startsWith` (REQ-021).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { safeReturnTo } from "../../src/flows/registration/return-to.ts";
import {
  buildRegistrationApp,
  registerEmailAPI,
  registerTOTPAPI,
  signIn,
  signInAPI,
} from "../e2e/registration-support.ts";
import type { TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

const policy = { publicUrl: "https://passwords.example.com", allowedReturnOrigins: ["https://apps.example.com"] };

describe("return_to allow-list", () => {
  test("the portal's own origin and the allow-listed origins are honoured", () => {
    assert.equal(safeReturnTo("/account", policy), "https://passwords.example.com/account");
    assert.equal(safeReturnTo("https://passwords.example.com/x?y=1", policy), "https://passwords.example.com/x?y=1");
    assert.equal(safeReturnTo("https://apps.example.com/mail#inbox", policy), "https://apps.example.com/mail#inbox");
    assert.equal(safeReturnTo("https://APPS.example.com:443/mail", policy), "https://apps.example.com/mail");
  });

  test("everything else is refused", () => {
    for (const value of [
      "https://evil.example/",
      "//evil.example/x",
      "///evil.example/x",
      "/\\evil.example/x",
      "\\\\evil.example",
      "https:evil.example",
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "https://apps.example.com@evil.example/",
      "https://user:pass@apps.example.com/",
      "https://apps.example.com.evil.example/",
      "https://evil.example/https://apps.example.com",
      "http://apps.example.com/",
      "https://apps.example.com:8443/",
      "https://apps.example.com\t.evil.example/",
      "/ok\nLocation: https://evil.example",
      " https://apps.example.com/",
      "",
      "x".repeat(3000),
    ]) {
      assert.equal(safeReturnTo(value, policy), null, JSON.stringify(value));
    }
    assert.equal(safeReturnTo(["https://apps.example.com/"], policy), null);
    assert.equal(safeReturnTo({ href: "https://apps.example.com/" }, policy), null);
    assert.equal(safeReturnTo(undefined, policy), null);
  });

  test("a malformed allow-list entry allows nothing", () => {
    assert.equal(
      safeReturnTo("https://evil.example/", { ...policy, allowedReturnOrigins: ["not a url", "javascript:x"] }),
      null,
    );
  });
});

describe("return_to over HTTP", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp({ config: { server: { allowedReturnOrigins: ["https://apps.example.com"] } } });
  });
  after(async () => {
    await t.close();
  });

  test("an allow-listed return_to given on /register survives sign-in and is where Looks good leads", async () => {
    await t.createUser({ userName: "ruth", email: null });
    const setup = createClient(t.app);
    await signInAPI(setup, "ruth");
    await registerEmailAPI(t, setup, "ruth@home.example");
    await registerTOTPAPI(t, setup, "Phone");

    const client = createClient(t.app);
    const page = await client.get("/register?return_to=https%3A%2F%2Fapps.example.com%2Fcalendar");
    assert.match(page.body, /name="return_to" value="https:\/\/apps.example.com\/calendar"/);
    await client.postForm("/register/sign-in", {
      identifier: "ruth",
      password: "Correct-Horse-Battery-Staple-42",
      return_to: "https://apps.example.com/calendar",
    });
    const done = await client.postForm("/register/review", {}, { from: "/register", follow: false });
    assert.equal(done.status, 303);
    assert.equal(done.location, "https://apps.example.com/calendar");
  });

  test("a hostile return_to is neither rendered into the page nor followed", async () => {
    await t.createUser({ userName: "saul", email: null });
    const setup = createClient(t.app);
    await signInAPI(setup, "saul");
    await registerEmailAPI(t, setup, "saul@home.example");
    await registerTOTPAPI(t, setup, "Phone");
    for (const hostile of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]) {
      const client = createClient(t.app);
      const page = await client.get(`/register?return_to=${encodeURIComponent(hostile)}`);
      // (The language links repeat the page's own query string, as a same-origin link: harmless.)
      assert.doesNotMatch(page.body, /name="return_to"/, hostile);
      assert.doesNotMatch(page.body, /(href|action)="(https?:)?\/\/evil|(href|action)="javascript:/i, hostile);
      await signIn(client, "saul", { returnTo: hostile });
      await client.get(`/register?return_to=${encodeURIComponent(hostile)}`);
      const done = await client.postForm("/register/review", {}, { from: "/register", follow: false });
      assert.equal(done.location, "/register?status=reviewed", hostile);
    }
  });
});
