/**
 * Enforced registration (POL-07, REG-01/02/06) and reconfirmation (POL-08, REG-03), driven by the manual
 * clock: in-scope unregistered users are interrupted after sign-in, may cancel (audited failure) and are
 * asked again at the next sign-in; registered users are asked to review every `reconfirmDays` days and
 * "Looks good" sends them back to the allow-listed `return_to`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DAY_MS } from "../../src/kernel/clock.ts";
import type { TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import {
  auditRows,
  buildRegistrationApp,
  pageText,
  registerEmailAPI,
  registerTOTPAPI,
  signIn,
  signInAPI,
} from "./registration-support.ts";

const INTERRUPT_TEXT = "Your administrator has required you to verify your authentication information.";
const APP = "https://apps.example.com";

describe("enforced registration and reconfirmation", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp({ config: { server: { allowedReturnOrigins: [APP] } } });
  });
  after(async () => {
    await t.close();
  });

  test("an unregistered user in scope is interrupted, may cancel, and is asked again at the next sign-in", async () => {
    await t.createUser({ userName: "ivan", email: null });
    const client = createClient(t.app);
    const signedIn = await signIn(client, "ivan", { returnTo: `${APP}/mail` });
    assert.equal(signedIn.status, 303);
    const page = await client.get("/register");
    assert.ok(pageText(page.body).includes(INTERRUPT_TEXT));
    assert.match(page.body, /action="\/register\/cancel"/);

    const cancel = await client.postForm("/register/cancel", {}, { follow: false });
    assert.equal(cancel.status, 303);
    assert.equal(cancel.location, `${APP}/mail`, "the user continues to where they were going");
    const canceled = (await auditRows(t.registry, "registeredAll")).filter((e) => e.targetName === "ivan");
    assert.equal(canceled.length, 1);
    assert.equal(canceled[0]?.outcome, "failure");
    assert.equal(canceled[0]?.reason, "User canceled security info registration.");

    // Same session: the interrupt stays dismissed, the user can still manage their info.
    const after = await client.get("/register");
    assert.ok(!pageText(after.body).includes(INTERRUPT_TEXT));
    assert.match(pageText(after.body), /Your security info/);

    // Next sign-in: asked again (REG-02).
    const next = createClient(t.app);
    await signIn(next, "ivan");
    const again = await next.get("/register");
    assert.ok(pageText(again.body).includes(INTERRUPT_TEXT));
  });

  test("completing the registration in the interrupt returns to return_to", async () => {
    await t.createUser({ userName: "jade", email: null });
    const client = createClient(t.app);
    const signedIn = await signInAPI(client, "jade", `${APP}/start?x=1`);
    assert.equal(signedIn.json<{ interrupt: string }>().interrupt, "register");
    const first = await registerEmailAPI(t, client, "jade@home.example");
    assert.equal(first.json<{ becameRegistered: boolean; redirectTo: string | null }>().redirectTo, null);
    const second = await registerTOTPAPI(t, client, "Phone");
    const body = second.json<{ becameRegistered: boolean; redirectTo: string | null }>();
    assert.equal(body.becameRegistered, true);
    assert.equal(body.redirectTo, `${APP}/start?x=1`);
    const overview = await client.json("GET", "/api/v1/registration");
    assert.equal(overview.json<{ interrupt: string | null }>().interrupt, null);
  });

  test("users out of scope, or when registration is not required, are not interrupted", async () => {
    await t.createUser({ userName: "kurt", email: null });
    await t.savePolicy({ enabled: "selected", scopeGroups: ["sspr-pilot"] });
    try {
      const client = createClient(t.app);
      await signIn(client, "kurt");
      const page = await client.get("/register");
      assert.ok(!pageText(page.body).includes(INTERRUPT_TEXT));
      assert.match(pageText(page.body), /not enabled for your account yet/);
      const user = await t.registry.directory.findUser("kurt");
      await t.addToGroup(user?.id ?? "", "sspr-pilot");
      const inPilot = createClient(t.app);
      await signIn(inPilot, "kurt");
      assert.ok(pageText((await inPilot.get("/register")).body).includes(INTERRUPT_TEXT));

      await t.savePolicy({ enabled: "all", registration: { required: false, reconfirmDays: 90 } });
      const notRequired = createClient(t.app);
      await signIn(notRequired, "kurt");
      assert.ok(!pageText((await notRequired.get("/register")).body).includes(INTERRUPT_TEXT));
    } finally {
      await t.savePolicy({ enabled: "all", scopeGroups: [], registration: { required: true, reconfirmDays: 90 } });
    }
  });

  test("reconfirmation after reconfirmDays: all methods shown, Looks good resets the clock and returns", async () => {
    const user = await t.createUser({ userName: "lena", email: null });
    const setup = createClient(t.app);
    await signInAPI(setup, "lena");
    await registerEmailAPI(t, setup, "lena@home.example");
    await registerTOTPAPI(t, setup, "Work phone");

    t.clock.advance(89 * DAY_MS);
    const early = createClient(t.app);
    await signIn(early, "lena");
    assert.doesNotMatch(pageText((await early.get("/register")).body), /Is your security info still correct\?/);

    t.clock.advance(2 * DAY_MS);
    const due = createClient(t.app);
    await signIn(due, "lena", { returnTo: `${APP}/inbox` });
    const page = await due.get("/register");
    const text = pageText(page.body);
    assert.match(text, /Is your security info still correct\?/);
    assert.match(text, /every 90 days/);
    assert.match(text, /Work phone/);
    assert.match(text, /l\S*@\S+\.example/);
    const looksGood = await due.postForm("/register/review", {}, { follow: false });
    assert.equal(looksGood.status, 303);
    assert.equal(looksGood.location, `${APP}/inbox`);
    const state = await t.registry.stores.registrations.get(user.id);
    assert.equal(state?.reviewedAt?.getTime(), t.clock.now().getTime());
    const reviewed = (await auditRows(t.registry, "reviewedInfo")).filter((e) => e.targetName === "lena");
    assert.equal(reviewed.at(-1)?.reason, "User successfully reviewed security info.");

    const later = createClient(t.app);
    await signIn(later, "lena");
    assert.doesNotMatch(pageText((await later.get("/register")).body), /Is your security info still correct\?/);
  });

  test("reconfirmDays = 0 never asks again", async () => {
    await t.createUser({ userName: "max", email: null });
    const setup = createClient(t.app);
    await signInAPI(setup, "max");
    await registerEmailAPI(t, setup, "max@home.example");
    await registerTOTPAPI(t, setup, "Phone");
    await t.savePolicy({ registration: { required: true, reconfirmDays: 0 } });
    try {
      t.clock.advance(800 * DAY_MS);
      const client = createClient(t.app);
      const response = await signInAPI(client, "max");
      assert.equal(response.json<{ interrupt: string | null; reconfirmDue: boolean }>().interrupt, null);
      assert.equal(response.json<{ reconfirmDue: boolean }>().reconfirmDue, false);
    } finally {
      await t.savePolicy({ registration: { required: true, reconfirmDays: 90 } });
    }
  });

  test("Looks good before enough methods are registered is refused (409) and audited as a failed review", async () => {
    const user = await t.createUser({ userName: "nina", email: null });
    const client = createClient(t.app);
    await signIn(client, "nina");
    const response = await client.postForm("/register/review", {}, { from: "/register" });
    assert.equal(response.status, 409);
    assert.match(pageText(response.body), /Register at least 2 methods/);
    assert.equal((await t.registry.stores.registrations.get(user.id))?.reviewedAt ?? null, null);
    const api = await client.json("POST", "/api/v1/registration/review", {});
    assert.equal(api.status, 409);
    const failed = (await auditRows(t.registry, "reviewedInfo")).filter((e) => e.targetName === "nina");
    assert.ok(failed.every((e) => e.outcome === "failure") && failed.length === 2);
  });

  test("a return_to on another origin is ignored: Looks good stays on the portal", async () => {
    await t.createUser({ userName: "omar", email: null });
    const client = createClient(t.app);
    await signInAPI(client, "omar", "https://evil.example/phish");
    await registerEmailAPI(t, client, "omar@home.example");
    const done = await registerTOTPAPI(t, client, "Phone");
    assert.equal(done.json<{ redirectTo: string | null }>().redirectTo, "http://localhost:3000/register");
    const html = createClient(t.app);
    await signIn(html, "omar", { returnTo: "//evil.example/phish" });
    await html.get("/register?return_to=javascript:alert(1)");
    const looksGood = await html.postForm("/register/review", {}, { follow: false });
    assert.equal(looksGood.location, "/register?status=reviewed");
  });
});
