/**
 * Phone methods (issue 5): E.164 numbers, registration confirmed by a code, reset gates that send only to the
 * number on file when the user typed it in full (enumeration-neutral), and the SMS-pumping caps at their
 * exact limits, audited when they trip.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import type { ChallengeContext, EnrollContext } from "../../src/methods/method.ts";
import { createPhoneCodeMethod } from "../../src/methods/phone/phone-code.method.ts";
import { maskPhoneNumber, parsePhoneNumber } from "../../src/methods/phone/phone-number.ts";
import type { RequestContext } from "../../src/registry.types.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";

const request: RequestContext = { ip: "192.0.2.10", userAgent: "test", requestId: "req-1", locale: "en" };

describe("phone numbers", () => {
  test("the reference's +1 4255551234 form, national input and extensions", () => {
    assert.deepEqual(parsePhoneNumber("+1 4255551234", { defaultCountry: "US" }), {
      ok: true,
      e164: "+14255551234",
      country: "US",
      extension: null,
    });
    assert.deepEqual(parsePhoneNumber("(425) 555-1234", { defaultCountry: "US" }), {
      ok: true,
      e164: "+14255551234",
      country: "US",
      extension: null,
    });
    const withExtension = parsePhoneNumber("+1 4255551234X12345", { defaultCountry: "US" });
    assert.ok(withExtension.ok && withExtension.e164 === "+14255551234" && withExtension.extension === "12345");
    assert.deepEqual(parsePhoneNumber("020 7946 0958", { defaultCountry: "GB" }), {
      ok: true,
      e164: "+442079460958",
      country: "GB",
      extension: null,
    });
    assert.deepEqual(parsePhoneNumber("12", { defaultCountry: "US" }), { ok: false, reason: "invalid" });
    assert.deepEqual(parsePhoneNumber("   ", { defaultCountry: "US" }), { ok: false, reason: "empty" });
    assert.equal(maskPhoneNumber("+14255551234"), "+1 ••••••••34");
  });
});

describe("SMS / voice methods", () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  async function setup(config: Record<string, unknown> = {}) {
    t = await buildTestApp({
      config: { sms: { defaultCountry: "US", ...config } },
      policy: { enabled: "all", methods: ["sms-code", "voice-mobile", "voice-office", "email-code"] },
    });
    const deps = { ...t.registry, audit: t.registry.audit };
    return {
      t,
      sms: createPhoneCodeMethod(deps, "sms-code"),
      voice: createPhoneCodeMethod(deps, "voice-mobile"),
      office: createPhoneCodeMethod(deps, "voice-office"),
    };
  }

  async function challengeContext(
    app: TestApp,
    user: ChallengeContext["user"],
    flowId: string,
    state: Record<string, unknown> = {},
  ): Promise<ChallengeContext> {
    const policy = (await app.registry.policy.current()).policy;
    return {
      flowId,
      user,
      decoySeed: "seed-1",
      enrollments: user === null ? [] : await app.registry.stores.enrollments.listForUser(user.id),
      policy,
      state,
      request,
    };
  }

  test("registration: a code by SMS confirms the mobile number, stored in E.164 and masked", async () => {
    const { t: app, sms } = await setup();
    const user = await app.createUser({ userName: "bob", mobile: null });
    const policy = (await app.registry.policy.current()).policy;
    const ctx: EnrollContext = { user, enrollments: [], policy, request };
    const invalid = await sms.enrollment?.start(ctx, { phone: "not a number" });
    assert.deepEqual(invalid, { kind: "invalid", issues: [{ field: "phone", message: "method.phone.invalid" }] });
    const started = await sms.enrollment?.start(ctx, { phone: "(425) 555-0199" });
    assert.equal(started?.kind, "code-sent");
    if (started?.kind !== "code-sent") return;
    assert.equal(started.destinationMasked, "+1 ••••••••99");
    const message = (await app.mailbox("+14255550199"))[0];
    assert.equal(message?.channel, "sms");
    const code = message?.body.match(/\d{8}/)?.[0] ?? "";
    assert.equal((await sms.enrollment?.confirm(ctx, started.enrollmentId, { code: "00000000" }))?.kind, "rejected");
    assert.deepEqual(await sms.enrollment?.confirm(ctx, started.enrollmentId, { code }), {
      kind: "active",
      enrollmentId: started.enrollmentId,
    });
    const rows = await app.registry.stores.enrollments.listForUser(user.id);
    assert.deepEqual(
      rows.map((r) => [r.method, r.status, r.data.phone]),
      [["sms-code", "active", "+14255550199"]],
    );
  });

  test("registration by voice call: the code is read out twice", async () => {
    const { t: app, sms } = await setup();
    const user = await app.createUser({ userName: "carol", mobile: null });
    const policy = (await app.registry.policy.current()).policy;
    const started = await sms.enrollment?.start(
      { user, enrollments: [], policy, request },
      { phone: "+1 4255550100", delivery: "voice" },
    );
    assert.equal(started?.kind, "code-sent");
    const call = (await app.mailbox("+14255550100"))[0];
    assert.equal(call?.channel, "voice");
    const spoken = call?.body.match(/(\d(?: \d){7})/g) ?? [];
    assert.equal(spoken.length, 2, "the code is said twice");
  });

  test("reset gate: sends only when the typed number matches; same view either way; the code proves once", async () => {
    const { t: app, sms } = await setup();
    const user = await app.createUser({ userName: "dave", mobile: "+14255551234" });
    const ask = await sms.challenge?.begin(await challengeContext(app, user, "flow-a"), {});
    assert.deepEqual(ask?.kind === "view" && ask.view, { kind: "ask-destination", hint: "+1 ••••••••34" });

    const wrong = await sms.challenge?.begin(await challengeContext(app, user, "flow-a"), { phone: "+1 4255559999" });
    assert.equal((await app.mailbox("+14255559999")).length, 0);
    assert.equal((await app.mailbox("+14255551234")).length, 0);
    const right = await sms.challenge?.begin(await challengeContext(app, user, "flow-a"), { phone: "425-555-1234" });
    assert.deepEqual(
      wrong?.kind === "view" && wrong.view,
      right?.kind === "view" && right.view,
      "same view for a wrong and a right number",
    );
    const code = (await app.lastCode("+14255551234")) ?? "";
    assert.match(code, /^\d{8}$/);
    const state = right?.kind === "view" ? right.state : {};
    const proved = await sms.challenge?.verify(await challengeContext(app, user, "flow-a", state), { code });
    assert.equal(proved?.kind, "proved");
    const again = await sms.challenge?.verify(await challengeContext(app, user, "flow-a", state), { code });
    assert.notEqual(again?.kind, "proved", "a code is single use");
  });

  test("a code sent for one number and flow cannot be redeemed in another flow", async () => {
    const { t: app, sms } = await setup();
    const user = await app.createUser({ userName: "erin", mobile: "+14255551234" });
    const begun = await sms.challenge?.begin(await challengeContext(app, user, "flow-1"), { phone: "+14255551234" });
    const code = (await app.lastCode("+14255551234")) ?? "";
    await sms.challenge?.begin(await challengeContext(app, user, "flow-2"), { phone: "+14255550000" });
    const state = begun?.kind === "view" ? begun.state : {};
    const other = await sms.challenge?.verify(await challengeContext(app, user, "flow-2", { ...state }), { code });
    assert.notEqual(other?.kind, "proved");
  });

  test("unknown account (decoy): same views, nothing sent, never proves", async () => {
    const { t: app, voice } = await setup();
    const ask = await voice.challenge?.begin(await challengeContext(app, null, "flow-d"), {});
    assert.equal(ask?.kind === "view" && ask.view.kind, "ask-destination");
    const begun = await voice.challenge?.begin(await challengeContext(app, null, "flow-d"), { phone: "+14255551234" });
    assert.equal(begun?.kind === "view" && begun.view.kind, "enter-code");
    assert.equal((await app.mailbox()).length, 0);
  });

  test("office phone: directory-set only (no enrollment), called by voice, one family apart from the mobile", async () => {
    const { t: app, office, sms, voice } = await setup();
    assert.equal(office.enrollment, undefined);
    assert.equal(sms.family, voice.family);
    assert.notEqual(office.family, sms.family);
    const user = await app.createUser({ userName: "frank", officePhone: "+1 4255550123X55" });
    assert.equal(office.hasData(user, [], (await app.registry.policy.current()).policy), true);
    await office.challenge?.begin(await challengeContext(app, user, "flow-o"), { phone: "+14255550123" });
    const call = (await app.mailbox("+14255550123"))[0];
    assert.equal(call?.channel, "voice", "extensions are not dialled");
  });

  test("caps: per destination at its exact limit, audited when tripped", async () => {
    const { t: app, sms } = await setup({
      caps: { perDestinationPerHour: 3, perAccountPerHour: 50, globalPerHour: 500 },
    });
    const users = await Promise.all(
      ["g1", "g2", "g3", "g4"].map((name) => app.createUser({ userName: name, mobile: "+14255557777" })),
    );
    const outcomes = [];
    for (const [i, user] of users.entries()) {
      outcomes.push(
        (await sms.challenge?.begin(await challengeContext(app, user, `flow-c${i}`), { phone: "+14255557777" }))?.kind,
      );
    }
    assert.deepEqual(outcomes, ["view", "view", "view", "throttled"]);
    assert.equal((await app.mailbox("+14255557777")).length, 3);
    const audit = await app.registry.stores.audit.query({
      activity: "SMS or voice sending cap reached",
      offset: 0,
      limit: 10,
    });
    assert.equal(audit.total, 1);
    assert.equal(audit.rows[0]?.details.cap, "destination");
  });

  test("caps: global hourly cap and the country allow-list", async () => {
    const { t: app, sms } = await setup({
      caps: { perDestinationPerHour: 50, perAccountPerHour: 50, globalPerHour: 2 },
    });
    const policy = (await app.registry.policy.current()).policy;
    const u = await app.createUser({ userName: "henry" });
    const france = await sms.enrollment?.start(
      { user: u, enrollments: [], policy, request },
      { phone: "+33 6 12 34 56 78" },
    );
    assert.deepEqual(
      france,
      { kind: "invalid", issues: [{ field: "phone", message: "method.phone.cap", rule: "THR-03" }] },
      "country not allowed",
    );
    const kinds = [];
    for (const n of ["0101", "0102", "0103"])
      kinds.push(
        (await sms.enrollment?.start({ user: u, enrollments: [], policy, request }, { phone: `+1425555${n}` }))?.kind,
      );
    assert.deepEqual(kinds, ["code-sent", "code-sent", "invalid"]);
    app.clock.advance(60 * 60 * 1000 + 1);
    assert.equal(
      (await sms.enrollment?.start({ user: u, enrollments: [], policy, request }, { phone: "+14255550104" }))?.kind,
      "code-sent",
      "the window slides",
    );
  });
});
