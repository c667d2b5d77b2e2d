/**
 * Threat: password guessing through the registration portal's sign-in. Without a limit the portal is an
 * unthrottled password oracle for every directory account (and, on AD, a way to trip the domain lockout).
 * Failed sign-ins are capped per account (`security.signInMaxAttempts`, default 5 per 15 minutes) and per
 * source address (20 per 15 minutes); an unknown user name is throttled exactly like a real one so the 429
 * does not reveal which accounts exist. The account attempt is counted before the password is checked,
 * so parallel guesses cannot slip past the cap (REQ-034).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MINUTE_MS } from "../../src/kernel/clock.ts";
import { buildRegistrationApp, pageText, signIn } from "../e2e/registration-support.ts";
import type { TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

describe("registration sign-in rate limit", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp();
    await t.createUser({ userName: "victor" });
  });
  after(async () => {
    await t.close();
  });

  test("after 5 failures the account is refused with 429 even with the right password, for 15 minutes", async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const client = createClient(t.app, { headers: { "x-forwarded-for": `10.0.0.${attempt}` } });
      const response = await signIn(client, "victor", { password: `wrong-${attempt}` });
      assert.equal(response.status, 401);
    }
    const blocked = createClient(t.app);
    const response = await signIn(blocked, "victor");
    assert.equal(response.status, 429);
    assert.match(pageText(response.body), /Too many unsuccessful sign-in attempts\. Wait 15 minutes/);
    assert.equal(response.headers["retry-after"], "900");
    assert.equal(blocked.cookie("opensspr-session"), undefined);
    const api = await blocked.json("POST", "/api/v1/registration/sign-in", {
      identifier: "VICTOR",
      password: "Correct-Horse-Battery-Staple-42",
    });
    assert.equal(api.status, 429);
    assert.equal(api.json<{ error: { code: string } }>().error.code, "SIGN_IN_RATE_LIMITED");

    t.clock.advance(15 * MINUTE_MS + 1000);
    const later = createClient(t.app);
    assert.equal((await signIn(later, "victor")).status, 303);
  });

  test("an unknown user name is throttled the same way (no enumeration through the 429)", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const client = createClient(t.app);
      statuses.push((await signIn(client, "no-such-person", { password: `wrong-${attempt}` })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });

  test("parallel guesses cannot exceed the cap", async () => {
    await t.createUser({ userName: "wendy" });
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(createClient(t.app), "wendy", { password: `guess-${i}` })),
    );
    const checked = attempts.filter((r) => r.status === 401).length;
    assert.ok(checked <= 5, `${checked} passwords were checked`);
    assert.equal(attempts.filter((r) => r.status === 429).length, 20 - checked);
  });

  test("a success clears the account's failure count", async () => {
    await t.createUser({ userName: "xena" });
    for (let i = 0; i < 4; i++) await signIn(createClient(t.app), "xena", { password: `bad-${i}` });
    assert.equal((await signIn(createClient(t.app), "xena")).status, 303);
    for (let i = 0; i < 4; i++)
      assert.equal((await signIn(createClient(t.app), "xena", { password: `bad-${i}` })).status, 401);
    assert.equal((await signIn(createClient(t.app), "xena")).status, 303);
  });

  test("one source address is capped across accounts", async () => {
    t.clock.advance(16 * MINUTE_MS);
    for (let i = 0; i < 20; i++) await t.createUser({ userName: `spray${i}` });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await signIn(createClient(t.app), `spray${i}`, { password: "Winter2026!" })).status);
    assert.ok(statuses.every((s) => s === 401));
    const next = await signIn(createClient(t.app), "spray0");
    assert.equal(next.status, 429, "the 21st attempt from the same address is refused, even with the right password");
  });
});
