/**
 * Threat: phone-number enumeration and SMS to arbitrary numbers through the reset gate (FLOW-06, issue 5).
 * The gate asks for the FULL number and sends only when it matches the number on file. Someone probing
 * numbers (or accounts) must learn nothing from the answer: a number not on file gets no SMS/call, and the
 * HTTP response (status, headers, body with ids normalised) is exactly that of a matching number — and the
 * same for an account that does not exist.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPResponse } from "../support/http-client.ts";
import { type FakeSMSProvider, startFakeSMSProvider } from "../support/sms-provider.ts";

/** What an observer compares: status, headers minus per-request ones, body with ids and timestamps normalised. */
function observable(response: HTTPResponse, ids: string[]): { status: number; headers: string; body: string } {
  let body = response.body;
  for (const id of ids) body = body.split(id).join("<id>");
  body = body.replace(/"expiresAt":"[^"]+"/g, '"expiresAt":"<t>"');
  const headers = Object.entries(response.headers)
    .filter(([name]) => !["date", "x-request-id", "request-id"].includes(name))
    .map(([name, value]) => `${name}: ${name === "content-length" ? "<n>" : String(value)}`)
    .sort()
    .join("\n");
  return { status: response.status, headers, body };
}

describe("the phone gate is enumeration-neutral", () => {
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
      policy: { enabled: "all", methodsRequired: 1, methods: ["sms-code", "voice-mobile", "voice-office"] },
    });
  });
  after(async () => {
    await t.close();
    await sms.stop();
  });

  /** One account per test: every typed number counts towards the account's THR-02 limit (5 an hour). */
  let users = 0;
  async function kim(): Promise<string> {
    const userName = `kim${++users}`;
    await t.createUser({ userName, email: null, mobile: "+14255550201", officePhone: "+14255550202" });
    return userName;
  }

  /** A flow up to the phone gate's "send" with `typed`; returns the response and what the provider got. */
  async function send(userName: string, method: string, typed: string) {
    const client = createClient(t.app);
    const flow = await startAPI(client, userName);
    if (flow.flow.state === "choosing_path") await step(client, flow, "path", { path: "reset" });
    const chosen = await step(client, flow, "method", { method });
    assert.equal(chosen.status, 200, chosen.body);
    const before = sms.delivered().length;
    const response = await step(client, flow, "send", { phone: typed });
    await t.registry.outboxWorker.drain();
    return { response, ids: [flow.flowId, flow.token], delivered: sms.delivered().slice(before) };
  }

  for (const [method, onFile, other] of [
    ["sms-code", "+14255550201", "+14255550299"],
    ["voice-mobile", "+14255550201", "+14255550298"],
    ["voice-office", "+14255550202", "+14255550297"],
  ] as const) {
    test(`${method}: a number not on file gets nothing, with the same response as the number on file`, async () => {
      const user = await kim();
      const match = await send(user, method, onFile);
      assert.equal(match.delivered.length, 1);
      assert.equal(match.delivered[0]?.to, onFile);

      const miss = await send(user, method, other);
      assert.deepEqual(miss.delivered, [], "no SMS or call to a number that is not on file");
      assert.equal(sms.delivered().filter((m) => m.to === other).length, 0);
      assert.deepEqual(observable(miss.response, miss.ids), observable(match.response, match.ids));
    });
  }

  test("a typed number in another form (national, spaces) still matches; a different one never receives", async () => {
    const user = await kim();
    const national = await send(user, "sms-code", "(425) 555-0201");
    assert.equal(national.delivered.length, 1);
    const near = await send(user, "sms-code", "+1 425 555 0210");
    assert.equal(near.delivered.length, 0);
    assert.deepEqual(observable(near.response, near.ids), observable(national.response, national.ids));
  });

  test("an unknown account gets the same answer as a real one, and nothing is sent", async () => {
    const real = await send(await kim(), "sms-code", "+14255550201");
    const ghost = await send("nobody-here", "sms-code", "+14255550201");
    assert.deepEqual(ghost.delivered, []);
    const mask = (o: ReturnType<typeof observable>) => ({ ...o, body: o.body.replace(/•+\d\d/g, "•••") });
    assert.deepEqual(mask(observable(ghost.response, ghost.ids)), mask(observable(real.response, real.ids)));
  });
});
