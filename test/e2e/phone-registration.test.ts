/**
 * Registering phone numbers through the registration portal over HTTP (SPEC §4, issue 5): the mobile
 * number confirmed by an SMS code or by a voice call, through the pages and the JSON API, with the codes
 * read from what the local Twilio-compatible provider server received. The office phone is not something a
 * user can register; set on the builtin user, it is usable at reset.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { type FakeSMSProvider, startFakeSMSProvider } from "../support/sms-provider.ts";
import { pageText, signIn, signInAPI } from "./registration-support.ts";
import { flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "./reset-support.ts";

describe("phone registration over HTTP with the Twilio adapter", () => {
  let sms: FakeSMSProvider;
  let t: TestApp;

  before(async () => {
    sms = await startFakeSMSProvider();
    t = await buildTestApp({
      config: {
        security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
        sms: {
          provider: "twilio",
          defaultCountry: "US",
          twilio: { baseUrl: sms.url, accountSid: sms.accountSid, authToken: sms.authToken, from: "+15005550006" },
        },
      },
      policy: {
        enabled: "all",
        methodsRequired: 1,
        methods: ["sms-code", "voice-mobile", "voice-office", "passkey"],
        registration: { required: true, reconfirmDays: 90 },
      },
    });
  });
  after(async () => {
    await t.close();
    await sms.stop();
  });

  async function enrollments(userId: string) {
    return (await t.registry.stores.enrollments.listForUser(userId)).filter((e) => e.status === "active");
  }

  test("a user registers a mobile number through the pages, typed in national form, confirmed by SMS", async () => {
    const user = await t.createUser({ userName: "mia" });
    const browser = createClient(t.app);
    await signIn(browser, "mia");
    const form = await browser.get("/register/methods/sms-code");
    assert.equal(form.status, 200);
    const sent = await browser.postForm("/register/methods/sms-code", { phone: "(425) 555-0101" });
    assert.equal(sent.status, 200, sent.body.slice(0, 500));
    assert.match(sent.redirects.at(-1)?.location ?? "", /^\/register\/enrollments\/[0-9a-z]+\/confirm$/);
    assert.match(pageText(sent.body), /•+01/, "the confirmation page shows the masked number");
    assert.doesNotMatch(sent.body, /4255550101/, "the full number is not echoed");

    await t.registry.outboxWorker.drain();
    const delivered = sms.delivered().filter((m) => m.to === "+14255550101");
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]?.channel, "sms");
    assert.equal(delivered[0]?.provider, "twilio");
    const code = sms.lastCodeFor("+14255550101");
    assert.ok(code !== null);

    const confirmURL = sent.redirects.at(-1)?.location ?? "";
    const wrong = await browser.postForm(confirmURL, { code: code === "00000000" ? "11111111" : "00000000" });
    assert.equal(wrong.status, 422);
    assert.equal((await enrollments(user.id)).length, 0, "a wrong code activates nothing");
    const confirmed = await browser.postForm(confirmURL, { code });
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.redirects.at(-1)?.location ?? "", /^\/register\?status=(registered|added)/);
    const active = await enrollments(user.id);
    assert.equal(active.length, 1);
    assert.equal(active[0]?.method, "sms-code");
    assert.equal(active[0]?.data.phone, "+14255550101", "stored in E.164");
    assert.match(pageText(confirmed.body), /•+01/);
  });

  test("a user registers a mobile number through the JSON API, confirmed by a voice call reading the code twice", async () => {
    const user = await t.createUser({ userName: "noah" });
    const api = createClient(t.app);
    assert.equal((await signInAPI(api, "noah")).status, 200);
    const start = await api.json("POST", "/api/v1/registration/methods/voice-mobile", { phone: "+1 4255550102" });
    assert.equal(start.status, 201, start.body);
    const { enrollmentId, destination, status } = start.json<{
      enrollmentId: string;
      destination: string;
      status: string;
    }>();
    assert.equal(status, "pending");
    assert.match(destination, /^\+1 •+02$/);

    await t.registry.outboxWorker.drain();
    const calls = sms.delivered().filter((m) => m.to === "+14255550102");
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.channel, "voice", "confirmed by a call, not a text");
    const code = sms.lastCodeFor("+14255550102");
    assert.ok(code !== null);
    const spoken = code.split("").join(" ");
    assert.equal(calls[0]?.text.split(spoken).length, 3, `the call reads the code twice: ${calls[0]?.text}`);

    const confirmed = await api.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, { code });
    assert.equal(confirmed.status, 200, confirmed.body);
    assert.equal(confirmed.json<{ status: string }>().status, "active");
    const active = await enrollments(user.id);
    assert.deepEqual(
      active.map((e) => [e.method, e.data.phone]),
      [["sms-code", "+14255550102"]],
      "one mobile enrollment serves SMS and voice",
    );
  });

  test("an invalid or foreign-country number is refused with a clear message and nothing is sent", async () => {
    await t.createUser({ userName: "olga" });
    const api = createClient(t.app);
    await signInAPI(api, "olga");
    const before = sms.delivered().length;
    const invalid = await api.json("POST", "/api/v1/registration/methods/sms-code", { phone: "12" });
    assert.equal(invalid.status, 422, invalid.body);
    assert.match(invalid.body, /valid phone number/);
    const typed = await api.json("POST", "/api/v1/registration/methods/sms-code", { phone: ["+14255550103"] });
    assert.equal(typed.status, 400, typed.body);
    // Only the default country (US) is allowed: a French mobile number is refused (SMS pumping).
    const foreign = await api.json("POST", "/api/v1/registration/methods/sms-code", { phone: "+33 612345678" });
    assert.equal(foreign.status, 422, foreign.body);
    await t.registry.outboxWorker.drain();
    assert.equal(sms.delivered().length, before);
  });

  test("the office phone cannot be registered by the user, but the builtin user's office phone works at reset", async () => {
    const user = await t.createUser({ userName: "pia", officePhone: "+1 4255550104 X123" });
    const api = createClient(t.app);
    await signInAPI(api, "pia");
    const refused = await api.json("POST", "/api/v1/registration/methods/voice-office", { phone: "+14255550199" });
    assert.ok([400, 403, 404, 422].includes(refused.status), `${refused.status} ${refused.body}`);
    const browser = createClient(t.app);
    await signIn(browser, "pia");
    const page = await browser.get("/register/methods/voice-office");
    assert.ok(page.status >= 400, `office phone form must not exist: ${page.status}`);
    assert.equal((await t.registry.stores.enrollments.listForUser(user.id)).length, 0);

    // At reset: the user is registered (office phone from the directory) and proves it with a call.
    const resetClient = createClient(t.app);
    const flow = await startAPI(resetClient, "pia");
    if (flow.flow.state === "choosing_path") await step(resetClient, flow, "path", { path: "reset" });
    const chosen = flowOf(await step(resetClient, flow, "method", { method: "voice-office" }));
    assert.equal(chosen.challenge?.kind, "ask-destination");
    assert.match(chosen.challenge?.hint ?? "", /•+04$/);
    await step(resetClient, flow, "send", { phone: "+1 (425) 555-0104" });
    await t.registry.outboxWorker.drain();
    const call = sms.delivered().filter((m) => m.to === "+14255550104");
    assert.equal(call.length, 1, "the extension is not dialled: the call goes to the E.164 number");
    assert.equal(call[0]?.channel, "voice");
    const code = sms.lastCodeFor("+14255550104");
    assert.ok(code !== null);
    const verified = flowOf(await step(resetClient, flow, "verify", { code }));
    assert.equal(verified.state, "awaiting_new_password", JSON.stringify(verified));
  });
});
