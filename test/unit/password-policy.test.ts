/**
 * The password policy service (SPEC §7): one policy on every path. Each rule is shown to reject what it must
 * and to let through what it must not block (REQ-038..043, reference §6.1/§6.2).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import { createArgon2Hasher } from "../../src/kernel/passwords.ts";
import { hasMessage, hasOwnTranslation, messageIds } from "../../src/messages/index.ts";
import { createPasswordPolicyService } from "../../src/policy/password-policy.ts";
import { DEFAULT_POLICY, type SSPRPolicy } from "../../src/policy/policy.types.ts";
import type { PasswordCheck } from "../../src/registry.types.ts";

const hasher = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });

function service(patch: (p: SSPRPolicy) => void = () => {}) {
  const policy = structuredClone(DEFAULT_POLICY);
  patch(policy);
  return createPasswordPolicyService({
    policy: { current: async () => ({ version: 1, policy, createdAt: new Date(0), createdBy: "test" }) },
    hasher,
  });
}

const alice: DirectoryUser = {
  id: "u1",
  userName: "alice.w",
  displayName: "Alice Wonderland",
  email: "awonder@example.test",
  mobile: null,
  officePhone: null,
};

function rules(result: PasswordCheck): string[] {
  return result.ok ? [] : result.problems.map((p) => p.rule);
}

describe("password policy", () => {
  test("minimum length 8 by default: 7 rejected, 8 accepted (counted in code points)", async () => {
    const s = service();
    assert.deepEqual(rules(await s.check("Vq7#kLm", { user: null })), ["length"]);
    assert.equal((await s.check("Vq7#kLmZ", { user: null })).ok, true);
    // 4 emoji are 8 UTF-16 units but only 4 characters.
    assert.ok(rules(await s.check("🙂🙂🙂🙂", { user: null })).includes("length"));
  });

  test("maximum length: 256 accepted, 257 rejected with nothing else evaluated", async () => {
    const s = service();
    const unit = "Zq8$vB2n";
    assert.equal((await s.check(unit.repeat(32), { user: null })).ok, true);
    const tooLong = await s.check(`${unit.repeat(32)}x`, { user: null });
    assert.deepEqual(rules(tooLong), ["max_length"]);
    assert.equal(tooLong.ok ? null : tooLong.problems[0]?.params?.["max"], 256);
  });

  test("no composition rules by default; configured classes are enforced", async () => {
    assert.equal((await service().check("correct horse battery staple", { user: null })).ok, true);
    const strict = service((p) => {
      p.passwords.requiredClasses = 3;
    });
    assert.deepEqual(rules(await strict.check("correct horse battery staple", { user: null })), ["classes"]);
    assert.equal((await strict.check("Correct horse battery staple", { user: null })).ok, true);
  });

  test("a change may not reuse the current password; a reset (no current) may", async () => {
    const s = service();
    const pw = "Umbrella-Quartz-91";
    assert.deepEqual(rules(await s.check(pw, { user: alice, currentPassword: pw })), ["current"]);
    assert.equal((await s.check(pw, { user: alice })).ok, true);
  });

  test("history: a password matching one of the previous hashes is refused", async () => {
    const s = service();
    const previous = [await hasher.hash("Old-Lantern-Swift-12"), await hasher.hash("Older-Canyon-Mist-7")];
    assert.deepEqual(rules(await s.check("Older-Canyon-Mist-7", { user: alice, previousHashes: previous })), [
      "history",
    ]);
    assert.equal((await s.check("Fresh-Meadow-Owl-33", { user: alice, previousHashes: previous })).ok, true);
  });

  test("global banned list: common passwords and leet variants are refused with the reference's message", async () => {
    const s = service();
    for (const pw of ["Password123", "P@ssw0rd!", "Qwerty123456"]) {
      const result = await s.check(pw, { user: null });
      assert.deepEqual(rules(result), ["banned"], pw);
    }
  });

  test("custom banned list: refused with the 'blocked by your administrator' message; toggle respected", async () => {
    const on = service((p) => {
      p.passwords.customBanned = ["contoso"];
    });
    const result = await on.check("C0ntoso-Blue1", { user: null });
    assert.deepEqual(rules(result), ["custom_banned"]);
    assert.equal(result.ok ? "" : result.problems[0]?.message, "password.custom_banned");
    const off = service((p) => {
      p.passwords.customBanned = ["contoso"];
      p.passwords.enforceCustomBanned = false;
    });
    assert.equal((await off.check("C0ntoso-Blue1", { user: null })).ok, true);
  });

  test("the user's names and the organisation name may not appear in the password", async () => {
    const s = service((p) => {
      p.passwords.organisationName = "Fabrikam";
    });
    assert.ok(rules(await s.check("Wonderland-Trip-2031", { user: alice })).includes("personal"));
    assert.ok(rules(await s.check("awonder-boat-river", { user: alice })).includes("personal"));
    assert.ok(rules(await s.check("Fabrik@m-Boat-River", { user: alice })).includes("banned"));
    assert.equal((await s.check("Juniper-Boat-River", { user: alice })).ok, true);
  });

  test("every problem's message exists in the message catalog", async () => {
    const s = service((p) => {
      p.passwords.requiredClasses = 4;
      p.passwords.customBanned = ["alpha"];
    });
    const result = await s.check("alpha", { user: alice, currentPassword: "alpha" });
    assert.equal(result.ok, false);
    if (!result.ok) for (const problem of result.problems) assert.ok(hasMessage(problem.message), problem.message);
  });

  test("every password, strength and eligibility message is translated into French and German", () => {
    const ids = messageIds("en").filter((id) => /^(password|strength|eligibility)\./.test(id));
    assert.ok(ids.length > 40);
    for (const id of ids) {
      assert.ok(hasOwnTranslation("fr", id), `fr ${id}`);
      assert.ok(hasOwnTranslation("de", id), `de ${id}`);
    }
  });

  test("strength meter: weak passwords score low with feedback ids, long passphrases score high", () => {
    const s = service();
    const weak = s.strength("password1", []);
    assert.ok(weak.score <= 1);
    assert.ok(weak.feedback.length > 0);
    for (const id of weak.feedback) assert.ok(hasMessage(id), id);
    assert.equal(s.strength("Mosaic-Harbour-Lantern-Quill-83", []).score, 4);
    assert.ok(s.strength("alicewonderland", ["alice", "wonderland"]).score <= 2);
  });
});
