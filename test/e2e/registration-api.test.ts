/**
 * The registration flow as JSON (`/api/v1/registration/...`) and the registration-status API for other
 * sign-in systems. Bad input on every route — arrays, objects, missing or unknown fields, wrong types,
 * oversized values, wrong content types — gets a clear 4xx and nothing is saved or sent (REQ-113).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createAPIKey } from "../../src/http/admin/api-keys.ts";
import { customQuestionId } from "../../src/methods/security-questions/questions.ts";
import type { TestApp } from "../support/app.ts";
import { createClient, type HTTPClient } from "../support/http-client.ts";
import {
  auditRows,
  buildRegistrationApp,
  registerEmailAPI,
  registerTOTPAPI,
  signIn,
  signInAPI,
  totpNow,
} from "./registration-support.ts";

interface ErrorJSON {
  error: { code: string; message: string; issues?: { field: string; message: string; rule?: string }[] };
}

describe("registration JSON API", () => {
  let t: TestApp;
  before(async () => {
    t = await buildRegistrationApp();
  });
  after(async () => {
    await t.close();
  });

  async function enrollmentCount(userName: string): Promise<number> {
    const user = await t.registry.directory.findUser(userName);
    return (await t.registry.stores.enrollments.listForUser(user?.id ?? "")).length;
  }

  test("the whole flow: add email, app and questions, remove one, review", async () => {
    await t.createUser({ userName: "api-ann", email: null });
    const client = createClient(t.app);
    const signedIn = await signInAPI(client, "api-ann");
    assert.equal(signedIn.status, 200);
    const email = await registerEmailAPI(t, client, "ann@home.example");
    assert.equal(email.status, 200);
    assert.deepEqual(email.json<{ status: string; becameRegistered: boolean }>().becameRegistered, false);

    const start = await client.json("POST", "/api/v1/registration/methods/totp", { label: "Pixel" });
    assert.equal(start.status, 201);
    const setup = start.json<{ enrollmentId: string; otpauthURI: string; qrSVG: string; secret: string }>();
    assert.match(setup.otpauthURI, /^otpauth:\/\/totp\//);
    assert.match(setup.qrSVG, /^<svg|^<\?xml/);
    const confirm = await client.json("POST", `/api/v1/registration/enrollments/${setup.enrollmentId}/confirm`, {
      code: totpNow(setup.secret, t.clock),
    });
    assert.equal(confirm.status, 200);
    assert.equal(confirm.json<{ becameRegistered: boolean }>().becameRegistered, true);

    const questions = await client.json("POST", "/api/v1/registration/methods/security-questions", {
      answers: [
        { questionId: "1", answer: "Lyon" },
        { questionId: 2, answer: "Nice" },
        { questionId: "3", answer: "Paris" },
      ],
    });
    assert.equal(questions.status, 201);
    assert.equal(questions.json<{ status: string }>().status, "active");

    const overview = await client.json("GET", "/api/v1/registration");
    const body = overview.json<{
      eligibility: { registered: boolean; usableMethods: string[] };
      methods: { id: string; enrollments: { id: string }[] }[];
    }>();
    assert.equal(body.eligibility.registered, true);
    assert.deepEqual(body.eligibility.usableMethods.sort(), ["email-code", "security-questions", "totp"]);
    const totpId = body.methods.find((m) => m.id === "totp")?.enrollments[0]?.id ?? "";
    const removed = await client.json("DELETE", `/api/v1/registration/enrollments/${totpId}`, {});
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.json(), { removed: true, noLongerRegistered: false });

    const review = await client.json("POST", "/api/v1/registration/review", {});
    assert.equal(review.status, 200);
    assert.deepEqual(review.json(), { reviewed: true, redirectTo: "http://localhost:3000/register" });
    const reviewed = (await auditRows(t.registry, "reviewedInfo")).filter((e) => e.targetName === "api-ann");
    assert.equal(reviewed.length, 1);
  });

  test("security question rule violations are 422 SECURITY_INFO_INVALID naming the field and rule", async () => {
    await t.createUser({ userName: "api-sq", email: null });
    const client = createClient(t.app);
    await signInAPI(client, "api-sq");
    const base = [
      { questionId: "1", answer: "Lyon" },
      { questionId: "2", answer: "Nice" },
      { questionId: "3", answer: "Paris" },
    ];
    const cases: { answers: { questionId: string; answer: string }[]; field: string; rule: string }[] = [
      { answers: base.slice(0, 2), field: "answers", rule: "SQ-02" },
      { answers: [...base.slice(0, 2), { questionId: "3", answer: "xy" }], field: "answers.2.answer", rule: "SQ-06" },
      {
        answers: [...base.slice(0, 2), { questionId: "3", answer: "é".repeat(41) }],
        field: "answers.2.answer",
        rule: "SQ-06",
      },
      {
        answers: [...base.slice(0, 2), { questionId: "1", answer: "Marseille" }],
        field: "answers.2.questionId",
        rule: "SQ-07",
      },
      { answers: [...base.slice(0, 2), { questionId: "3", answer: "NICE" }], field: "answers.2.answer", rule: "SQ-08" },
      {
        answers: [...base.slice(0, 2), { questionId: "36", answer: "Bordeaux" }],
        field: "answers.2.questionId",
        rule: "SQ-10",
      },
    ];
    for (const { answers, field, rule } of cases) {
      const response = await client.json("POST", "/api/v1/registration/methods/security-questions", { answers });
      assert.equal(response.status, 422, rule);
      const error = response.json<ErrorJSON>().error;
      assert.equal(error.code, "SECURITY_INFO_INVALID");
      assert.ok(
        error.issues?.some((issue) => issue.field === field && issue.rule === rule),
        `${rule}: ${JSON.stringify(error.issues)}`,
      );
    }
    assert.equal(await enrollmentCount("api-sq"), 0);
  });

  test("admin-defined questions are offered exactly as typed and can be answered", async () => {
    const custom = "Quel est le nom du chien du bureau ? 🐕";
    const current = (await t.registry.policy.current()).policy;
    await t.savePolicy({ securityQuestions: { ...current.securityQuestions, custom: [custom] } });
    try {
      await t.createUser({ userName: "api-custom", email: null });
      const client = createClient(t.app);
      await signIn(client, "api-custom");
      const form = await client.get("/register/methods/security-questions?lang=de");
      assert.ok(form.body.includes(`value="${customQuestionId(custom)}"`));
      assert.ok(form.body.includes("Quel est le nom du chien du bureau ? 🐕"), "shown as typed, not translated");
      const done = await client.json("POST", "/api/v1/registration/methods/security-questions", {
        answers: [
          { questionId: customQuestionId(custom), answer: "Médor" },
          { questionId: "4", answer: "Hambourg" },
          { questionId: "5", answer: "Köln" },
        ],
      });
      assert.equal(done.status, 201);
    } finally {
      await t.savePolicy({ securityQuestions: current.securityQuestions });
    }
  });

  test("confirm: a wrong code is 422 CODE_INVALID with tries left; a confirmed enrollment cannot be confirmed again", async () => {
    await t.createUser({ userName: "api-cody", email: null });
    const client = createClient(t.app);
    await signInAPI(client, "api-cody");
    const start = await client.json("POST", "/api/v1/registration/methods/email-code", { email: "cody@home.example" });
    const { enrollmentId } = start.json<{ enrollmentId: string }>();
    const code = await t.lastCode("cody@home.example");
    const wrong = await client.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, {
      code: code === "12345678" ? "87654321" : "12345678",
    });
    assert.equal(wrong.status, 422);
    const error = wrong.json<ErrorJSON>().error;
    assert.equal(error.code, "CODE_INVALID");
    assert.match(error.issues?.[0]?.message ?? "", /4 tries left/);
    const good = await client.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, { code });
    assert.equal(good.status, 200);
    const again = await client.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, { code });
    assert.equal(again.status, 404, "an active enrollment has nothing left to confirm");
  });

  test("the authenticator-app limit (5) is enforced", async () => {
    await t.createUser({ userName: "api-five", email: null });
    const client = createClient(t.app);
    await signInAPI(client, "api-five");
    for (let i = 1; i <= 5; i++) {
      t.clock.advance(31_000);
      const done = await registerTOTPAPI(t, client, `App ${i}`);
      assert.equal(done.status, 200, `app ${i}`);
    }
    const sixth = await client.json("POST", "/api/v1/registration/methods/totp", { label: "App 6" });
    assert.equal(sixth.status, 422);
    assert.equal(sixth.json<ErrorJSON>().error.code, "METHOD_LIMIT_REACHED");
    assert.equal(await enrollmentCount("api-five"), 5);
  });

  test("bad JSON input on every route is 400/415 and saves or sends nothing", async () => {
    await t.createUser({ userName: "api-bad", email: null });
    const client = createClient(t.app);
    await signInAPI(client, "api-bad");
    const mailBefore = (await t.mailbox()).length;
    const cases: [string, string, unknown][] = [
      ["POST", "/api/v1/registration/methods/email-code", { email: ["a@example.org", "b@example.org"] }],
      ["POST", "/api/v1/registration/methods/email-code", { email: { $ne: null } }],
      ["POST", "/api/v1/registration/methods/email-code", {}],
      ["POST", "/api/v1/registration/methods/email-code", { email: "a@example.org", cc: "b@example.org" }],
      ["POST", "/api/v1/registration/methods/email-code", { email: `${"a".repeat(300)}@example.org` }],
      ["POST", "/api/v1/registration/methods/email-code", { email: 42 }],
      ["POST", "/api/v1/registration/methods/email-code", []],
      ["POST", "/api/v1/registration/methods/totp", { label: ["a"] }],
      ["POST", "/api/v1/registration/methods/totp", { label: "x".repeat(65) }],
      ["POST", "/api/v1/registration/methods/totp", { label: "ok", secret: "AAAA" }],
      ["POST", "/api/v1/registration/methods/security-questions", { answers: "Lyon" }],
      ["POST", "/api/v1/registration/methods/security-questions", { answers: [{ questionId: "1", answer: ["Lyon"] }] }],
      ["POST", "/api/v1/registration/methods/security-questions", { answers: [{ questionId: "1" }] }],
      [
        "POST",
        "/api/v1/registration/methods/security-questions",
        { answers: [{ questionId: { x: 1 }, answer: "Lyon" }] },
      ],
      [
        "POST",
        "/api/v1/registration/methods/security-questions",
        { answers: Array.from({ length: 6 }, (_, i) => ({ questionId: String(i + 1), answer: `answer ${i}` })) },
      ],
      [
        "POST",
        "/api/v1/registration/methods/security-questions",
        { answers: [{ questionId: "1", answer: "x".repeat(5000) }] },
      ],
      ["POST", "/api/v1/registration/review", { now: true }],
      ["POST", "/api/v1/registration/cancel", { reason: "x" }],
      ["POST", "/api/v1/registration/enrollments/abcdefghij12345/confirm", { code: ["1"] }],
      ["POST", "/api/v1/registration/enrollments/abcdefghij12345/confirm", { code: 12345678 }],
      ["POST", "/api/v1/registration/sign-in", { identifier: "api-bad", password: "x", returnTo: ["https://x"] }],
    ];
    for (const [method, url, body] of cases) {
      const response = await client.json(method as "POST", url, body);
      assert.ok(
        [400, 404].includes(response.status),
        `${url} ${JSON.stringify(body).slice(0, 60)} → ${response.status}`,
      );
      if (response.status === 400) {
        const error = response.json<ErrorJSON>().error;
        assert.equal(error.code, "VALIDATION_FAILED");
      }
    }
    const proto = await client.request({
      method: "POST",
      url: "/api/v1/registration/methods/email-code",
      payload: '{"email":"a@example.org","__proto__":{"isAdmin":true}}',
      headers: { "content-type": "application/json" },
    });
    assert.equal(proto.status, 400);
    const plain = await client.request({
      method: "POST",
      url: "/api/v1/registration/methods/email-code",
      payload: JSON.stringify({ email: "a@example.org" }),
      headers: { "content-type": "text/plain" },
    });
    assert.equal(plain.status, 415);
    const huge = await client.json("POST", "/api/v1/registration/methods/totp", { label: "x".repeat(100_000) });
    assert.equal(huge.status, 413);
    assert.equal(await enrollmentCount("api-bad"), 0);
    assert.equal((await t.mailbox()).length, mailBefore, "nothing was sent");
  });

  test("bad form input on every page is 400 and saves or sends nothing", async () => {
    await t.createUser({ userName: "form-bad", email: null });
    const client = createClient(t.app);
    await signIn(client, "form-bad");
    const mailBefore = (await t.mailbox()).length;
    const cases: [string, Record<string, string | string[]>][] = [
      ["/register/methods/email-code", { email: ["a@example.org", "b@example.org"] }],
      ["/register/methods/email-code", {}],
      ["/register/methods/email-code", { email: `${"a".repeat(300)}@example.org` }],
      ["/register/methods/totp", { label: ["a", "b"] }],
      ["/register/methods/totp", { label: "x".repeat(65) }],
      ["/register/methods/security-questions", { question1: "1", answer1: "Lyon" }],
      [
        "/register/methods/security-questions",
        { question1: ["1", "2"], answer1: "Lyon", question2: "2", answer2: "Nice", question3: "3", answer3: "Paris" },
      ],
    ];
    for (const [url, fields] of cases) {
      const response = await client.postForm(url, fields, { from: url });
      assert.equal(response.status, 400, `${url} ${JSON.stringify(fields).slice(0, 80)}`);
      assert.match(response.body, /aria-invalid="true"/);
    }
    const start = await client.postForm(
      "/register/methods/email-code",
      { email: "form-bad@home.example" },
      { from: "/register/methods/email-code" },
    );
    const confirmURL = new URL(start.redirects[0]?.location ?? "/", "http://x").pathname;
    const before = (await t.mailbox()).length;
    const badCodes: Record<string, string | string[]>[] = [{ code: ["1", "2"] }, {}, { code: "9".repeat(40) }];
    for (const fields of badCodes) {
      const response = await client.postForm(confirmURL, fields, { from: confirmURL });
      assert.equal(response.status, 400, JSON.stringify(fields));
    }
    assert.equal(before, mailBefore + 1, "only the one real start sent a code");
    assert.equal(await enrollmentCount("form-bad"), 1, "only the pending address");
    const user = await t.registry.directory.findUser("form-bad");
    const rows = await t.registry.stores.enrollments.listForUser(user?.id ?? "");
    assert.equal(rows[0]?.status, "pending");
  });
});

describe("registration-status API for other sign-in systems", () => {
  let t: TestApp;
  let apiKey: string;
  let other: HTTPClient;
  before(async () => {
    t = await buildRegistrationApp();
    const admin = await t.createAdmin({ userName: "root-admin" });
    apiKey = (
      await createAPIKey(t.registry, { name: "sso" }, { actor: { id: admin.id, name: admin.userName }, ctx: null })
    ).key;
    other = createClient(t.app);
  });
  after(async () => {
    await t.close();
  });

  test("needs an administrator API key", async () => {
    await t.createUser({ userName: "st-none" });
    assert.equal((await other.json("GET", "/api/v1/users/st-none/registration-status")).status, 401);
    const bad = await other.json("GET", "/api/v1/users/st-none/registration-status", undefined, {
      headers: { authorization: "Bearer osk_not-a-real-key" },
    });
    assert.equal(bad.status, 401);
  });

  test("reports status by user name or id; registerUrl points at the portal; 404 for unknown", async () => {
    const user = await t.createUser({ userName: "st-user", email: null });
    const auth = { headers: { authorization: `Bearer ${apiKey}` } };
    const before = await other.json("GET", "/api/v1/users/st-user/registration-status", undefined, auth);
    assert.equal(before.status, 200);
    assert.deepEqual(before.json(), {
      userId: user.id,
      userName: "st-user",
      inScope: true,
      registered: false,
      methodsRequired: 2,
      registeredMethods: [],
      reconfirmDue: false,
      registrationRequired: true,
      registerUrl: "http://localhost:3000/register",
    });
    const client = createClient(t.app);
    await signInAPI(client, "st-user");
    await registerEmailAPI(t, client, "st@home.example");
    await registerTOTPAPI(t, client, "Phone");
    const afterReg = await other.json("GET", `/api/v1/users/${user.id}/registration-status`, undefined, auth);
    const body = afterReg.json<{ registered: boolean; registeredMethods: string[]; registrationRequired: boolean }>();
    assert.equal(body.registered, true);
    assert.deepEqual(body.registeredMethods, ["totp", "email-code"]);
    assert.equal(body.registrationRequired, false);
    const unknown = await other.json("GET", "/api/v1/users/nobody-at-all/registration-status", undefined, auth);
    assert.equal(unknown.status, 404);
  });
});
