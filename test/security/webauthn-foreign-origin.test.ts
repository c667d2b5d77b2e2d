/**
 * Threat: passkey phishing / relay from another site (issue 5, security requirements §11) — an assertion
 * produced on a look-alike origin, for another relying party ID, without user verification, or by another
 * account's passkey is relayed into our reset flow. The server checks origin, RP ID hash, the UV flag and
 * that the credential belongs to the flow's account: every one is refused through the HTTP flow.
 */
import assert from "node:assert/strict";
import { createHash, sign } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { signInAPI } from "../e2e/registration-support.ts";
import { type APIFlow, flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { createSoftAuthenticator, type SoftAuthenticator } from "../support/webauthn-authenticator.ts";

const ORIGIN = "http://localhost:3000";

describe("assertions for a foreign origin or relying party are refused", () => {
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
    return { client, flow, options: (chosen.challenge as unknown as { options: Record<string, unknown> }).options };
  }

  async function refused(gate: { client: HTTPClient; flow: APIFlow }, response: unknown): Promise<void> {
    const answer = await step(gate.client, gate.flow, "verify", { response });
    assert.equal(answer.status, 422, answer.body);
    assert.equal(flowOf(answer).state, "in_challenge");
    assert.match(flowOf(answer).message ?? "", /passkey/);
  }

  const origins = ["https://localhost.evil.example", "http://localhost:3001", "https://localhost:3000"];
  for (const [index, origin] of origins.entries()) {
    test(`an assertion made on ${origin} is refused`, async () => {
      const user = `origin${index}`;
      const authenticator = await withPasskey(user);
      const gate = await passkeyGate(user);
      await refused(gate, authenticator.get(gate.options, origin));
    });
  }

  test("an assertion signed for another RP ID (a credential of evil.example) is refused", async () => {
    const authenticator = await withPasskey("rpid");
    const gate = await passkeyGate("rpid");
    // The same key pair, but the authenticator data names evil.example's RP ID hash.
    const credential = authenticator.credentials[0];
    assert.ok(credential !== undefined);
    credential.rpId = "evil.example";
    await refused(gate, authenticator.get({ ...gate.options, rpId: "evil.example" }, ORIGIN));
  });

  test("an assertion without user verification is refused", async () => {
    const authenticator = await withPasskey("nouv");
    const gate = await passkeyGate("nouv");
    await refused(gate, authenticator.get(gate.options, ORIGIN, { userVerified: false }));
  });

  test("another account's valid passkey does not pass this account's gate", async () => {
    await withPasskey("victim");
    const attacker = await withPasskey("attacker");
    const gate = await passkeyGate("victim");
    await refused(gate, attacker.get(gate.options, ORIGIN));
  });

  test("a tampered signature is refused", async () => {
    const authenticator = await withPasskey("sig");
    const gate = await passkeyGate("sig");
    const good = authenticator.get(gate.options, ORIGIN) as { response: Record<string, string> };
    const other = sign(
      "sha256",
      createHash("sha256").update("something else").digest(),
      authenticator.credentials[0]!.privateKey,
    );
    await refused(gate, { ...good, response: { ...good.response, signature: other.toString("base64url") } });
  });
});
