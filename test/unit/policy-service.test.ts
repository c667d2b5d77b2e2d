/**
 * The policy service (SPEC §5): versioned, validated, every change audited with old and new values
 * ("Self-service password reset policy changes"), optimistic concurrency between two admins, and the one
 * eligibility answer computed from the real directory and enrollments.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createAuditRecorder } from "../../src/audit/recorder.ts";
import { configSchema } from "../../src/config/schema.ts";
import { createBuiltinConnector } from "../../src/directory/builtin/builtin.connector.ts";
import { type BuiltinAdmin, createBuiltinAdmin } from "../../src/directory/builtin/builtin-admin.service.ts";
import { AppError } from "../../src/errors/app-error.ts";
import { createManualClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { createArgon2Hasher } from "../../src/kernel/passwords.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createPasswordPolicyService } from "../../src/policy/password-policy.ts";
import { createPolicyService, diffPolicy } from "../../src/policy/policy.service.ts";
import { DEFAULT_POLICY, type SSPRPolicy } from "../../src/policy/policy.types.ts";
import type { PolicyService } from "../../src/registry.types.ts";
import { createSqlStores, type SqlStores } from "../../src/store/sql/stores.ts";

const actor = { id: "admin-1", name: "Ada Admin" };
const opts = { actor, ctx: null };
let stores: SqlStores;
let policy: PolicyService;
let admin: BuiltinAdmin;
let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "opensspr-policy-"));
  stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
  const clock = createManualClock();
  const hasher = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
  const audit = createAuditRecorder({ stores, clock, random: secureRandom, log: createLogger({ level: "silent" }) });
  const directory = createBuiltinConnector({ stores, hasher, clock });
  const config = configSchema.parse({ directory: { adminGroups: ["opensspr-admins"] } });
  policy = createPolicyService({ stores, clock, audit, directory, config });
  admin = createBuiltinAdmin({
    stores,
    hasher,
    clock,
    random: secureRandom,
    audit,
    passwordPolicy: createPasswordPolicyService({ policy, hasher }),
  });
});

afterEach(async () => {
  await stores.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function edited(patch: (p: SSPRPolicy) => void): SSPRPolicy {
  const p = structuredClone(DEFAULT_POLICY);
  patch(p);
  return p;
}

describe("versions", () => {
  test("nothing saved yet: the default policy as version 0", async () => {
    const current = await policy.current();
    assert.equal(current.version, 0);
    assert.deepEqual(current.policy, DEFAULT_POLICY);
  });

  test("save creates version 1, history lists it, the audit names every changed property with old and new value", async () => {
    const next = edited((p) => {
      p.enabled = "selected";
      p.scopeGroups = ["pilot"];
      p.registration.reconfirmDays = 90;
    });
    const saved = await policy.save(next, { expectedVersion: 0, ...opts });
    assert.equal(saved.version, 1);
    assert.deepEqual((await policy.current()).policy, next);
    assert.deepEqual(
      (await policy.history(10)).map((v) => v.version),
      [1],
    );

    const { rows } = await stores.audit.query({
      activity: "Self-service password reset policy changes",
      offset: 0,
      limit: 5,
    });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.actorName, "Ada Admin");
    assert.deepEqual(rows[0]?.details["changes"], [
      { property: "enabled", oldValue: "none", newValue: "selected" },
      { property: "registration.reconfirmDays", oldValue: 180, newValue: 90 },
      { property: "scopeGroups", oldValue: [], newValue: ["pilot"] },
    ]);
  });

  test("an invalid policy is never saved: POLICY_INVALID with the field and rule", async () => {
    const bad = edited((p) => {
      p.methods = ["totp"];
    });
    await assert.rejects(policy.save(bad, { expectedVersion: 0, ...opts }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "POLICY_INVALID");
      assert.deepEqual(
        error.issues.map((i) => i.rule),
        ["VAL-02"],
      );
      return true;
    });
    assert.equal((await policy.current()).version, 0);
  });

  test("two admins editing version 1: the second save gets VERSION_CONFLICT", async () => {
    await policy.save(
      edited((p) => {
        p.enabled = "all";
      }),
      { expectedVersion: 0, ...opts },
    );
    await policy.save(
      edited((p) => {
        p.methodsRequired = 1;
      }),
      { expectedVersion: 1, ...opts },
    );
    await assert.rejects(
      policy.save(
        edited((p) => {
          p.enabled = "none";
        }),
        { expectedVersion: 1, ...opts },
      ),
      (error: unknown) => error instanceof AppError && error.code === "VERSION_CONFLICT",
    );
    assert.equal((await policy.current()).version, 2);
  });

  test("diffPolicy lists only changed leaves", () => {
    assert.deepEqual(diffPolicy(DEFAULT_POLICY, structuredClone(DEFAULT_POLICY)), []);
    const changes = diffPolicy(
      DEFAULT_POLICY,
      edited((p) => {
        p.passwords.minLength = 12;
      }),
    );
    assert.deepEqual(changes, [{ property: "passwords.minLength", oldValue: 8, newValue: 12 }]);
  });
});

describe("eligibility and admins from the directory", () => {
  beforeEach(async () => {
    for (const name of ["pilot", "pilot-sub", "opensspr-admins", "it"]) await admin.addGroup({ name }, opts);
    await admin.addMember("pilot", { kind: "group", ref: "pilot-sub" }, opts);
    await admin.addMember("opensspr-admins", { kind: "group", ref: "it" }, opts);
    await admin.addUser({ userName: "alice", displayName: "Alice", email: "alice@example.test" }, opts);
    await admin.addMember("pilot-sub", { kind: "user", ref: "alice" }, opts);
    await admin.addUser({ userName: "bob", displayName: "Bob", email: "bob@example.test" }, opts);
    await admin.addUser(
      { userName: "root", displayName: "Root", email: "root@example.test", mobile: "+1 4255550100" },
      opts,
    );
    await admin.addMember("it", { kind: "user", ref: "root" }, opts);
  });

  const find = async (userName: string) => {
    const { users } = await admin.listUsers({ search: userName, offset: 0, limit: 1 });
    assert.ok(users[0]);
    return users[0];
  };

  test("selected + nested group: member eligible, outsider not in scope", async () => {
    await policy.save(
      edited((p) => {
        p.enabled = "selected";
        p.scopeGroups = ["pilot"];
        p.methods = ["email-code", "sms-code"];
      }),
      { expectedVersion: 0, ...opts },
    );
    const alice = await policy.eligibility(await find("alice"));
    assert.equal(alice.eligible, true);
    assert.deepEqual(alice.usableMethods, ["email-code"]);
    const bob = await policy.eligibility(await find("bob"));
    assert.deepEqual(bob.reasons, ["not_in_scope"]);
  });

  test("admins are found through nested admin groups and use the admin policy even with `none`", async () => {
    assert.equal(await policy.isAdmin(await find("root")), true);
    assert.equal(await policy.isAdmin(await find("alice")), false);
    const root = await policy.eligibility(await find("root"));
    assert.equal(root.isAdmin, true);
    assert.equal(root.methodsRequired, 2);
    assert.deepEqual(root.usableMethods, ["email-code", "sms-code"]);
    assert.equal(root.eligible, true);
  });

  test("a disabled account is not eligible", async () => {
    await policy.save(
      edited((p) => {
        p.enabled = "all";
      }),
      { expectedVersion: 0, ...opts },
    );
    await admin.disableUser("bob", opts);
    assert.deepEqual((await policy.eligibility(await find("bob"))).reasons, ["account_disabled"]);
  });

  test("a user's enrollments count: an active TOTP makes 2 methods with the directory email", async () => {
    await policy.save(
      edited((p) => {
        p.enabled = "all";
        p.methodsRequired = 2;
        p.methods = ["email-code", "sms-code", "totp"];
      }),
      { expectedVersion: 0, ...opts },
    );
    const bob = await find("bob");
    assert.deepEqual((await policy.eligibility(bob)).reasons, ["not_registered"]);
    await stores.enrollments.insert({
      id: "enr-1",
      userId: bob.id,
      method: "totp",
      label: "Phone",
      data: {},
      secret: "sealed",
      status: "active",
      source: "user",
      createdAt: new Date(),
      confirmedAt: new Date(),
      lastUsedAt: null,
    });
    const after = await policy.eligibility(bob);
    assert.equal(after.eligible, true);
    assert.deepEqual(after.usableMethods, ["totp", "email-code"]);
  });
});
