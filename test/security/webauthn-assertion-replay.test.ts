/**
 * Threat: replayed or cloned WebAuthn assertions (issue 5, security requirements §11) — an attacker who
 * captured one passkey assertion (a logged request, a malicious proxy) replays it to pass a reset gate, in
 * the same flow or in a new one; or a cloned authenticator signs with a counter that did not move forward.
 * Every such assertion is refused through the HTTP flow and the gate stays closed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signInAPI } from "../e2e/registration-support.ts";
import { type APIFlow, flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { createSoftAuthenticator, type SoftAuthenticator } from "../support/webauthn-authenticator.ts";

const ORIGIN = "http://localhost:3000";

describe("replayed passkey assertions are refused", () => {
  let t: TestApp;

  before(async () => {
    t = await buildTestApp({
      config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
      policy: { enabled: "all", methodsRequired: 1, methods: ["email-code", "passkey"] },
    });
  });
  after(() => t.close());

  async function withPasskey(userName: string): Promise<SoftAuthenticator> {
    await t.createUser({ userName, email: null });
    const api = createClient(t.app);
    assert.equal((await signInAPI(api, userName)).status, 200);
    const start = await api.json("POST", "/api/v1/registration/methods/passkey", { label: "Key" });
    const { enrollmentId, options } = start.json<{ enrollmentId: string; options: Record<string, unknown> }>();
    const authenticator = createSoftAuthenticator();
    const confirmed = await api.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, {
      response: authenticator.create(options, ORIGIN),
    });
    assert.equal(confirmed.status, 200, confirmed.body);
    return authenticator;
  }

  async function passkeyGate(
    userName: string,
  ): Promise<{ client: HTTPClient; flow: APIFlow; options: Record<string, unknown> }> {
    const client = createClient(t.app);
    const flow = await startAPI(client, userName);
    if (flow.flow.state === "choosing_path") await step(client, flow, "path", { path: "reset" });
    const chosen = flowOf(await step(client, flow, "method", { method: "passkey" }));
    assert.equal(chosen.challenge?.kind, "webauthn");
    return { client, flow, options: (chosen.challenge as unknown as { options: Record<string, unknown> }).options };
  }

  test("the same assertion sent twice in one flow passes once", async () => {
    const authenticator = await withPasskey("rita");
    const gate = await passkeyGate("rita");
    const assertion = authenticator.get(gate.options, ORIGIN);
    // The first submission is lost in transit for the user, but an attacker replays it: it must pass only once.
    const first = await step(gate.client, gate.flow, "verify", { response: assertion });
    assert.equal(flowOf(first).state, "awaiting_new_password");
    const again = await step(gate.client, gate.flow, "verify", { response: assertion });
    assert.ok(again.status >= 400, `a second verify after the gate passed is refused: ${again.status}`);
  });

  test("an assertion captured in one flow does not pass a new flow (fresh challenge)", async () => {
    const authenticator = await withPasskey("sid");
    const old = await passkeyGate("sid");
    const captured = authenticator.get(old.options, ORIGIN);
    const fresh = await passkeyGate("sid");
    assert.notEqual(fresh.options.challenge, old.options.challenge);
    const replay = await step(fresh.client, fresh.flow, "verify", { response: captured });
    assert.equal(replay.status, 422, replay.body);
    assert.equal(flowOf(replay).state, "in_challenge");
    assert.match(flowOf(replay).message ?? "", /passkey/);
    // The victim's own ceremony in the fresh flow still works (the failed attempt was not fatal).
    const next = (flowOf(replay).challenge as unknown as { options: Record<string, unknown> }).options;
    const ok = await step(fresh.client, fresh.flow, "verify", { response: authenticator.get(next, ORIGIN) });
    assert.equal(flowOf(ok).state, "awaiting_new_password", ok.body);
  });

  test("a replay of a failed challenge's assertion with the retry challenge is refused", async () => {
    const authenticator = await withPasskey("tia");
    const gate = await passkeyGate("tia");
    const wrongOrigin = authenticator.get(gate.options, "https://evil.example");
    const failed = await step(gate.client, gate.flow, "verify", { response: wrongOrigin });
    assert.equal(failed.status, 422);
    // The first challenge is spent: even a correct assertion for it is refused now.
    const late = authenticator.get(gate.options, ORIGIN);
    const refused = await step(gate.client, gate.flow, "verify", { response: late });
    assert.equal(refused.status, 422, refused.body);
    assert.equal(flowOf(refused).state, "in_challenge");
  });

  test("a cloned authenticator whose counter did not move forward is refused", async () => {
    const authenticator = await withPasskey("uli");
    const first = await passkeyGate("uli");
    const passed = await step(first.client, first.flow, "verify", {
      response: authenticator.get(first.options, ORIGIN),
    });
    assert.equal(flowOf(passed).state, "awaiting_new_password");
    assert.equal(authenticator.credentials[0]?.counter, 1);
    const second = await passkeyGate("uli");
    const cloned = await step(second.client, second.flow, "verify", {
      response: authenticator.get(second.options, ORIGIN, { counter: 1 }),
    });
    assert.equal(cloned.status, 422, cloned.body);
    assert.equal(flowOf(cloned).state, "in_challenge");
  });
});
