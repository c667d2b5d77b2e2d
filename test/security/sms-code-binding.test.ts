/**
 * Threat: code transplanting (issue 5) — an attacker who receives a code on their own phone (their own
 * account, their own registration, another reset flow) tries to redeem it where it was not sent: another
 * account's reset gate, another flow, another number's registration. A code is bound to the flow/enrollment
 * and number it was sent for and is refused anywhere else.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type APIFlow, flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import { type FakeSMSProvider, startFakeSMSProvider } from "../support/sms-provider.ts";

describe("a code is only good where it was sent", () => {
  let sms: FakeSMSProvider;
  let t: TestApp;

  before(async () => {
    sms = await startFakeSMSProvider();
    t = await buildTestApp({
      config: {
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
        sms: {
          provider: "twilio",
          twilio: { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550006" },
        },
      },
      policy: {
        enabled: "all",
        methodsRequired: 1,
        methods: ["sms-code", "voice-mobile", "voice-office"],
        registration: { required: true, reconfirmDays: 90 },
      },
    });
  });
  after(async () => {
    await t.close();
    await sms.stop();
  });

  async function atGate(
    userName: string,
    method: string,
    phone: string,
  ): Promise<{ client: HTTPClient; flow: APIFlow }> {
    const client = createClient(t.app);
    const flow = await startAPI(client, userName);
    if (flow.flow.state === "choosing_path") await step(client, flow, "path", { path: "reset" });
    assert.equal((await step(client, flow, "method", { method })).status, 200);
    assert.equal((await step(client, flow, "send", { phone })).status, 200);
    await t.registry.outboxWorker.drain();
    return { client, flow };
  }

  async function stateOf(client: HTTPClient, flow: APIFlow): Promise<string> {
    const response = await client.json("GET", `/api/v1/reset/${flow.flowId}`, undefined, {
      headers: { "x-flow-token": flow.token },
    });
    return flowOf(response).state;
  }

  test("the attacker's own code, sent to the attacker's phone, does not pass the victim's gate", async () => {
    await t.createUser({ userName: "victim1", email: null, mobile: "+14255550301" });
    await t.createUser({ userName: "mallory1", email: null, mobile: "+14255550302" });
    const victim = await atGate("victim1", "sms-code", "+14255550302"); // attacker types their own number
    assert.equal(sms.lastCodeFor("+14255550302"), null, "nothing is sent to a number not on the victim's file");
    const own = await atGate("mallory1", "sms-code", "+14255550302");
    const code = sms.lastCodeFor("+14255550302");
    assert.ok(code !== null);
    const refused = await step(victim.client, victim.flow, "verify", { code });
    assert.notEqual(await stateOf(victim.client, victim.flow), "awaiting_new_password", refused.body);
    // The code still works where it was sent.
    await step(own.client, own.flow, "verify", { code });
    assert.equal(await stateOf(own.client, own.flow), "awaiting_new_password");
  });

  test("a code sent in one flow does not pass another flow of the same account, nor another phone method", async () => {
    await t.createUser({ userName: "victim2", email: null, mobile: "+14255550311", officePhone: "+14255550312" });
    const first = await atGate("victim2", "sms-code", "+14255550311");
    const code = sms.lastCodeFor("+14255550311");
    assert.ok(code !== null);
    const second = await atGate("victim2", "voice-office", "+14255550312");
    await step(second.client, second.flow, "verify", { code });
    assert.notEqual(await stateOf(second.client, second.flow), "awaiting_new_password");
    const third = await atGate("victim2", "voice-mobile", "+14255550311");
    const callCode = sms.lastCodeFor("+14255550311");
    assert.notEqual(callCode, code, "the call carries its own code");
    await step(third.client, third.flow, "verify", { code });
    assert.notEqual(await stateOf(third.client, third.flow), "awaiting_new_password");
    // The first flow's own code is still good.
    await step(first.client, first.flow, "verify", { code });
    assert.equal(await stateOf(first.client, first.flow), "awaiting_new_password");
  });

  test("a registration code for one number cannot confirm another number's registration", async () => {
    await t.createUser({ userName: "eve", email: null });
    const api = createClient(t.app);
    const signIn = await api.json("POST", "/api/v1/registration/sign-in", {
      identifier: "eve",
      password: TEST_PASSWORD,
    });
    assert.equal(signIn.status, 200, signIn.body);
    const own = await api.json("POST", "/api/v1/registration/methods/sms-code", { phone: "+14255550321" });
    assert.equal(own.status, 201, own.body);
    await t.registry.outboxWorker.drain();
    const code = sms.lastCodeFor("+14255550321");
    assert.ok(code !== null);
    // A second user starts registering a number they do not own and tries the code received on another phone.
    await t.createUser({ userName: "frank", email: null });
    const other = createClient(t.app);
    await other.json("POST", "/api/v1/registration/sign-in", { identifier: "frank", password: TEST_PASSWORD });
    const victimNumber = await other.json("POST", "/api/v1/registration/methods/sms-code", { phone: "+14255550322" });
    assert.equal(victimNumber.status, 201, victimNumber.body);
    const { enrollmentId } = victimNumber.json<{ enrollmentId: string }>();
    const refused = await other.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, { code });
    assert.equal(refused.status, 422, refused.body);
    // And frank cannot confirm eve's pending enrollment with it either.
    const ownId = own.json<{ enrollmentId: string }>().enrollmentId;
    const foreign = await other.json("POST", `/api/v1/registration/enrollments/${ownId}/confirm`, { code });
    assert.equal(foreign.status, 404, foreign.body);
    const frank = await t.registry.directory.findUser("frank");
    assert.ok(frank !== null);
    assert.deepEqual(
      (await t.registry.stores.enrollments.listForUser(frank.id)).filter((e) => e.status === "active"),
      [],
    );
    // A registration code does not pass a reset gate for that number either.
    await t.createUser({ userName: "gil", email: null, mobile: "+14255550321" });
    const gate = await atGate("gil", "sms-code", "+14255550321");
    const gateCode = sms.lastCodeFor("+14255550321");
    assert.notEqual(gateCode, code);
    await step(gate.client, gate.flow, "verify", { code });
    assert.notEqual(await stateOf(gate.client, gate.flow), "awaiting_new_password");
  });
});
