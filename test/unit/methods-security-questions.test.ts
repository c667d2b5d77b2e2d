/**
 * Security questions (SPEC §4, reference §4 SQ-02..SQ-14). Threats: answers readable from the database,
 * hammering one question set (SQ-12: any wrong answer draws a new set), enumeration through the decoy set
 * of an unknown account, and weak/duplicate answers at registration.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import type { PasswordHasher } from "../../src/kernel/passwords.ts";
import type { ChallengeContext, EnrollContext, Method } from "../../src/methods/method.ts";
import { customQuestionId, PREDEFINED_QUESTIONS } from "../../src/methods/security-questions/questions.ts";
import {
  createSecurityQuestionsMethod,
  normaliseAnswer,
} from "../../src/methods/security-questions/security-questions.method.ts";
import type { SSPRPolicy } from "../../src/policy/policy.types.ts";
import { createTestEnv, REQUEST, type TestEnv, testPolicy, testUser } from "./methods-fixtures.ts";

const ANSWERS: Record<string, string> = {
  "1": "Lyon",
  "2": "Grenoble",
  "3": "Nantes",
  "4": "Le Mans",
  "5": "Brest",
};

describe("security-questions method", () => {
  let env: TestEnv;
  let method: Method;
  let hasher: PasswordHasher & { verifyCalls: number };
  let seq = 0;
  before(async () => {
    env = await createTestEnv();
    const real = env.hasher;
    hasher = {
      verifyCalls: 0,
      hash: (secret) => real.hash(secret),
      verify: (encoded, secret) => {
        hasher.verifyCalls++;
        return real.verify(encoded, secret);
      },
    };
    method = createSecurityQuestionsMethod({ ...env, hasher });
  });
  after(async () => env.close());
  beforeEach(() => {
    env.throttles.refuse.clear();
    env.throttles.accountHits.length = 0;
  });

  function freshUser(): DirectoryUser {
    seq++;
    return testUser({ id: `q-${seq}`, userName: `quser${seq}` });
  }
  function policy(overrides: Partial<SSPRPolicy["securityQuestions"]> = {}): SSPRPolicy {
    const base = testPolicy();
    return { ...base, securityQuestions: { ...base.securityQuestions, ...overrides } };
  }
  async function enrollCtx(user: DirectoryUser, p = policy()): Promise<EnrollContext> {
    return { user, enrollments: await env.stores.enrollments.listForUser(user.id), policy: p, request: REQUEST };
  }
  async function challengeCtx(
    user: DirectoryUser | null,
    state: Record<string, unknown>,
    options: { policy?: SSPRPolicy; seed?: string; locale?: string } = {},
  ): Promise<ChallengeContext> {
    return {
      flowId: "flow-q",
      user,
      decoySeed: options.seed ?? "seed-q",
      enrollments: user === null ? [] : await env.stores.enrollments.listForUser(user.id),
      policy: options.policy ?? policy({ toReset: 3 }),
      state,
      request: { ...REQUEST, locale: options.locale ?? "en" },
    };
  }
  async function register(user: DirectoryUser, ids: string[], p = policy()) {
    return method.enrollment!.start(await enrollCtx(user, p), {
      answers: ids.map((id) => ({ questionId: id, answer: ANSWERS[id] })),
    });
  }
  function issuesOf(outcome: Awaited<ReturnType<typeof register>>): string[] {
    return outcome.kind === "invalid" ? outcome.issues.map((i) => i.rule ?? i.message) : [];
  }

  test("SQ-14: answers are trimmed, spaces collapsed, NFKC-normalised and case-folded", () => {
    const fold = { caseSensitive: false };
    assert.equal(normaliseAnswer("  New    York ", fold), "new york");
    assert.equal(normaliseAnswer("Ｐａｒｉｓ", fold), "paris");
    assert.equal(normaliseAnswer("Straße", fold), normaliseAnswer("STRASSE", fold));
    assert.equal(normaliseAnswer(" Paris ", { caseSensitive: true }), "Paris");
  });

  test("there are the 35 predefined questions of the reference, translated", async () => {
    assert.equal(PREDEFINED_QUESTIONS.length, 35);
    assert.equal(PREDEFINED_QUESTIONS[0]?.text, "In what city did you meet your first spouse/partner?");
    assert.equal(PREDEFINED_QUESTIONS[34]?.text, "Who is the most famous person you have ever met?");
    const user = freshUser();
    await register(user, ["1", "2", "3"]);
    const fr = await method.challenge!.begin(await challengeCtx(user, {}, { locale: "fr" }), {});
    if (fr.kind !== "view" || fr.view.kind !== "answer-questions") return assert.fail();
    const french = fr.view.questions.find((q) => q.id === "2");
    assert.equal(french?.text, "Dans quelle ville vos parents se sont-ils rencontrés ?");
  });

  test("registration stores only argon2id hashes of normalised answers", async () => {
    const user = freshUser();
    const outcome = await register(user, ["1", "2", "3"]);
    assert.equal(outcome.kind, "active");
    const [row] = await env.stores.enrollments.listForUser(user.id);
    assert.equal(row?.status, "active");
    assert.deepEqual(row?.data, { questionIds: ["1", "2", "3"] });
    const hashes = JSON.parse(row?.secret ?? "{}") as Record<string, string>;
    assert.deepEqual(Object.keys(hashes), ["1", "2", "3"]);
    for (const hash of Object.values(hashes)) assert.match(hash, /^\$argon2id\$/);
    for (const answer of ["Lyon", "lyon", "Grenoble", "grenoble"]) assert.ok(!(row?.secret ?? "").includes(answer));
    assert.ok(await env.hasher.verify(hashes["1"] as string, "lyon"));
  });

  test("registration rules SQ-02, SQ-06, SQ-07, SQ-08, SQ-10; nothing stored when invalid", async () => {
    const user = freshUser();
    assert.deepEqual(issuesOf(await register(user, ["1", "2"])), ["SQ-02"]);
    assert.deepEqual(
      issuesOf(
        await method.enrollment!.start(await enrollCtx(user), {
          answers: ["1", "2", "3", "4", "5", "6"].map((id) => ({ questionId: id, answer: `answer ${id}` })),
        }),
      ),
      ["SQ-02"],
    );
    const answers = (list: [unknown, unknown][]) => ({
      answers: list.map(([questionId, answer]) => ({ questionId, answer })),
    });
    const check = async (input: unknown, p = policy()) =>
      issuesOf(await method.enrollment!.start(await enrollCtx(user, p), input));
    assert.deepEqual(
      await check(
        answers([
          ["1", "Lyon"],
          ["1", "Paris"],
          ["3", "Nice"],
        ]),
      ),
      ["SQ-07"],
    );
    assert.deepEqual(
      await check(
        answers([
          ["1", "Lyon"],
          ["2", " LYON "],
          ["3", "Nice"],
        ]),
      ),
      ["SQ-08"],
    );
    assert.deepEqual(
      await check(
        answers([
          ["1", "Ly"],
          ["2", "x".repeat(41)],
          ["3", "Nice"],
        ]),
      ),
      ["SQ-06", "SQ-06"],
    );
    assert.deepEqual(
      await check(
        answers([
          ["1", ["Lyon"]],
          ["2", "Paris"],
          ["3", "Nice"],
        ]),
      ),
      ["SQ-06"],
    );
    assert.deepEqual(
      await check(
        answers([
          ["1", "Lyon"],
          ["2", "Paris"],
          ["99", "Nice"],
        ]),
      ),
      ["SQ-10"],
    );
    assert.deepEqual(
      await check(
        answers([
          ["1", "Lyon"],
          ["2", "Paris"],
          ["20", "Nice"],
        ]),
        policy({ predefined: [1, 2, 3, 4] }),
      ),
      ["SQ-10"],
    );
    assert.deepEqual(await check({ answers: "Lyon" }), ["method.questions.malformed"]);
    assert.deepEqual(await check(null), ["method.questions.malformed"]);
    assert.equal((await env.stores.enrollments.listForUser(user.id)).length, 0);
  });

  test("SQ-09 Unicode answers and SQ-05 custom questions shown as typed", async () => {
    const custom = "Quel est le nom de ton premier vélo ?";
    const p = policy({ custom: [custom], predefined: [1, 2] });
    const user = freshUser();
    const outcome = await method.enrollment!.start(await enrollCtx(user, p), {
      answers: [
        { questionId: 1, answer: "東京都" },
        { questionId: "2", answer: "Zürich" },
        { questionId: customQuestionId(custom), answer: "Rosinante" },
      ],
    });
    assert.equal(outcome.kind, "active");
    const begun = await method.challenge!.begin(
      await challengeCtx(
        user,
        {},
        { policy: { ...p, securityQuestions: { ...p.securityQuestions, toReset: 3 } }, locale: "de" },
      ),
      {},
    );
    if (begun.kind !== "view" || begun.view.kind !== "answer-questions") return assert.fail();
    assert.equal(begun.view.questions.find((q) => q.id === customQuestionId(custom))?.text, custom);
    const proved = await method.challenge!.verify(
      await challengeCtx(user, begun.state, {
        policy: { ...p, securityQuestions: { ...p.securityQuestions, toReset: 3 } },
      }),
      { answers: { "1": "東京都", "2": "zürich", [customQuestionId(custom)]: "ROSINANTE" } },
    );
    assert.equal(proved.kind, "proved");
  });

  test("registering again replaces the previous set", async () => {
    const user = freshUser();
    await register(user, ["1", "2", "3"]);
    await register(user, ["3", "4", "5"]);
    const rows = await env.stores.enrollments.listForUser(user.id);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]?.data.questionIds, ["3", "4", "5"]);
  });

  test("asks N random registered questions, stable on reload; right answers prove", async () => {
    const user = freshUser();
    await register(user, ["1", "2", "3", "4", "5"], policy({ toRegister: 5 }));
    const begun = await method.challenge!.begin(await challengeCtx(user, {}), {});
    if (begun.kind !== "view" || begun.view.kind !== "answer-questions") return assert.fail();
    const ids = begun.view.questions.map((q) => q.id);
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
    assert.ok(ids.every((id) => id in ANSWERS));
    assert.equal(
      begun.view.questions.find((q) => q.id === ids[0])?.text,
      PREDEFINED_QUESTIONS[Number(ids[0]) - 1]?.text,
    );
    const reload = await method.challenge!.begin(await challengeCtx(user, begun.state), {});
    assert.deepEqual(reload.kind === "view" ? reload.view : null, begun.view);
    const answers = Object.fromEntries(ids.map((id) => [id, `  ${(ANSWERS[id] as string).toUpperCase()} `]));
    const outcome = await method.challenge!.verify(await challengeCtx(user, begun.state), { answers });
    assert.equal(outcome.kind, "proved");
    assert.equal(env.throttles.accountHits.length, 0);
  });

  test("SQ-12: any wrong answer draws a new random set and counts against THR-04", async () => {
    const user = freshUser();
    await register(user, ["1", "2", "3", "4", "5"], policy({ toRegister: 5 }));
    const seen = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const begun = await method.challenge!.begin(await challengeCtx(user, {}), {});
      if (begun.kind !== "view" || begun.view.kind !== "answer-questions") return assert.fail();
      const ids = begun.view.questions.map((q) => q.id);
      const answers = Object.fromEntries(ids.map((id, i) => [id, i === 0 ? "wrong answer" : (ANSWERS[id] as string)]));
      const outcome = await method.challenge!.verify(await challengeCtx(user, begun.state), { answers });
      assert.equal(outcome.kind, "view");
      if (outcome.kind !== "view" || outcome.view.kind !== "answer-questions") return;
      assert.equal(outcome.message, "method.questions.wrong");
      assert.equal(outcome.view.questions.length, 3);
      seen.add(
        outcome.view.questions
          .map((q) => q.id)
          .sort()
          .join(","),
      );
      assert.deepEqual(
        outcome.state.questionIds,
        outcome.view.questions.map((q) => q.id),
      );
    }
    assert.ok(seen.size > 1, "the new sets vary");
    assert.equal(env.throttles.accountHits.filter((h) => h.counter === "questions" && h.userId === user.id).length, 8);
  });

  test("5 wrong attempts exhaust the gate; a blocked account cannot prove it", async () => {
    const user = freshUser();
    await register(user, ["1", "2", "3"]);
    let state: Record<string, unknown> = {};
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const outcome = await method.challenge!.verify(await challengeCtx(user, state), { answers: {} });
      kinds.push(outcome.kind);
      state = outcome.state;
    }
    assert.deepEqual(kinds, ["view", "view", "view", "view", "exhausted"]);
    env.throttles.refuse.add("questions");
    const right = Object.fromEntries(["1", "2", "3"].map((id) => [id, ANSWERS[id] as string]));
    const blocked = await method.challenge!.verify(await challengeCtx(user, { questionIds: ["1", "2", "3"] }), {
      answers: { ...right, "1": "nope" },
    });
    assert.equal(blocked.kind, "exhausted");
    if (blocked.kind === "exhausted") assert.equal(blocked.message, "method.throttled");
  });

  test("an unknown account gets a stable decoy set, the same hashing work, and never proves", async () => {
    const first = await method.challenge!.begin(await challengeCtx(null, {}, { seed: "ghost" }), {});
    const again = await method.challenge!.begin(await challengeCtx(null, {}, { seed: "ghost" }), {});
    const other = await method.challenge!.begin(await challengeCtx(null, {}, { seed: "someone-else" }), {});
    const ids = (o: typeof first) =>
      o.kind === "view" && o.view.kind === "answer-questions" ? o.view.questions.map((q) => q.id).sort() : [];
    assert.equal(ids(first).length, 3);
    assert.deepEqual(ids(first), ids(again), "the same identifier always shows the same questions");
    assert.notDeepEqual(ids(first), ids(other));
    const user = freshUser();
    await register(user, ["1", "2", "3"]);
    const realView = await method.challenge!.begin(await challengeCtx(user, {}), {});
    assert.equal(first.kind, realView.kind);
    assert.equal(first.kind === "view" ? first.view.kind : "", realView.kind === "view" ? realView.view.kind : "");

    const before = hasher.verifyCalls;
    const guess = Object.fromEntries(ids(first).map((id) => [id, "Lyon"]));
    const outcome = await method.challenge!.verify(await challengeCtx(null, first.state, { seed: "ghost" }), {
      answers: guess,
    });
    assert.equal(hasher.verifyCalls - before, 3, "one argon2 verification per asked question, like a real account");
    assert.equal(outcome.kind, "view");
    if (outcome.kind === "view") assert.equal(outcome.message, "method.questions.wrong");
  });

  test("has data with at least toReset registered answers (the eligibility rule)", async () => {
    const user = freshUser();
    await register(user, ["1", "2", "3"]);
    const rows = await env.stores.enrollments.listForUser(user.id);
    assert.equal(method.hasData(user, rows, policy({ toReset: 3 })), true);
    assert.equal(method.hasData(user, rows, policy({ toReset: 4 })), false);
    assert.equal(method.hasData(user, [], policy()), false);
  });

  test("questions the admin removed since registration are still asked, custom ones with their saved text", async () => {
    const custom = "Name of the lighthouse near your grandparents?";
    const p = policy({ custom: [custom], predefined: [1, 2, 3] });
    const user = freshUser();
    const outcome = await method.enrollment!.start(await enrollCtx(user, p), {
      answers: [
        { questionId: "1", answer: "Lyon" },
        { questionId: "2", answer: "Grenoble" },
        { questionId: customQuestionId(custom), answer: "Ar-Men" },
      ],
    });
    assert.equal(outcome.kind, "active");
    const edited = policy({ custom: [], predefined: [4, 5, 6], toReset: 3 });
    const begun = await method.challenge!.begin(await challengeCtx(user, {}, { policy: edited }), {});
    if (begun.kind !== "view" || begun.view.kind !== "answer-questions") return assert.fail();
    assert.deepEqual(begun.view.questions.map((q) => q.id).sort(), ["1", "2", customQuestionId(custom)].sort());
    assert.equal(begun.view.questions.find((q) => q.id === customQuestionId(custom))?.text, custom);
    const proved = await method.challenge!.verify(await challengeCtx(user, begun.state, { policy: edited }), {
      answers: { "1": "lyon", "2": "grenoble", [customQuestionId(custom)]: "ar-men" },
    });
    assert.equal(proved.kind, "proved");
  });
});
