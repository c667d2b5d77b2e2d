/**
 * Resets with the phone methods over HTTP (SPEC §4, §6, issue 5): one gate with a text message, a call to
 * the mobile phone, a call to the office phone; two gates with a passkey and a text; a text plus a call to
 * the same mobile phone refused as the same method family (POL-02). Codes are read from what the local
 * Twilio-compatible provider server received; one flow runs through the generic webhook provider; a
 * provider outage is retried by the outbox worker.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import { buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { type FakeSMSProvider, startFakeSMSProvider } from "../support/sms-provider.ts";
import { createSoftAuthenticator, type SoftAuthenticator } from "../support/webauthn-authenticator.ts";
import { signInAPI } from "./registration-support.ts";
import { type APIFlow, flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "./reset-support.ts";

const NEW_PASSWORD = "Violet-Harbour-Mango-731";
const ORIGIN = "http://localhost:3000";

/** Identifies `userName` and chooses "reset my password"; `flow.flow` is then the method choice. */
async function resetTo(client: HTTPClient, userName: string): Promise<APIFlow> {
  const flow = await startAPI(client, userName);
  if (flow.flow.state === "choosing_path") {
    const chosen = await step(client, flow, "path", { path: "reset" });
    assert.equal(chosen.status, 200, chosen.body);
    flow.flow = flowOf(chosen);
  }
  return flow;
}

async function passwordAccepted(t: TestApp, user: DirectoryUser, password: string): Promise<boolean> {
  const verify = t.registry.directory.passwords?.verify;
  assert.ok(verify !== undefined);
  return verify(user, password);
}

