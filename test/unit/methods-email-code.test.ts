/**
 * Email code method (SPEC §4, reference §3.5, FLOW-06 applied to email). Threats: an attacker learning
 * whether an account or address exists (enumeration), flooding someone's mailbox, guessing codes, and
 * proving a gate for an account that does not exist.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import { AppError } from "../../src/errors/app-error.ts";
import { createEmailCodeMethod } from "../../src/methods/email-code/email-code.method.ts";
import type { ChallengeContext, EnrollContext, Method } from "../../src/methods/method.ts";
import { createTestEnv, lastCodeSentTo, REQUEST, type TestEnv, testPolicy, testUser } from "./methods-fixtures.ts";

describe("email-code method", () => {
  let env: TestEnv;
  let method: Method;
  let seq = 0;
  before(async () => {
    env = await createTestEnv();
    method = createEmailCodeMethod(env);
  });
  after(async () => env.close());
  beforeEach(() => {
    env.throttles.refuse.clear();
    env.throttles.accountHits.length = 0;
    env.throttles.keyHits.length = 0;
  });

  /** A fresh user per test so enrollments do not leak between tests. */
  function freshUser(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
    seq++;
    return testUser({ id: `u-${seq}`, userName: `user${seq}`, email: `user${seq}@corp.example`, ...overrides });
  }
  async function enrollCtx(user: DirectoryUser): Promise<EnrollContext> {
    return {
      user,
      enrollments: await env.stores.enrollments.listForUser(user.id),
      policy: testPolicy(),
      request: REQUEST,
    };
  }
  async function challengeCtx(
    user: DirectoryUser | null,
    state: Record<string, unknown>,
    flowId: string,
    decoySeed = "seed-x",
  ): Promise<ChallengeContext> {
    return {
      flowId,
      user,
      decoySeed,
      enrollments: user === null ? [] : await env.stores.enrollments.listForUser(user.id),
      policy: testPolicy(),
      state,
      request: REQUEST,
    };
  }
  async function totalOutbox(): Promise<number> {
    return (await env.stores.outbox.list({ offset: 0, limit: 1 })).total;
  }

  describe("registration", () => {
    test("refuses an invalid address and sends nothing", async () => {
      const user = freshUser();
      const before = await totalOutbox();
      for (const email of [
        "",
        "not-an-address",
        "a@b",
        "two@@corp.example",
        "a@corp.example\r\nBcc: x@y.z",
        ["a@corp.example"],
        42,
      ]) {
        const outcome = await method.enrollment!.start(await enrollCtx(user), { email });
        assert.equal(outcome.kind, "invalid", JSON.stringify(email));
        if (outcome.kind === "invalid") assert.equal(outcome.issues[0]?.field, "email");
      }
      assert.equal(await totalOutbox(), before);
    });

    test("sends a code, confirms with it, and keeps one address per user", async () => {
      const user = freshUser();
      const started = await method.enrollment!.start(await enrollCtx(user), { email: "alice.private@home.example" });
      assert.equal(started.kind, "code-sent");
      if (started.kind !== "code-sent") return;
      assert.equal(started.destinationMasked, "a•••@h•••.example");
      assert.equal(started.codeLength, 8);
      const [mail] = await env.outboxFor("alice.private@home.example");
      assert.equal(mail?.template, "registration-email-code");
      const code = await lastCodeSentTo(env, "alice.private@home.example");
      assert.equal((await env.stores.enrollments.get(started.enrollmentId))?.status, "pending");
      assert.equal(
        method.hasData({ ...user, email: null }, await env.stores.enrollments.listForUser(user.id), testPolicy()),
        false,
      );

      const wrong = code === "00000000" ? "11111111" : "00000000";
      assert.deepEqual(await method.enrollment!.confirm(await enrollCtx(user), started.enrollmentId, { code: wrong }), {
        kind: "rejected",
        message: "method.code.mismatch",
        attemptsLeft: 4,
      });
      assert.deepEqual(await method.enrollment!.confirm(await enrollCtx(user), started.enrollmentId, { code }), {
        kind: "active",
        enrollmentId: started.enrollmentId,
      });
      assert.equal(
        method.hasData({ ...user, email: null }, await env.stores.enrollments.listForUser(user.id), testPolicy()),
        true,
      );

      const second = await method.enrollment!.start(await enrollCtx(user), { email: "alice.second@home.example" });
      assert.equal(second.kind, "code-sent");
      if (second.kind !== "code-sent") return;
      const secondCode = await lastCodeSentTo(env, "alice.second@home.example");
      await method.enrollment!.confirm(await enrollCtx(user), second.enrollmentId, { code: secondCode });
      const rows = (await env.stores.enrollments.listForUser(user.id)).filter((e) => e.method === "email-code");
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.data.email, "alice.second@home.example");
      assert.equal(rows[0]?.status, "active");
    });

    test("an enrollment of another user cannot be confirmed", async () => {
      const owner = freshUser();
      const started = await method.enrollment!.start(await enrollCtx(owner), { email: "owner@home.example" });
      assert.equal(started.kind, "code-sent");
      if (started.kind !== "code-sent") return;
      const code = await lastCodeSentTo(env, "owner@home.example");
      await assert.rejects(
        method.enrollment!.confirm(await enrollCtx(freshUser()), started.enrollmentId, { code }),
        (error: unknown) => error instanceof AppError && error.code === "ENROLLMENT_NOT_FOUND",
      );
    });

    test("can refuse the account's own directory mailbox", async () => {
      const strict = createEmailCodeMethod(env, { rejectDirectoryMailbox: true });
      const user = freshUser();
      const outcome = await strict.enrollment!.start(await enrollCtx(user), { email: user.email!.toUpperCase() });
      assert.deepEqual(outcome, { kind: "invalid", issues: [{ field: "email", message: "method.email.own_mailbox" }] });
    });

    test("THR-06: each send counts against the account; at the limit nothing is sent", async () => {
      const user = freshUser();
      await method.enrollment!.start(await enrollCtx(user), { email: "counted@home.example" });
      assert.deepEqual(env.throttles.accountHits, [{ userId: user.id, counter: "email-send" }]);
      env.throttles.refuse.add("email-send");
      const before = await totalOutbox();
      const outcome = await method.enrollment!.start(await enrollCtx(user), { email: "counted2@home.example" });
      assert.equal(outcome.kind, "invalid");
      if (outcome.kind === "invalid") assert.equal(outcome.issues[0]?.rule, "THR-06");
      assert.equal(await totalOutbox(), before);
    });
  });

  describe("reset gate", () => {
    test("asks for the full address, showing only a masked hint", async () => {
      const user = freshUser({ email: "alice@corp.example" });
      const begun = await method.challenge!.begin(await challengeCtx(user, {}, "flow-hint"), {});
      assert.equal(begun.kind, "view");
      if (begun.kind === "view") assert.deepEqual(begun.view, { kind: "ask-destination", hint: "a•••@c•••.example" });
    });

    test("sends a code only when the typed address matches, with the same page either way", async () => {
      const user = freshUser();
      const before = await totalOutbox();
      const wrong = await method.challenge!.begin(await challengeCtx(user, {}, "flow-mismatch"), {
        email: "someone@else.example",
      });
      assert.equal(await totalOutbox(), before, "nothing sent to a non-matching address");
      const right = await method.challenge!.begin(await challengeCtx(user, {}, "flow-match"), {
        email: ` ${user.email!.toUpperCase()} `,
      });
      assert.equal(await totalOutbox(), before + 1);
      assert.equal(wrong.kind, "view");
      assert.equal(right.kind, "view");
      if (wrong.kind !== "view" || right.kind !== "view") return;
      assert.deepEqual(wrong.view, right.view);
      assert.equal(right.view.kind, "enter-code");
      const [mail] = await env.outboxFor(user.email!);
      assert.equal(mail?.template, "email-verification-code");
      assert.equal(mail?.subject, "OpenSSPR account email verification code");

      const code = await lastCodeSentTo(env, user.email!);
      const proved = await method.challenge!.verify(await challengeCtx(user, right.state, "flow-match"), { code });
      assert.equal(proved.kind, "proved");
      // The non-matching flow cannot be proved with the code sent for the other flow.
      const other = await method.challenge!.verify(await challengeCtx(user, wrong.state, "flow-mismatch"), { code });
      assert.equal(other.kind, "view");
    });

    test("allows 5 wrong codes, then the gate is exhausted", async () => {
      const user = freshUser();
      const begun = await method.challenge!.begin(await challengeCtx(user, {}, "flow-cap"), { email: user.email });
      assert.equal(begun.kind, "view");
      if (begun.kind !== "view") return;
      const code = await lastCodeSentTo(env, user.email!);
      const wrong = code === "00000000" ? "11111111" : "00000000";
      let state = begun.state;
      const left: (number | null)[] = [];
      for (let i = 0; i < 5; i++) {
        const outcome = await method.challenge!.verify(await challengeCtx(user, state, "flow-cap"), { code: wrong });
        assert.equal(outcome.kind, "view");
        if (outcome.kind !== "view") return;
        left.push(outcome.attemptsLeft);
        assert.equal(outcome.message, "method.code.mismatch");
        state = outcome.state;
      }
      assert.deepEqual(left, [4, 3, 2, 1, 0]);
      const last = await method.challenge!.verify(await challengeCtx(user, state, "flow-cap"), { code });
      assert.equal(last.kind, "exhausted");
    });

    test("an expired code cannot prove the gate", async () => {
      const user = freshUser();
      const begun = await method.challenge!.begin(await challengeCtx(user, {}, "flow-exp"), { email: user.email });
      if (begun.kind !== "view") return assert.fail("expected a view");
      const code = await lastCodeSentTo(env, user.email!);
      env.clock.advance(300_000);
      const outcome = await method.challenge!.verify(await challengeCtx(user, begun.state, "flow-exp"), { code });
      assert.deepEqual(outcome.kind === "exhausted" ? outcome.message : outcome.kind, "method.code.expired");
    });

    test("verifying before asking for a code goes back to the address step", async () => {
      const user = freshUser();
      const outcome = await method.challenge!.verify(await challengeCtx(user, {}, "flow-early"), { code: "12345678" });
      assert.equal(outcome.kind, "view");
      if (outcome.kind === "view") {
        assert.equal(outcome.view.kind, "ask-destination");
        assert.equal(outcome.message, "method.code.missing");
      }
    });

    test("an unknown account gets a stable decoy hint and the same pages, and nothing is ever sent or proved", async () => {
      const before = await totalOutbox();
      const a1 = await method.challenge!.begin(await challengeCtx(null, {}, "flow-d1", "seed-ghost"), {});
      const a2 = await method.challenge!.begin(await challengeCtx(null, {}, "flow-d2", "seed-ghost"), {});
      const b = await method.challenge!.begin(await challengeCtx(null, {}, "flow-d3", "seed-other"), {});
      if (a1.kind !== "view" || a2.kind !== "view" || b.kind !== "view") return assert.fail("expected views");
      assert.equal(a1.view.kind, "ask-destination");
      assert.deepEqual(a1.view, a2.view, "same identifier, same hint");
      assert.match(a1.view.kind === "ask-destination" ? a1.view.hint : "", /^[a-z]•••@[a-z]•••\.[a-z]+$/);
      assert.equal(b.view.kind, "ask-destination");

      const sent = await method.challenge!.begin(await challengeCtx(null, a1.state, "flow-d1", "seed-ghost"), {
        email: "ghost@corp.example",
      });
      if (sent.kind !== "view") return assert.fail("expected a view");
      assert.equal(sent.view.kind, "enter-code");
      assert.equal(await totalOutbox(), before, "a decoy sends nothing");
      let state = sent.state;
      for (let i = 0; i < 5; i++) {
        const outcome = await method.challenge!.verify(await challengeCtx(null, state, "flow-d1", "seed-ghost"), {
          code: "12345678",
        });
        assert.notEqual(outcome.kind, "proved");
        if (outcome.kind === "view") state = outcome.state;
      }
      const final = await method.challenge!.verify(await challengeCtx(null, state, "flow-d1", "seed-ghost"), {
        code: "12345678",
      });
      assert.equal(final.kind, "exhausted");
    });

    test("per-destination limit: one key per address (case-insensitive); at the limit nothing is sent", async () => {
      const user = freshUser();
      await method.challenge!.begin(await challengeCtx(user, {}, "flow-dest1"), { email: user.email });
      await method.challenge!.begin(await challengeCtx(user, {}, "flow-dest2"), { email: user.email!.toUpperCase() });
      const keys = env.throttles.keyHits.map((hit) => hit.key);
      assert.equal(keys.length, 2);
      assert.equal(keys[0], keys[1]);
      assert.match(keys[0] ?? "", /^dest:email:[0-9a-f]{32}$/);
      assert.ok(!(keys[0] ?? "").includes(user.email!));
      assert.deepEqual(
        env.throttles.accountHits.map((h) => h.counter),
        ["email-send", "email-send"],
      );

      env.throttles.refuse.add("key:dest:email:");
      const before = await totalOutbox();
      const throttled = await method.challenge!.begin(await challengeCtx(user, {}, "flow-dest3"), {
        email: user.email,
      });
      assert.equal(throttled.kind, "throttled");
      assert.equal(await totalOutbox(), before);
    });
  });

  test("has data with an active enrollment or a directory mail attribute", () => {
    const user = testUser({ email: null });
    assert.equal(method.hasData(user, [], testPolicy()), false);
    assert.equal(method.hasData(testUser(), [], testPolicy()), true);
  });
});
