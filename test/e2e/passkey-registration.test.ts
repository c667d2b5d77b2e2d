/**
 * Registering passkeys through the registration portal's JSON API (SPEC §4, issue 5) with a software
 * authenticator that signs for real: discoverable credentials with user verification required, more than
 * one passkey per user, named and removed; a ceremony without user verification, for another origin or
 * answered twice is refused and leaves nothing active.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { createSoftAuthenticator } from "../support/webauthn-authenticator.ts";
import { signInAPI } from "./registration-support.ts";

const ORIGIN = "http://localhost:3000";

describe("passkey registration over the JSON API", () => {
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({
      policy: {
        enabled: "all",
        methodsRequired: 1,
        methods: ["email-code", "passkey"],
        registration: { required: true, reconfirmDays: 90 },
      },
    });
  });
  after(() => t.close());

  async function signedIn(userName: string): Promise<HTTPClient> {
    await t.createUser({ userName, email: null });
    const api = createClient(t.app);
    const response = await signInAPI(api, userName);
    assert.equal(response.status, 200, response.body);
    return api;
  }

  async function start(api: HTTPClient, label: string) {
    const response = await api.json("POST", "/api/v1/registration/methods/passkey", { label });
    assert.equal(response.status, 201, response.body);
    return response.json<{ enrollmentId: string; options: Record<string, unknown> }>();
  }

  async function passkeys(userName: string) {
    const user = await t.registry.directory.findUser(userName);
    assert.ok(user !== null);
    return (await t.registry.stores.enrollments.listForUser(user.id)).filter((e) => e.method === "passkey");
  }

  test("a user registers two named passkeys, then removes one; the options ask for a discoverable, verified credential", async () => {
    const api = await signedIn("ada");
    const authenticator = createSoftAuthenticator();

    const first = await start(api, "Laptop");
    const selection = first.options.authenticatorSelection as Record<string, unknown>;
    assert.equal(selection.residentKey, "required");
    assert.equal(selection.userVerification, "required");
    assert.equal((first.options.rp as { id: string }).id, "localhost", "the RP ID is the public URL's host");
    const confirmed = await api.json("POST", `/api/v1/registration/enrollments/${first.enrollmentId}/confirm`, {
      response: authenticator.create(first.options, ORIGIN),
    });
    assert.equal(confirmed.status, 200, confirmed.body);
    assert.equal(confirmed.json<{ status: string; becameRegistered: boolean }>().status, "active");
    assert.equal(confirmed.json<{ becameRegistered: boolean }>().becameRegistered, true);

    const second = await start(api, "Phone");
    const exclude = second.options.excludeCredentials as { id: string }[];
    assert.deepEqual(
      exclude.map((c) => c.id),
      [authenticator.credentials[0]?.id],
      "the first passkey is excluded from being registered twice",
    );
    const other = createSoftAuthenticator();
    const confirmedSecond = await api.json("POST", `/api/v1/registration/enrollments/${second.enrollmentId}/confirm`, {
      response: other.create(second.options, ORIGIN),
    });
    assert.equal(confirmedSecond.status, 200, confirmedSecond.body);

    const active = (await passkeys("ada")).filter((e) => e.status === "active");
    assert.deepEqual(active.map((e) => e.label).sort(), ["Laptop", "Phone"]);
    assert.equal(active.find((e) => e.label === "Laptop")?.data.credentialId, authenticator.credentials[0]?.id);

    const overview = await api.json("GET", "/api/v1/registration");
    assert.match(overview.body, /Laptop/);
    assert.match(overview.body, /Phone/);

    const laptop = active.find((e) => e.label === "Laptop");
    assert.ok(laptop !== undefined);
    const removed = await api.json("DELETE", `/api/v1/registration/enrollments/${laptop.id}`, {});
    assert.equal(removed.status, 200, removed.body);
    assert.equal(removed.json<{ noLongerRegistered: boolean }>().noLongerRegistered, false);
    assert.deepEqual(
      (await passkeys("ada")).filter((e) => e.status === "active").map((e) => e.label),
      ["Phone"],
    );
  });

  test("a passkey made without user verification is refused and nothing is kept", async () => {
    const api = await signedIn("ben");
    const begun = await start(api, "Key");
    const refused = await api.json("POST", `/api/v1/registration/enrollments/${begun.enrollmentId}/confirm`, {
      response: createSoftAuthenticator().create(begun.options, ORIGIN, { userVerified: false }),
    });
    assert.equal(refused.status, 422, refused.body);
    assert.match(refused.body, /could not be verified/);
    assert.deepEqual(
      (await passkeys("ben")).filter((e) => e.status === "active"),
      [],
    );
  });

  test("a passkey created for another origin is refused", async () => {
    const api = await signedIn("cyd");
    const begun = await start(api, "Key");
    const refused = await api.json("POST", `/api/v1/registration/enrollments/${begun.enrollmentId}/confirm`, {
      response: createSoftAuthenticator().create(begun.options, "https://phish.example"),
    });
    assert.equal(refused.status, 422, refused.body);
    assert.deepEqual(
      (await passkeys("cyd")).filter((e) => e.status === "active"),
      [],
    );
  });

  test("a malformed WebAuthn response gets a clear 4xx and leaves nothing active", async () => {
    const api = await signedIn("dot");
    const begun = await start(api, "Key");
    const refused = await api.json("POST", `/api/v1/registration/enrollments/${begun.enrollmentId}/confirm`, {
      response: "{not json",
    });
    assert.ok(refused.status === 400 || refused.status === 422, `${refused.status} ${refused.body}`);
    assert.deepEqual(
      (await passkeys("dot")).filter((e) => e.status === "active"),
      [],
    );
  });
});