describe("phone resets with the Twilio adapter", () => {
  let sms: FakeSMSProvider;
  let t: TestApp;

  before(async () => {
    sms = await startFakeSMSProvider();
    t = await buildTestApp({
      config: {
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
        outbox: { maxAttempts: 5 },
        sms: {
          provider: "twilio",
          twilio: { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550006" },
        },
      },
      policy: {
        enabled: "all",
        methodsRequired: 1,
        methods: ["email-code", "sms-code", "voice-mobile", "voice-office", "passkey"],
      },
    });
  });
  after(async () => {
    await t.close();
    await sms.stop();
  });

  /** Registers a mobile number for `userName` through the JSON API, confirmed with the texted code. */
  async function registerMobile(userName: string, phone: string, e164: string): Promise<void> {
    const api = createClient(t.app);
    assert.equal((await signInAPI(api, userName)).status, 200);
    const start = await api.json("POST", "/api/v1/registration/methods/sms-code", { phone });
    assert.equal(start.status, 201, start.body);
    await t.registry.outboxWorker.drain();
    const code = sms.lastCodeFor(e164);
    assert.ok(code !== null);
    const { enrollmentId } = start.json<{ enrollmentId: string }>();
    const confirmed = await api.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, { code });
    assert.equal(confirmed.status, 200, confirmed.body);
  }

  async function registerPasskey(userName: string, authenticator: SoftAuthenticator): Promise<void> {
    const api = createClient(t.app);
    assert.equal((await signInAPI(api, userName)).status, 200);
    const start = await api.json("POST", "/api/v1/registration/methods/passkey", { label: "Laptop" });
    assert.equal(start.status, 201, start.body);
    const { enrollmentId, options } = start.json<{ enrollmentId: string; options: Record<string, unknown> }>();
    const confirmed = await api.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, {
      response: authenticator.create(options, ORIGIN),
    });
    assert.equal(confirmed.status, 200, confirmed.body);
  }

  /** Sends the code for the current phone gate and returns it as the provider received it. */
  async function phoneGate(
    client: HTTPClient,
    flow: APIFlow,
    method: string,
    typed: string,
    e164: string,
    channel: "sms" | "voice",
  ): Promise<void> {
    const chosen = await step(client, flow, "method", { method });
    assert.equal(chosen.status, 200, chosen.body);
    assert.equal(flowOf(chosen).challenge?.kind, "ask-destination");
    const before = sms.delivered().length;
    const sent = await step(client, flow, "send", { phone: typed });
    assert.equal(sent.status, 200, sent.body);
    assert.equal(flowOf(sent).challenge?.kind, "enter-code");
    await t.registry.outboxWorker.drain();
    const fresh = sms.delivered().slice(before);
    assert.equal(fresh.length, 1, "exactly one message per send");
    assert.equal(fresh[0]?.to, e164);
    assert.equal(fresh[0]?.channel, channel);
    const code = sms.lastCodeFor(e164);
    assert.ok(code !== null);
    const verified = await step(client, flow, "verify", { code });
    assert.equal(verified.status, 200, verified.body);
  }

  async function setPassword(client: HTTPClient, flow: APIFlow): Promise<void> {
    const done = await step(client, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(done.status, 200, done.body);
    assert.equal(flowOf(done).state, "done");
    assert.equal(flowOf(done).result, "password_reset");
  }

  test("one gate: a text message to the registered mobile phone resets the password", async () => {
    const user = await t.createUser({ userName: "sam", email: null });
    await registerMobile("sam", "425-555-0111", "+14255550111");
    const client = createClient(t.app);
    const flow = await resetTo(client, "sam");
    assert.ok(flow.flow.methods.some((m) => m.id === "sms-code"));
    await phoneGate(client, flow, "sms-code", "+1 425 555 0111", "+14255550111", "sms");
    const view = flowOf(
      await client.json("GET", `/api/v1/reset/${flow.flowId}`, undefined, {
        headers: { "x-flow-token": flow.token },
      }),
    );
    assert.equal(view.state, "awaiting_new_password");
    await setPassword(client, flow);
    assert.equal(await passwordAccepted(t, user, NEW_PASSWORD), true);
    assert.equal(await passwordAccepted(t, user, TEST_PASSWORD), false);
  });

  test("one gate: a voice call to the mobile number from the directory (pre-populated, not registered)", async () => {
    const user = await t.createUser({ userName: "tom", email: null, mobile: "+1 4255550112" });
    const client = createClient(t.app);
    const flow = await resetTo(client, "tom");
    await phoneGate(client, flow, "voice-mobile", "4255550112", "+14255550112", "voice");
    await setPassword(client, flow);
    assert.equal(await passwordAccepted(t, user, NEW_PASSWORD), true);
  });

  test("one gate: a voice call to the office phone (extension not dialled)", async () => {
    const user = await t.createUser({ userName: "uma", email: null, officePhone: "+1 4255550113 X42" });
    const client = createClient(t.app);
    const flow = await resetTo(client, "uma");
    assert.ok(
      flow.flow.methods.some((m) => m.id === "voice-office"),
      JSON.stringify(flow.flow.methods),
    );
    await phoneGate(client, flow, "voice-office", "+14255550113", "+14255550113", "voice");
    await setPassword(client, flow);
    assert.equal(await passwordAccepted(t, user, NEW_PASSWORD), true);
  });

  test("one gate: a passkey assertion resets the password without typing anything but the user name", async () => {
    const user = await t.createUser({ userName: "vera", email: null });
    const authenticator = createSoftAuthenticator();
    await registerPasskey("vera", authenticator);
    const client = createClient(t.app);
    const flow = await resetTo(client, "vera");
    const chosen = flowOf(await step(client, flow, "method", { method: "passkey" }));
    assert.equal(chosen.challenge?.kind, "webauthn");
    const options = (chosen.challenge as unknown as { options: Record<string, unknown> }).options;
    assert.deepEqual(options.allowCredentials, [], "no credential list: nothing tells accounts apart");
    assert.equal(options.userVerification, "required");
    assert.equal(options.rpId, "localhost");
    const verified = await step(client, flow, "verify", { response: authenticator.get(options, ORIGIN) });
    assert.equal(verified.status, 200, verified.body);
    assert.equal(flowOf(verified).state, "awaiting_new_password");
    await setPassword(client, flow);
    assert.equal(await passwordAccepted(t, user, NEW_PASSWORD), true);
    const passkey = (await t.registry.stores.enrollments.listForUser(user.id)).find((e) => e.method === "passkey");
    assert.equal(passkey?.data.counter, 1, "the signature counter moved forward");
    assert.ok(passkey?.lastUsedAt instanceof Date);
  });

  test("two gates: a passkey then a text message; a call to the same mobile does not count as a second method", async () => {
    await t.savePolicy({ methodsRequired: 2 });
    try {
      const user = await t.createUser({ userName: "wes", email: null });
      await registerMobile("wes", "+14255550114", "+14255550114");
      const authenticator = createSoftAuthenticator();
      await registerPasskey("wes", authenticator);

      // SMS first: the second gate offers the passkey, not a voice call to the same phone.
      const client1 = createClient(t.app);
      const flow1 = await resetTo(client1, "wes");
      await phoneGate(client1, flow1, "sms-code", "+14255550114", "+14255550114", "sms");
      const second = flowOf(
        await client1.json("GET", `/api/v1/reset/${flow1.flowId}`, undefined, {
          headers: { "x-flow-token": flow1.token },
        }),
      );
      assert.equal(second.state, "choosing_method");
      assert.equal(second.gate, 2);
      assert.deepEqual(
        second.methods.map((m) => m.id),
        ["passkey"],
        "SMS and voice to the same phone are one method",
      );
      const refused = await step(client1, flow1, "method", { method: "voice-mobile" });
      assert.ok(refused.status >= 400 && refused.status < 500, `${refused.status} ${refused.body}`);
      const still = flowOf(
        await client1.json("GET", `/api/v1/reset/${flow1.flowId}`, undefined, {
          headers: { "x-flow-token": flow1.token },
        }),
      );
      assert.equal(still.state, "choosing_method", "the refused choice did not pass the gate");
      assert.equal(await passwordAccepted(t, user, TEST_PASSWORD), true);

      // Passkey first, then the text: two different methods, the reset goes through.
      const client2 = createClient(t.app);
      const flow2 = await resetTo(client2, "wes");
      const chosen = flowOf(await step(client2, flow2, "method", { method: "passkey" }));
      const options = (chosen.challenge as unknown as { options: Record<string, unknown> }).options;
      const passed = await step(client2, flow2, "verify", { response: authenticator.get(options, ORIGIN) });
      assert.equal(passed.status, 200, passed.body);
      assert.equal(flowOf(passed).state, "choosing_method");
      assert.equal(flowOf(passed).gate, 2);
      await phoneGate(client2, flow2, "sms-code", "+14255550114", "+14255550114", "sms");
      await setPassword(client2, flow2);
      assert.equal(await passwordAccepted(t, user, NEW_PASSWORD), true);
    } finally {
      await t.savePolicy({ methodsRequired: 1 });
    }
  });

  test("a provider outage is retried with back-off by the outbox worker and the code still arrives", async () => {
    await t.createUser({ userName: "xia", email: null, mobile: "+14255550115" });
    const client = createClient(t.app);
    const flow = await resetTo(client, "xia");
    await step(client, flow, "method", { method: "sms-code" });
    sms.failNext(1, 503);
    const sent = await step(client, flow, "send", { phone: "+14255550115" });
    assert.equal(sent.status, 200, sent.body);
    await t.registry.outboxWorker.drain();
    assert.equal(sms.lastCodeFor("+14255550115"), null, "the first attempt failed");
    t.clock.advance(1_000);
    await t.registry.outboxWorker.drain();
    assert.equal(sms.lastCodeFor("+14255550115"), null, "not retried before the back-off");
    t.clock.advance(5_000);
    await t.registry.outboxWorker.drain();
    const code = sms.lastCodeFor("+14255550115");
    assert.ok(code !== null, "retried after the back-off");
    const verified = await step(client, flow, "verify", { code });
    assert.equal(flowOf(verified).state, "awaiting_new_password");
  });
});

