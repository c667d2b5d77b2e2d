/**
 * Threat: SMS pumping / toll fraud (SPEC §4, issue 5, reference THR-03) — an attacker drives the reset
 * flow to make the deployment send masses of paid SMS and calls (to one number, for one account, to many
 * numbers, or to premium foreign ranges). Each cap must trip at exactly its configured limit (the last
 * allowed send is delivered, the next is not), stop delivery at the provider, and leave an audit record
 * naming the cap; the window reopens an hour later.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { AUDIT_ACTIVITIES } from "../../src/audit/events.ts";
import { startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { type FakeSMSProvider, startFakeSMSProvider } from "../support/sms-provider.ts";

let sms: FakeSMSProvider;
let t: TestApp | undefined;

before(async () => {
  sms = await startFakeSMSProvider();
});
after(() => sms.stop());
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function appWith(caps: Record<string, number>, allowedCountries: string[] = []): Promise<TestApp> {
  t = await buildTestApp({
    config: {
      security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
      sms: {
        provider: "twilio",
        defaultCountry: "US",
        allowedCountries,
        caps,
        twilio: { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550006" },
      },
    },
    policy: { enabled: "all", methodsRequired: 1, methods: ["sms-code", "voice-mobile"] },
  });
  return t;
}

/** One reset flow up to "send": identify, choose SMS, type the number. Returns how many messages went out. */
async function requestCode(app: TestApp, userName: string, phone: string): Promise<{ status: number; sent: number }> {
  const client = createClient(app.app);
  const flow = await startAPI(client, userName);
  if (flow.flow.state === "choosing_path") await step(client, flow, "path", { path: "reset" });
  const chosen = await step(client, flow, "method", { method: "sms-code" });
  assert.equal(chosen.status, 200, chosen.body);
  const before = sms.delivered().length;
  const sent = await step(client, flow, "send", { phone });
  await app.registry.outboxWorker.drain();
  return { status: sent.status, sent: sms.delivered().length - before };
}

async function capAudits(app: TestApp): Promise<{ cap: unknown; target: string | null; text: string }[]> {
  const { rows } = await app.registry.stores.audit.query({ offset: 0, limit: 1000 });
  return rows
    .filter((row) => row.activity === AUDIT_ACTIVITIES.phoneCapReached.name)
    .map((row) => ({
      cap: row.details.cap,
      target: row.targetId ?? null,
      text: JSON.stringify(row),
    }));
}

describe("SMS-pumping caps", () => {
  test("per destination: the limit-th code to one number goes out, the next one (another account) does not", async () => {
    const app = await appWith({ perDestinationPerHour: 2, perAccountPerHour: 10, globalPerHour: 100 });
    for (const name of ["d1", "d2", "d3"])
      await app.createUser({ userName: name, email: null, mobile: "+14255550150" });
    assert.equal((await requestCode(app, "d1", "+14255550150")).sent, 1);
    assert.equal((await requestCode(app, "d2", "+14255550150")).sent, 1);
    const third = await requestCode(app, "d3", "+14255550150");
    assert.equal(third.sent, 0, "the third code to the same number is not sent");
    const audits = await capAudits(app);
    assert.deepEqual(
      audits.map((a) => a.cap),
      ["destination"],
    );
    assert.doesNotMatch(audits[0]?.text ?? "", /4255550150/, "the audit record does not list the phone number");
    // An hour later the window has moved on.
    app.clock.advance(60 * 60 * 1000 + 1);
    assert.equal((await requestCode(app, "d3", "+14255550150")).sent, 1);
  });

  test("per account: the limit-th code for one account goes out, the next one does not", async () => {
    const app = await appWith({ perDestinationPerHour: 10, perAccountPerHour: 3, globalPerHour: 100 });
    const user = await app.createUser({ userName: "acct", email: null, mobile: "+14255550151" });
    for (let i = 1; i <= 3; i++) assert.equal((await requestCode(app, "acct", "+14255550151")).sent, 1, `send ${i}`);
    assert.equal((await requestCode(app, "acct", "+14255550151")).sent, 0, "the 4th is refused");
    const audits = await capAudits(app);
    assert.deepEqual(
      audits.map((a) => a.cap),
      ["account"],
    );
    assert.equal(audits[0]?.target, user.id);
  });

  test("global: the limit-th code of the hour goes out, the next one (any account, any number) does not", async () => {
    const app = await appWith({ perDestinationPerHour: 10, perAccountPerHour: 10, globalPerHour: 3 });
    for (let i = 0; i < 4; i++) await app.createUser({ userName: `g${i}`, email: null, mobile: `+1425555016${i}` });
    for (let i = 0; i < 3; i++) assert.equal((await requestCode(app, `g${i}`, `+1425555016${i}`)).sent, 1);
    assert.equal((await requestCode(app, "g3", "+14255550163")).sent, 0);
    assert.deepEqual(
      (await capAudits(app)).map((a) => a.cap),
      ["global"],
    );
  });

  test("country allow-list: a number outside the allowed countries never reaches the provider", async () => {
    const app = await appWith({ perDestinationPerHour: 10, perAccountPerHour: 10, globalPerHour: 100 });
    await app.createUser({ userName: "uk", email: null, mobile: "+44 7911 123456" });
    await app.createUser({ userName: "us", email: null, mobile: "+14255550170" });
    const refused = await requestCode(app, "uk", "+447911123456");
    assert.equal(refused.sent, 0, "default allow-list = the default country only");
    assert.equal((await requestCode(app, "us", "+14255550170")).sent, 1);
    assert.deepEqual(
      (await capAudits(app)).map((a) => a.cap),
      ["country"],
    );
    assert.equal(sms.delivered().filter((m) => m.to === "+447911123456").length, 0);
  });

  test("country allow-list: a configured extra country is allowed", async () => {
    const app = await appWith({ perDestinationPerHour: 10, perAccountPerHour: 10, globalPerHour: 100 }, ["US", "GB"]);
    await app.createUser({ userName: "uk2", email: null, mobile: "+44 7911 123457" });
    assert.equal((await requestCode(app, "uk2", "+447911123457")).sent, 1);
    assert.deepEqual(await capAudits(app), []);
  });

  test("a tripped cap at registration refuses the number with a clear message", async () => {
    const app = await appWith({ perDestinationPerHour: 1, perAccountPerHour: 10, globalPerHour: 100 });
    await app.createUser({ userName: "reg", email: null });
    const client = createClient(app.app);
    const signIn = await client.json("POST", "/api/v1/registration/sign-in", {
      identifier: "reg",
      password: "Correct-Horse-Battery-Staple-42",
    });
    assert.equal(signIn.status, 200, signIn.body);
    const first = await client.json("POST", "/api/v1/registration/methods/sms-code", { phone: "+14255550180" });
    assert.equal(first.status, 201, first.body);
    const second = await client.json("POST", "/api/v1/registration/methods/sms-code", { phone: "+14255550180" });
    assert.equal(second.status, 422, second.body);
    assert.match(second.body, /can't send more codes to this number/);
    await app.registry.outboxWorker.drain();
    assert.equal(sms.delivered().filter((m) => m.to === "+14255550180").length, 1);
    assert.deepEqual(
      (await capAudits(app)).map((a) => a.cap),
      ["destination"],
    );
  });
});
