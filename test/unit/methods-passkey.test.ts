/**
 * Passkeys (issue 5; security requirements §11): registration with user verification, assertions checked
 * for challenge, origin, RP ID, counter and account; a replayed assertion, a foreign origin, a credential
 * of another account and an unknown account never pass a gate. Options do not reveal whether an account
 * exists (no credential list).
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import type { ChallengeContext, EnrollContext } from "../../src/methods/method.ts";
import { createPasskeyMethod } from "../../src/methods/passkey/passkey.method.ts";
import type { RequestContext } from "../../src/registry.types.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createSoftAuthenticator } from "../support/webauthn-authenticator.ts";

const request: RequestContext = { ip: "192.0.2.10", userAgent: "test", requestId: "req-1", locale: "en" };
const ORIGIN = "https://sspr.example.test";

describe("passkey method", () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  async function setup() {
    t = await buildTestApp({
      config: { server: { publicUrl: ORIGIN } },
      policy: { enabled: "all", methods: ["passkey", "email-code"] },
    });
    return { t, passkey: createPasskeyMethod(t.registry) };
  }

  async function register(
    app: TestApp,
    passkey: ReturnType<typeof createPasskeyMethod>,
    user: DirectoryUser,
    authenticator = createSoftAuthenticator(),
  ) {
    const policy = (await app.registry.policy.current()).policy;
    const ctx: EnrollContext = {
      user,
      enrollments: await app.registry.stores.enrollments.listForUser(user.id),
      policy,
      request,
    };
    const started = await passkey.enrollment?.start(ctx, { label: "Laptop" });
    assert.equal(started?.kind, "webauthn-create");
    if (started?.kind !== "webauthn-create") throw new Error("unreachable");
    const options = started.options as {
      authenticatorSelection: { residentKey: string; userVerification: string };
      rp: { id: string };
    };
    assert.equal(options.authenticatorSelection.residentKey, "required");
    assert.equal(options.authenticatorSelection.userVerification, "required");
    assert.equal(options.rp.id, "sspr.example.test");
    const response = authenticator.create(started.options, ORIGIN);
    const confirmed = await passkey.enrollment?.confirm(ctx, started.enrollmentId, {
      response: JSON.stringify(response),
    });
    return { confirmed, authenticator, enrollmentId: started.enrollmentId };
  }

  async function gate(
    app: TestApp,
    user: DirectoryUser | null,
    state: Record<string, unknown> = {},
  ): Promise<ChallengeContext> {
    const policy = (await app.registry.policy.current()).policy;
    return {
      flowId: "flow-p",
      user,
      decoySeed: "seed",
      enrollments: user === null ? [] : await app.registry.stores.enrollments.listForUser(user.id),
      policy,
      state,
      request,
    };
  }

  test("registers a discoverable credential and proves a reset gate with it", async () => {
    const { t: app, passkey } = await setup();
    const user = await app.createUser({ userName: "alice" });
    const { confirmed, authenticator, enrollmentId } = await register(app, passkey, user);
    assert.deepEqual(confirmed, { kind: "active", enrollmentId });
    const row = await app.registry.stores.enrollments.get(enrollmentId);
    assert.equal(row?.status, "active");
    assert.equal(row?.label, "Laptop");
    assert.equal(passkey.hasData(user, [row!], (await app.registry.policy.current()).policy), true);

    const begun = await passkey.challenge?.begin(await gate(app, user), {});
    assert.ok(begun?.kind === "view" && begun.view.kind === "webauthn");
    const options = begun.view.kind === "webauthn" ? begun.view.options : {};
    assert.deepEqual(options.allowCredentials, [], "no credential list: nothing to enumerate");
    const assertion = authenticator.get(options, ORIGIN);
    const verified = await passkey.challenge?.verify(await gate(app, user, begun.state), { response: assertion });
    assert.equal(verified?.kind, "proved");
    const after = await app.registry.stores.enrollments.get(enrollmentId);
    assert.equal(after?.data.counter, 1, "the signature counter is stored");
  });

  test("registration without user verification is refused", async () => {
    const { t: app, passkey } = await setup();
    const user = await app.createUser({ userName: "bob" });
    const policy = (await app.registry.policy.current()).policy;
    const ctx: EnrollContext = { user, enrollments: [], policy, request };
    const started = await passkey.enrollment?.start(ctx, {});
    if (started?.kind !== "webauthn-create") throw new Error("unreachable");
    const response = createSoftAuthenticator().create(started.options, ORIGIN, { userVerified: false });
    assert.equal((await passkey.enrollment?.confirm(ctx, started.enrollmentId, { response }))?.kind, "exhausted");
    assert.equal(await app.registry.stores.enrollments.get(started.enrollmentId), null, "nothing half-registered");
  });

  test("a replayed assertion is refused", async () => {
    const { t: app, passkey } = await setup();
    const user = await app.createUser({ userName: "carol" });
    const { authenticator } = await register(app, passkey, user);
    const begun = await passkey.challenge?.begin(await gate(app, user), {});
    if (begun?.kind !== "view" || begun.view.kind !== "webauthn") throw new Error("unreachable");
    const assertion = authenticator.get(begun.view.options, ORIGIN);
    assert.equal(
      (await passkey.challenge?.verify(await gate(app, user, begun.state), { response: assertion }))?.kind,
      "proved",
    );
    const replay = await passkey.challenge?.verify(await gate(app, user, begun.state), { response: assertion });
    assert.equal(replay?.kind, "view");
  });

  test("a cloned authenticator (counter going backwards) is refused", async () => {
    const { t: app, passkey } = await setup();
    const user = await app.createUser({ userName: "dan" });
    const { authenticator } = await register(app, passkey, user);
    for (const counter of [5, 3]) {
      const begun = await passkey.challenge?.begin(await gate(app, user), {});
      if (begun?.kind !== "view" || begun.view.kind !== "webauthn") throw new Error("unreachable");
      const outcome = await passkey.challenge?.verify(await gate(app, user, begun.state), {
        response: authenticator.get(begun.view.options, ORIGIN, { counter }),
      });
      assert.equal(outcome?.kind, counter === 5 ? "proved" : "view");
    }
  });

  test("a foreign origin, another account's passkey and an unknown account never pass", async () => {
    const { t: app, passkey } = await setup();
    const alice = await app.createUser({ userName: "alice2" });
    const mallory = await app.createUser({ userName: "mallory" });
    const { authenticator } = await register(app, passkey, mallory);

    const foreign = await passkey.challenge?.begin(await gate(app, mallory), {});
    if (foreign?.kind !== "view" || foreign.view.kind !== "webauthn") throw new Error("unreachable");
    const phished = authenticator.get(foreign.view.options, "https://evil.example");
    assert.equal(
      (await passkey.challenge?.verify(await gate(app, mallory, foreign.state), { response: phished }))?.kind,
      "view",
    );

    const cross = await passkey.challenge?.begin(await gate(app, alice), {});
    if (cross?.kind !== "view" || cross.view.kind !== "webauthn") throw new Error("unreachable");
    const malloryForAlice = authenticator.get(cross.view.options, ORIGIN);
    assert.equal(
      (await passkey.challenge?.verify(await gate(app, alice, cross.state), { response: malloryForAlice }))?.kind,
      "view",
    );

    const decoy = await passkey.challenge?.begin(await gate(app, null), {});
    if (decoy?.kind !== "view" || decoy.view.kind !== "webauthn") throw new Error("unreachable");
    assert.deepEqual(
      Object.keys(decoy.view.options).sort(),
      Object.keys(cross.view.options).sort(),
      "decoy options have the same shape",
    );
    const decoyAnswer = authenticator.get(decoy.view.options, ORIGIN);
    assert.equal(
      (await passkey.challenge?.verify(await gate(app, null, decoy.state), { response: decoyAnswer }))?.kind,
      "view",
    );
  });

  test("malformed responses (not JSON, arrays, oversized) are refused without a crash", async () => {
    const { t: app, passkey } = await setup();
    const user = await app.createUser({ userName: "erin" });
    await register(app, passkey, user);
    for (const input of [
      { response: "{not json" },
      { response: ["x"] },
      { response: "x".repeat(30_000) },
      null,
      "string",
    ]) {
      const begun = await passkey.challenge?.begin(await gate(app, user), {});
      const outcome = await passkey.challenge?.verify(
        await gate(app, user, begun?.kind === "view" ? begun.state : {}),
        input,
      );
      assert.equal(outcome?.kind, "view");
    }
  });
});