describe("phone reset through the generic webhook provider", () => {
  let sms: FakeSMSProvider;
  let t: TestApp;

  before(async () => {
    sms = await startFakeSMSProvider({ webhookPath: "/hooks/sms", webhookHeader: ["X-Api-Key", "hook-key-42"] });
    t = await buildTestApp({
      config: {
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
        sms: {
          provider: "webhook",
          webhook: { url: `${sms.url}/hooks/sms`, headers: { "X-Api-Key": "hook-key-42" } },
        },
      },
      policy: { enabled: "all", methodsRequired: 1, methods: ["sms-code", "voice-mobile"] },
    });
  });
  after(async () => {
    await t.close();
    await sms.stop();
  });

  test("the SMS code travels through the webhook (JSON body template, API key header)", async () => {
    const user = await t.createUser({ userName: "yan", email: null, mobile: "+14255550116" });
    const client = createClient(t.app);
    const flow = await resetTo(client, "yan");
    await step(client, flow, "method", { method: "sms-code" });
    await step(client, flow, "send", { phone: "(425) 555-0116" });
    await t.registry.outboxWorker.drain();
    assert.deepEqual(sms.refused(), []);
    const delivered = sms.delivered();
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]?.provider, "webhook");
    assert.equal(delivered[0]?.channel, "sms");
    const code = sms.lastCodeFor("+14255550116");
    assert.ok(code !== null);
    const verified = await step(client, flow, "verify", { code });
    assert.equal(flowOf(verified).state, "awaiting_new_password", verified.body);
    const done = await step(client, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    assert.equal(flowOf(done).state, "done");
    assert.equal(await passwordAccepted(t, user, NEW_PASSWORD), true);
  });
});
