/**
 * The store contract (ARCHITECTURE principle 5): every `Stores` implementation must pass this suite, on
 * every dialect. Each test opens fresh stores from `open()` (an empty database) and closes them after.
 * The concurrency tests fire real parallel calls: they fail on an implementation that reads-then-writes.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AppError } from "../../errors/app-error.ts";
import { verifyAuditChain } from "../sql/audit-chain.ts";
import type {
  AuditRow,
  BuiltinUserRow,
  CodeRow,
  EnrollmentRow,
  FlowRow,
  OutboxRow,
  RedeemResult,
  Stores,
} from "../types.ts";

const T0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function user(id: string, overrides: Partial<BuiltinUserRow> = {}): BuiltinUserRow {
  return {
    id,
    userName: id,
    displayName: `User ${id}`,
    email: `${id}@example.test`,
    mobile: null,
    officePhone: null,
    enabled: true,
    passwordHash: null,
    passwordChangedAt: null,
    mustChangePassword: false,
    lockedAt: null,
    failedLogins: 0,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function code(id: string, overrides: Partial<CodeRow> = {}): CodeRow {
  return {
    id,
    purpose: "flow:f1:gate:email-code",
    digest: `digest-${id}`,
    expiresAt: at(5 * MINUTE),
    attempts: 0,
    maxAttempts: 5,
    consumedAt: null,
    createdAt: T0,
    ...overrides,
  };
}

function flow(id: string, overrides: Partial<FlowRow> = {}): FlowRow {
  return {
    id,
    kind: "reset",
    state: "identify",
    data: { step: 1 },
    version: 1,
    createdAt: T0,
    expiresAt: at(15 * MINUTE),
    updatedAt: T0,
    ...overrides,
  };
}

function enrollment(id: string, overrides: Partial<EnrollmentRow> = {}): EnrollmentRow {
  return {
    id,
    userId: "u1",
    method: "email-code",
    label: "a***@example.test",
    data: { address: "alice@example.test" },
    secret: null,
    status: "active",
    source: "user",
    createdAt: T0,
    confirmedAt: T0,
    lastUsedAt: null,
    ...overrides,
  };
}

function auditInput(id: string, overrides: Partial<AuditRow> = {}): Omit<AuditRow, "prevHash" | "hash"> {
  return {
    id,
    at: T0,
    activity: "Reset password (self-service)",
    service: "Self-service Password Management",
    outcome: "success",
    reason: "User successfully reset password",
    actorId: "u1",
    actorName: "alice",
    targetId: "u1",
    targetName: "alice",
    ip: "192.0.2.1",
    userAgent: "test",
    correlationId: "corr-1",
    details: { method: "email-code" },
    ...overrides,
  };
}

function message(id: string, overrides: Partial<OutboxRow> = {}): OutboxRow {
  return {
    id,
    channel: "email",
    recipient: "alice@example.test",
    subject: "Your code",
    body: "Your code is 12345678",
    html: "<p>Your code is 12345678</p>",
    template: "reset-code",
    status: "queued",
    attempts: 0,
    nextAttemptAt: T0,
    lastError: null,
    createdAt: T0,
    sentAt: null,
    campaignId: null,
    ...overrides,
  };
}

async function rejectsWith(promise: Promise<unknown>, errorCode: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError ${errorCode}, got ${String(error)}`);
    assert.equal(error.code, errorCode);
    return true;
  });
}

function tally(results: RedeemResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

export function runStoreContract(name: string, open: () => Promise<Stores>): void {
  async function withStores(fn: (stores: Stores) => Promise<void>): Promise<void> {
    const stores = await open();
    try {
      await fn(stores);
    } finally {
      await stores.close();
    }
  }

  describe(`store contract: ${name}`, () => {
    describe("builtin directory", () => {
      test("round-trips a user with dates, flags and nulls intact", async () => {
        await withStores(async (s) => {
          const row = user("u1", {
            userName: "Alice",
            mobile: "+15550100",
            passwordHash: "$argon2id$x",
            passwordChangedAt: at(1),
            mustChangePassword: true,
            lockedAt: at(2),
            failedLogins: 3,
            enabled: false,
          });
          await s.builtin.insertUser(row);
          assert.deepEqual(await s.builtin.getUser("u1"), row);
          assert.equal(await s.builtin.getUser("nobody"), null);
        });
      });

      test("refuses a second user whose name differs only in case", async () => {
        await withStores(async (s) => {
          await s.builtin.insertUser(user("u1", { userName: "Alice" }));
          await rejectsWith(s.builtin.insertUser(user("u2", { userName: "ALICE" })), "ALREADY_EXISTS");
          await rejectsWith(s.builtin.insertUser(user("u1", { userName: "other" })), "ALREADY_EXISTS");
        });
      });

      test("finds users by name or email case-insensitively, never by an ambiguous email", async () => {
        await withStores(async (s) => {
          await s.builtin.insertUser(user("u1", { userName: "Alice", email: "Alice@Example.test" }));
          await s.builtin.insertUser(user("u2", { userName: "bob", email: "shared@example.test" }));
          await s.builtin.insertUser(user("u3", { userName: "carol", email: "SHARED@example.test" }));
          assert.equal((await s.builtin.findUser("alice"))?.id, "u1");
          assert.equal((await s.builtin.findUser("ALICE@example.TEST"))?.id, "u1");
          assert.equal((await s.builtin.findUser("Bob"))?.id, "u2");
          assert.equal(await s.builtin.findUser("shared@example.test"), null);
          assert.equal(await s.builtin.findUser("nobody"), null);
          assert.equal(await s.builtin.findUser(""), null);
        });
      });

      test("updates only the patched fields and keeps the name lookup in step", async () => {
        await withStores(async (s) => {
          await s.builtin.insertUser(user("u1", { userName: "alice" }));
          await s.builtin.updateUser("u1", { userName: "Alice2", enabled: false, email: null, updatedAt: at(5) });
          const got = await s.builtin.getUser("u1");
          assert.equal(got?.userName, "Alice2");
          assert.equal(got?.enabled, false);
          assert.equal(got?.email, null);
          assert.equal(got?.displayName, "User u1");
          assert.deepEqual(got?.updatedAt, at(5));
          assert.equal((await s.builtin.findUser("alice2"))?.id, "u1");
          assert.equal(await s.builtin.findUser("alice"), null);
          await s.builtin.insertUser(user("u2", { userName: "bob" }));
          await rejectsWith(s.builtin.updateUser("u2", { userName: "ALICE2" }), "ALREADY_EXISTS");
        });
      });

      test("lists users with search, paging and a total; wildcards in the search are literal", async () => {
        await withStores(async (s) => {
          for (const n of ["anna", "bert", "carla", "dana", "erik"]) await s.builtin.insertUser(user(n));
          await s.builtin.insertUser(user("x_y", { displayName: "Under Score" }));
          const page = await s.builtin.listUsers({ offset: 1, limit: 2 });
          assert.equal(page.total, 6);
          assert.deepEqual(
            page.rows.map((r) => r.id),
            ["bert", "carla"],
          );
          const search = await s.builtin.listUsers({ search: "AN", offset: 0, limit: 10 });
          assert.deepEqual(search.rows.map((r) => r.id).sort(), ["anna", "dana"]);
          assert.equal(search.total, 2);
          const literal = await s.builtin.listUsers({ search: "_", offset: 0, limit: 10 });
          assert.deepEqual(
            literal.rows.map((r) => r.id),
            ["x_y"],
          );
          assert.equal((await s.builtin.listUsers({ search: "%", offset: 0, limit: 10 })).total, 0);
        });
      });

      test("setPassword keeps the newest previous hashes and clears the lock", async () => {
        await withStores(async (s) => {
          await s.builtin.insertUser(user("u1", { passwordHash: "h0", lockedAt: T0, failedLogins: 4 }));
          for (let i = 1; i <= 4; i++) {
            await s.builtin.setPassword("u1", `h${i}`, { at: at(i * SECOND), mustChange: i === 4, keepHistory: 2 });
          }
          const got = await s.builtin.getUser("u1");
          assert.equal(got?.passwordHash, "h4");
          assert.deepEqual(got?.passwordChangedAt, at(4 * SECOND));
          assert.equal(got?.mustChangePassword, true);
          assert.equal(got?.lockedAt, null);
          assert.equal(got?.failedLogins, 0);
          assert.deepEqual(await s.builtin.passwordHistory("u1", 10), ["h3", "h2"]);
          assert.deepEqual(await s.builtin.passwordHistory("u1", 1), ["h3"]);
          await s.builtin.setPassword("u1", "h5", { at: at(5 * SECOND), mustChange: false, keepHistory: 0 });
          assert.deepEqual(await s.builtin.passwordHistory("u1", 10), []);
        });
      });

      test("groups: case-insensitive unique names, idempotent membership, direct members and parents", async () => {
        await withStores(async (s) => {
          await s.builtin.insertUser(user("u1"));
          await s.builtin.insertGroup({ id: "g1", name: "Staff", description: "all staff", createdAt: T0 });
          await s.builtin.insertGroup({ id: "g2", name: "Admins", description: "", createdAt: T0 });
          await rejectsWith(
            s.builtin.insertGroup({ id: "g3", name: "STAFF", description: "", createdAt: T0 }),
            "ALREADY_EXISTS",
          );
          assert.equal((await s.builtin.findGroupByName("staff"))?.id, "g1");
          assert.deepEqual(await s.builtin.getGroup("g1"), {
            id: "g1",
            name: "Staff",
            description: "all staff",
            createdAt: T0,
          });
          assert.deepEqual(
            (await s.builtin.listGroups()).map((g) => g.name),
            ["Admins", "Staff"],
          );
          await s.builtin.addMember("g1", { kind: "user", id: "u1" });
          await s.builtin.addMember("g1", { kind: "user", id: "u1" });
          await s.builtin.addMember("g1", { kind: "group", id: "g2" });
          await s.builtin.addMember("g2", { kind: "user", id: "u1" });
          assert.deepEqual(await s.builtin.members("g1"), [
            { kind: "group", id: "g2" },
            { kind: "user", id: "u1" },
          ]);
          assert.deepEqual(await s.builtin.parentGroups({ kind: "user", id: "u1" }), ["g1", "g2"]);
          assert.deepEqual(await s.builtin.parentGroups({ kind: "group", id: "g2" }), ["g1"]);
          await s.builtin.removeMember("g1", { kind: "user", id: "u1" });
          assert.deepEqual(await s.builtin.parentGroups({ kind: "user", id: "u1" }), ["g2"]);
          await rejectsWith(s.builtin.addMember("missing", { kind: "user", id: "u1" }), "GROUP_NOT_FOUND");
        });
      });
    });

    describe("policy", () => {
      test("saves numbered versions, newest first, and refuses a save based on an old version", async () => {
        await withStores(async (s) => {
          assert.equal(await s.policy.current(), null);
          const v1 = await s.policy.save({ enabled: true }, { expectedVersion: 0, at: T0, by: "admin" });
          assert.equal(v1.version, 1);
          await s.policy.save({ enabled: false, nested: { a: [1, 2] } }, { expectedVersion: 1, at: at(1), by: "bob" });
          await rejectsWith(s.policy.save({ x: 1 }, { expectedVersion: 1, at: at(2), by: "eve" }), "VERSION_CONFLICT");
          await rejectsWith(s.policy.save({ x: 1 }, { expectedVersion: 7, at: at(2), by: "eve" }), "VERSION_CONFLICT");
          assert.deepEqual(await s.policy.current(), {
            version: 2,
            document: { enabled: false, nested: { a: [1, 2] } },
            createdAt: at(1),
            createdBy: "bob",
          });
          assert.deepEqual(
            (await s.policy.history(10)).map((v) => v.version),
            [2, 1],
          );
        });
      });

      test("of two concurrent saves on the same version exactly one wins", async () => {
        await withStores(async (s) => {
          await s.policy.save({ v: 1 }, { expectedVersion: 0, at: T0, by: "a" });
          const results = await Promise.allSettled(
            [1, 2, 3, 4].map((n) => s.policy.save({ n }, { expectedVersion: 1, at: at(n), by: `admin${n}` })),
          );
          assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
          for (const r of results) {
            if (r.status === "rejected") assert.equal((r.reason as AppError).code, "VERSION_CONFLICT");
          }
          assert.equal((await s.policy.current())?.version, 2);
        });
      });
    });

    describe("enrollments and registration state", () => {
      test("round-trips, patches, lists and deletes enrollments", async () => {
        await withStores(async (s) => {
          await s.enrollments.insert(enrollment("e1"));
          await s.enrollments.insert(
            enrollment("e2", { method: "totp", secret: "sealed", status: "pending", createdAt: at(1) }),
          );
          await s.enrollments.insert(enrollment("e3", { userId: "u2", method: "totp" }));
          await rejectsWith(s.enrollments.insert(enrollment("e1")), "ALREADY_EXISTS");
          assert.deepEqual(await s.enrollments.get("e1"), enrollment("e1"));
          assert.deepEqual(
            (await s.enrollments.listForUser("u1")).map((e) => e.id),
            ["e1", "e2"],
          );
          assert.deepEqual(await s.enrollments.countByMethod(), { "email-code": 1, totp: 1 });
          await s.enrollments.update("e2", { status: "active", confirmedAt: at(2), label: "Phone", data: { n: 1 } });
          const e2 = await s.enrollments.get("e2");
          assert.equal(e2?.status, "active");
          assert.equal(e2?.secret, "sealed");
          assert.deepEqual(e2?.data, { n: 1 });
          assert.deepEqual(e2?.confirmedAt, at(2));
          assert.deepEqual(await s.enrollments.countByMethod(), { "email-code": 1, totp: 2 });
          assert.equal(await s.enrollments.deleteForUser("u1", "totp"), 1);
          assert.equal(await s.enrollments.deleteForUser("u1"), 1);
          await s.enrollments.delete("e3");
          assert.equal(await s.enrollments.get("e3"), null);
          assert.deepEqual(await s.enrollments.countByMethod(), {});
        });
      });

      test("upserts registration state per user", async () => {
        await withStores(async (s) => {
          assert.equal(await s.registrations.get("u1"), null);
          await s.registrations.upsert({ userId: "u1", registeredAt: T0, reviewedAt: null, updatedAt: T0 });
          await s.registrations.upsert({ userId: "u1", registeredAt: T0, reviewedAt: at(9), updatedAt: at(9) });
          await s.registrations.upsert({ userId: "u0", registeredAt: null, reviewedAt: null, updatedAt: T0 });
          assert.deepEqual(await s.registrations.get("u1"), {
            userId: "u1",
            registeredAt: T0,
            reviewedAt: at(9),
            updatedAt: at(9),
          });
          assert.deepEqual(
            (await s.registrations.list({ offset: 0, limit: 10 })).map((r) => r.userId),
            ["u0", "u1"],
          );
          assert.deepEqual(
            (await s.registrations.list({ offset: 1, limit: 10 })).map((r) => r.userId),
            ["u1"],
          );
        });
      });
    });

    describe("one-time codes", () => {
      test("redeems the right code once", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1"));
          assert.deepEqual(await s.codes.redeem("flow:f1:gate:email-code", "digest-c1", at(SECOND)), {
            kind: "redeemed",
          });
          assert.deepEqual(await s.codes.redeem("flow:f1:gate:email-code", "digest-c1", at(SECOND)), {
            kind: "not_found",
          });
          assert.deepEqual(await s.codes.redeem("other-purpose", "digest-c1", at(SECOND)), { kind: "not_found" });
        });
      });

      test("counts wrong guesses and stops exactly at maxAttempts", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1", { maxAttempts: 3 }));
          const p = "flow:f1:gate:email-code";
          assert.deepEqual(await s.codes.redeem(p, "wrong", T0), { kind: "mismatch", attemptsLeft: 2 });
          assert.deepEqual(await s.codes.redeem(p, "wrong", T0), { kind: "mismatch", attemptsLeft: 1 });
          assert.deepEqual(await s.codes.redeem(p, "wrong", T0), { kind: "mismatch", attemptsLeft: 0 });
          // The right code after the last allowed guess no longer works.
          assert.deepEqual(await s.codes.redeem(p, "digest-c1", T0), { kind: "exhausted" });
        });
      });

      test("the last allowed attempt can still be the right one", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1", { maxAttempts: 3 }));
          const p = "flow:f1:gate:email-code";
          await s.codes.redeem(p, "wrong", T0);
          await s.codes.redeem(p, "wrong", T0);
          assert.deepEqual(await s.codes.redeem(p, "digest-c1", T0), { kind: "redeemed" });
        });
      });

      test("expires at expiresAt", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1", { expiresAt: at(5 * MINUTE) }));
          await s.codes.issue(code("c2", { purpose: "p2", expiresAt: at(5 * MINUTE) }));
          const p = "flow:f1:gate:email-code";
          assert.deepEqual(await s.codes.redeem(p, "digest-c1", at(5 * MINUTE)), { kind: "expired" });
          assert.deepEqual(await s.codes.redeem("p2", "digest-c2", at(5 * MINUTE - 1)), { kind: "redeemed" });
          assert.equal(await s.codes.deleteExpired(at(5 * MINUTE + 1)), 2);
          assert.deepEqual(await s.codes.redeem(p, "digest-c1", T0), { kind: "not_found" });
        });
      });

      test("a newer code for the same purpose supersedes the older one", async () => {
        await withStores(async (s) => {
          const p = "flow:f1:gate:email-code";
          await s.codes.issue(code("c1"));
          await s.codes.issue(code("other", { purpose: "enroll:e1" }));
          await s.codes.issue(code("c2", { createdAt: at(SECOND) }));
          assert.deepEqual(await s.codes.redeem(p, "digest-c1", at(2 * SECOND)), { kind: "mismatch", attemptsLeft: 4 });
          assert.deepEqual(await s.codes.redeem(p, "digest-c2", at(2 * SECOND)), { kind: "redeemed" });
          // Other purposes are untouched.
          assert.deepEqual(await s.codes.redeem("enroll:e1", "digest-other", at(2 * SECOND)), { kind: "redeemed" });
        });
      });

      test("10 parallel submissions of the right code redeem it exactly once", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1", { maxAttempts: 20 }));
          const results = await Promise.all(
            Array.from({ length: 10 }, () => s.codes.redeem("flow:f1:gate:email-code", "digest-c1", at(SECOND))),
          );
          assert.deepEqual(tally(results), { redeemed: 1, not_found: 9 });
        });
      });

      test("10 parallel submissions against a cap of 5 redeem once and never exceed the cap", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1", { maxAttempts: 5 }));
          const results = await Promise.all(
            Array.from({ length: 10 }, () => s.codes.redeem("flow:f1:gate:email-code", "digest-c1", at(SECOND))),
          );
          const counts = tally(results);
          assert.equal(counts.redeemed, 1);
          assert.equal(counts.mismatch, undefined);
        });
      });

      test("parallel wrong guesses get exactly maxAttempts comparisons", async () => {
        await withStores(async (s) => {
          await s.codes.issue(code("c1", { maxAttempts: 5 }));
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) => s.codes.redeem("flow:f1:gate:email-code", `guess-${i}`, at(SECOND))),
          );
          assert.deepEqual(tally(results), { mismatch: 5, exhausted: 15 });
          const left = results.flatMap((r) => (r.kind === "mismatch" ? [r.attemptsLeft] : [])).sort();
          assert.deepEqual(left, [0, 1, 2, 3, 4]);
        });
      });
    });

    describe("flows", () => {
      test("round-trips and updates by version, refusing a stale write", async () => {
        await withStores(async (s) => {
          await s.flows.insert(flow("f1"));
          await rejectsWith(s.flows.insert(flow("f1")), "ALREADY_EXISTS");
          assert.deepEqual(await s.flows.get("f1"), flow("f1"));
          assert.equal(
            await s.flows.update("f1", 1, { state: "challenge", data: { step: 2 }, updatedAt: at(1) }),
            true,
          );
          assert.equal(await s.flows.update("f1", 1, { state: "stale", data: { step: 99 }, updatedAt: at(2) }), false);
          const got = await s.flows.get("f1");
          assert.equal(got?.version, 2);
          assert.equal(got?.state, "challenge");
          assert.deepEqual(got?.data, { step: 2 });
          assert.deepEqual(got?.updatedAt, at(1));
          assert.equal(await s.flows.update("missing", 1, { state: "x", data: {}, updatedAt: at(1) }), false);
          assert.equal(await s.flows.get("missing"), null);
        });
      });

      test("of concurrent updates on one version exactly one wins", async () => {
        await withStores(async (s) => {
          await s.flows.insert(flow("f1"));
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              s.flows.update("f1", 1, { state: `s${i}`, data: { i }, updatedAt: at(i) }),
            ),
          );
          assert.equal(results.filter(Boolean).length, 1);
          assert.equal((await s.flows.get("f1"))?.version, 2);
        });
      });

      test("deletes expired flows only", async () => {
        await withStores(async (s) => {
          await s.flows.insert(flow("old", { expiresAt: at(MINUTE) }));
          await s.flows.insert(flow("new", { expiresAt: at(20 * MINUTE) }));
          assert.equal(await s.flows.deleteExpired(at(2 * MINUTE)), 1);
          assert.equal(await s.flows.get("old"), null);
          assert.notEqual(await s.flows.get("new"), null);
        });
      });
    });

    describe("sessions", () => {
      test("insert, touch, revoke per user, expire", async () => {
        await withStores(async (s) => {
          const base = { userId: "u1", kind: "portal" as const, data: { a: 1 }, createdAt: T0, lastSeenAt: T0 };
          await s.sessions.insert({ ...base, idDigest: "s1", expiresAt: at(MINUTE) });
          await s.sessions.insert({ ...base, idDigest: "s2", expiresAt: at(MINUTE) });
          await s.sessions.insert({ ...base, idDigest: "s3", userId: "u2", kind: "admin", expiresAt: at(MINUTE) });
          await rejectsWith(s.sessions.insert({ ...base, idDigest: "s1", expiresAt: at(MINUTE) }), "ALREADY_EXISTS");
          assert.deepEqual(await s.sessions.get("s3"), {
            ...base,
            idDigest: "s3",
            userId: "u2",
            kind: "admin",
            expiresAt: at(MINUTE),
          });
          await s.sessions.touch("s1", { at: at(10), expiresAt: at(2 * MINUTE) });
          let s1 = await s.sessions.get("s1");
          assert.deepEqual(s1?.lastSeenAt, at(10));
          assert.deepEqual(s1?.expiresAt, at(2 * MINUTE));
          assert.deepEqual(s1?.data, { a: 1 });
          await s.sessions.touch("s1", { at: at(20), expiresAt: at(2 * MINUTE), data: { b: 2 } });
          s1 = await s.sessions.get("s1");
          assert.deepEqual(s1?.data, { b: 2 });
          assert.equal(await s.sessions.deleteForUser("u1"), 2);
          assert.equal(await s.sessions.get("s1"), null);
          assert.equal(await s.sessions.deleteExpired(at(MINUTE + 1)), 1);
          await s.sessions.insert({ ...base, idDigest: "s4", expiresAt: at(MINUTE) });
          await s.sessions.delete("s4");
          assert.equal(await s.sessions.get("s4"), null);
        });
      });
    });

    describe("throttles", () => {
      test("counts hits inside the sliding window only", async () => {
        await withStores(async (s) => {
          const k = "reset:user:u1";
          assert.equal(await s.throttles.hit(k, at(0), at(-MINUTE)), 1);
          assert.equal(await s.throttles.hit(k, at(30 * SECOND), at(30 * SECOND - MINUTE)), 2);
          assert.equal(await s.throttles.hit("reset:user:u2", at(30 * SECOND), at(-MINUTE)), 1);
          // One minute later the first hit has left the window.
          assert.equal(await s.throttles.hit(k, at(MINUTE + SECOND), at(SECOND)), 2);
          assert.equal(await s.throttles.count(k, at(-MINUTE)), 3);
          assert.equal(await s.throttles.count(k, at(2 * MINUTE)), 0);
          assert.equal(await s.throttles.deleteOlderThan(at(SECOND)), 1);
          assert.equal(await s.throttles.count(k, at(-MINUTE)), 2);
        });
      });

      test("clear removes one prefix and treats wildcards literally", async () => {
        await withStores(async (s) => {
          await s.throttles.hit("code:u1:a", T0, T0);
          await s.throttles.hit("code:u1:b", T0, T0);
          await s.throttles.hit("code:u10:a", T0, T0);
          await s.throttles.hit("codeXu1:a", T0, T0);
          await s.throttles.clear("code:u1:");
          assert.equal(await s.throttles.count("code:u1:a", T0), 0);
          assert.equal(await s.throttles.count("code:u1:b", T0), 0);
          assert.equal(await s.throttles.count("code:u10:a", T0), 1);
          await s.throttles.clear("code_");
          assert.equal(await s.throttles.count("codeXu1:a", T0), 1);
        });
      });

      test("a block is created once until it expires, then can be set again", async () => {
        await withStores(async (s) => {
          const k = "reset:user:u1";
          assert.equal(await s.throttles.block(k, { until: at(MINUTE), reason: "too many", at: T0 }), true);
          assert.equal(await s.throttles.block(k, { until: at(2 * MINUTE), reason: "again", at: at(SECOND) }), false);
          assert.deepEqual(await s.throttles.blockedUntil(k, at(SECOND)), { until: at(MINUTE), reason: "too many" });
          assert.equal(await s.throttles.blockedUntil(k, at(MINUTE)), null);
          assert.equal(await s.throttles.block(k, { until: at(3 * MINUTE), reason: "later", at: at(MINUTE) }), true);
          assert.deepEqual(await s.throttles.blockedUntil(k, at(MINUTE)), { until: at(3 * MINUTE), reason: "later" });
          await s.throttles.block("other", { until: at(10 * SECOND), reason: "short", at: at(MINUTE) });
          assert.deepEqual(await s.throttles.listBlocks(at(MINUTE)), [
            { key: k, until: at(3 * MINUTE), reason: "later", createdAt: at(MINUTE) },
          ]);
          await s.throttles.unblock(k);
          assert.equal(await s.throttles.blockedUntil(k, at(MINUTE)), null);
          assert.deepEqual(await s.throttles.listBlocks(at(MINUTE)), []);
        });
      });

      test("concurrent block attempts report 'new' exactly once", async () => {
        await withStores(async (s) => {
          const results = await Promise.all(
            Array.from({ length: 8 }, () =>
              s.throttles.block("ip:192.0.2.1", { until: at(MINUTE), reason: "r", at: T0 }),
            ),
          );
          assert.equal(results.filter(Boolean).length, 1);
        });
      });
    });

    describe("nonces", () => {
      test("a nonce is usable once, even under concurrency", async () => {
        await withStores(async (s) => {
          assert.equal(await s.nonces.useOnce("totp:u1:123", at(MINUTE)), true);
          assert.equal(await s.nonces.useOnce("totp:u1:123", at(MINUTE)), false);
          const results = await Promise.all(
            Array.from({ length: 10 }, () => s.nonces.useOnce("captcha:x", at(MINUTE))),
          );
          assert.equal(results.filter(Boolean).length, 1);
          assert.equal(await s.nonces.deleteExpired(at(MINUTE + 1)), 2);
          assert.equal(await s.nonces.useOnce("totp:u1:123", at(2 * MINUTE)), true);
        });
      });
    });

    describe("audit", () => {
      test("appends a hash chain that verifies, and any edit or removal breaks it", async () => {
        await withStores(async (s) => {
          const a = await s.audit.append(auditInput("a1"));
          const b = await s.audit.append(auditInput("a2", { at: at(1), details: { nested: { z: 1, a: [true] } } }));
          const c = await s.audit.append(auditInput("a3", { at: at(2) }));
          assert.equal(b.prevHash, a.hash);
          assert.equal(c.prevHash, b.hash);
          assert.match(a.hash, /^[0-9a-f]{64}$/);
          const { rows } = await s.audit.query({ offset: 0, limit: 100 });
          assert.deepEqual(rows, [c, b, a]);
          assert.deepEqual(verifyAuditChain(rows), { ok: true, count: 3 });
          const edited = rows.map((r) => (r.id === "a2" ? { ...r, outcome: "failure" as const } : r));
          assert.deepEqual(verifyAuditChain(edited), { ok: false, count: 3, id: "a2", problem: "hash_mismatch" });
          const removed = rows.filter((r) => r.id !== "a2");
          assert.deepEqual(verifyAuditChain(removed), { ok: false, count: 2, id: "a3", problem: "broken_link" });
          assert.deepEqual(verifyAuditChain([a, b], { head: c.hash }), {
            ok: false,
            count: 2,
            id: null,
            problem: "truncated",
          });
        });
      });

      test("concurrent appends still form one chain", async () => {
        await withStores(async (s) => {
          await Promise.all(Array.from({ length: 20 }, (_, i) => s.audit.append(auditInput(`p${i}`, { at: at(i) }))));
          const { rows, total } = await s.audit.query({ offset: 0, limit: 100 });
          assert.equal(total, 20);
          assert.deepEqual(verifyAuditChain(rows), { ok: true, count: 20 });
        });
      });

      test("queries newest first with filters, paging and a total", async () => {
        await withStores(async (s) => {
          await s.audit.append(auditInput("q1", { at: at(1), actorId: "u1", actorName: "Alice", targetId: "u1" }));
          await s.audit.append(
            auditInput("q2", {
              at: at(2),
              outcome: "failure",
              actorId: null,
              actorName: null,
              targetId: "u2",
              targetName: "Bob",
            }),
          );
          await s.audit.append(
            auditInput("q3", { at: at(3), activity: "Unlock user account (self-service)", correlationId: "c9" }),
          );
          await s.audit.append(
            auditInput("q4", { at: at(4), actorId: "admin", actorName: "root", targetId: "u2", targetName: "Bob" }),
          );
          const ids = async (q: Partial<Parameters<Stores["audit"]["query"]>[0]>): Promise<string[]> =>
            (await s.audit.query({ offset: 0, limit: 50, ...q })).rows.map((r) => r.id);
          assert.deepEqual(await ids({}), ["q4", "q3", "q2", "q1"]);
          assert.deepEqual(await ids({ from: at(2), to: at(3) }), ["q3", "q2"]);
          assert.deepEqual(await ids({ user: "u2" }), ["q4", "q2"]);
          assert.deepEqual(await ids({ user: "bob" }), ["q4", "q2"]);
          assert.deepEqual(await ids({ user: "ALICE" }), ["q3", "q1"]);
          assert.deepEqual(await ids({ outcome: "failure" }), ["q2"]);
          assert.deepEqual(await ids({ activity: "Unlock user account (self-service)" }), ["q3"]);
          assert.deepEqual(await ids({ correlationId: "c9" }), ["q3"]);
          const page = await s.audit.query({ offset: 1, limit: 2 });
          assert.deepEqual(
            page.rows.map((r) => r.id),
            ["q3", "q2"],
          );
          assert.equal(page.total, 4);
        });
      });

      test("retention removes old entries and the rest still verifies from its anchor", async () => {
        await withStores(async (s) => {
          for (let i = 0; i < 5; i++) await s.audit.append(auditInput(`r${i}`, { at: at(i * MINUTE) }));
          assert.equal(await s.audit.deleteOlderThan(at(2 * MINUTE)), 2);
          const { rows } = await s.audit.query({ offset: 0, limit: 10 });
          assert.deepEqual(
            rows.map((r) => r.id),
            ["r4", "r3", "r2"],
          );
          const anchor = rows.at(-1)?.prevHash;
          assert.deepEqual(verifyAuditChain(rows, { anchor }), { ok: true, count: 3 });
          const next = await s.audit.append(auditInput("r5", { at: at(5 * MINUTE) }));
          assert.equal(next.prevHash, rows[0]?.hash);
        });
      });
    });

    describe("outbox", () => {
      test("claims due queued messages, oldest first, up to the limit", async () => {
        await withStores(async (s) => {
          await s.outbox.enqueue(message("m1", { nextAttemptAt: at(2) }));
          await s.outbox.enqueue(message("m2", { nextAttemptAt: at(1) }));
          await s.outbox.enqueue(message("m3", { nextAttemptAt: at(MINUTE) }));
          await s.outbox.enqueue(message("m4", { nextAttemptAt: at(0) }));
          await rejectsWith(s.outbox.enqueue(message("m1")), "ALREADY_EXISTS");
          const claimed = await s.outbox.claimDue(at(SECOND), 2);
          assert.deepEqual(
            claimed.map((m) => m.id),
            ["m4", "m2"],
          );
          assert.ok(claimed.every((m) => m.status === "sending" && m.attempts === 1 && m.body !== ""));
          assert.deepEqual(
            (await s.outbox.claimDue(at(SECOND), 10)).map((m) => m.id),
            ["m1"],
          );
          assert.deepEqual(await s.outbox.claimDue(at(SECOND), 10), []);
          assert.deepEqual(await s.outbox.counts({}), { queued: 1, sending: 3, sent: 0, failed: 0 });
        });
      });

      test("two concurrent claimers never get the same message", async () => {
        await withStores(async (s) => {
          for (let i = 0; i < 30; i++) await s.outbox.enqueue(message(`m${String(i).padStart(2, "0")}`));
          const [a, b, c] = await Promise.all([
            s.outbox.claimDue(at(SECOND), 12),
            s.outbox.claimDue(at(SECOND), 12),
            s.outbox.claimDue(at(SECOND), 12),
          ]);
          const ids = [...(a ?? []), ...(b ?? []), ...(c ?? [])].map((m) => m.id);
          assert.equal(new Set(ids).size, ids.length);
          assert.equal(ids.length, 30);
        });
      });

      test("markSent blanks the body; markFailed retries later or gives up", async () => {
        await withStores(async (s) => {
          await s.outbox.enqueue(message("m1"));
          await s.outbox.enqueue(message("m2"));
          await s.outbox.enqueue(message("m3", { campaignId: "camp" }));
          await s.outbox.claimDue(T0, 10);
          await s.outbox.markSent("m1", at(5));
          await s.outbox.markFailed("m2", { error: "451 try later", nextAttemptAt: at(MINUTE), final: false });
          await s.outbox.markFailed("m3", { error: "550 no such user", nextAttemptAt: at(MINUTE), final: true });
          const { rows, total } = await s.outbox.list({ offset: 0, limit: 10 });
          assert.equal(total, 3);
          const byId = new Map(rows.map((r) => [r.id, r]));
          assert.equal(byId.get("m1")?.status, "sent");
          assert.equal(byId.get("m1")?.body, "");
          assert.equal(byId.get("m1")?.html, null);
          assert.deepEqual(byId.get("m1")?.sentAt, at(5));
          assert.equal(byId.get("m2")?.status, "queued");
          assert.equal(byId.get("m2")?.lastError, "451 try later");
          assert.equal(byId.get("m3")?.status, "failed");
          assert.equal(byId.get("m3")?.body, "");
          assert.deepEqual(await s.outbox.claimDue(at(MINUTE - 1), 10), []);
          const retry = await s.outbox.claimDue(at(MINUTE), 10);
          assert.deepEqual(
            retry.map((m) => [m.id, m.attempts]),
            [["m2", 2]],
          );
          assert.deepEqual(await s.outbox.counts({ campaignId: "camp" }), {
            queued: 0,
            sending: 0,
            sent: 0,
            failed: 1,
          });
          const failed = await s.outbox.list({ status: "failed", offset: 0, limit: 10 });
          assert.deepEqual(
            failed.rows.map((r) => r.id),
            ["m3"],
          );
          assert.equal(failed.total, 1);
        });
      });

      test("messages stuck in sending are requeued after a crash", async () => {
        await withStores(async (s) => {
          await s.outbox.enqueue(message("m1"));
          await s.outbox.enqueue(message("m2"));
          await s.outbox.claimDue(T0, 1);
          await s.outbox.claimDue(at(MINUTE), 1);
          assert.equal(await s.outbox.requeueStale(at(30 * SECOND)), 1);
          assert.deepEqual(
            (await s.outbox.claimDue(at(MINUTE), 10)).map((m) => m.id),
            ["m1"],
          );
        });
      });
    });

    describe("dev mailbox", () => {
      test("keeps delivered messages whole, newest first, filtered by recipient", async () => {
        await withStores(async (s) => {
          const base = { channel: "email" as const, subject: "Code", body: "Your code is 1", html: null };
          await s.devMailbox.insert({ ...base, id: "d1", recipient: "Alice@example.test", deliveredAt: at(1) });
          await s.devMailbox.insert({ ...base, id: "d2", recipient: "bob@example.test", deliveredAt: at(2) });
          await s.devMailbox.insert({ ...base, id: "d3", recipient: "alice@example.test", deliveredAt: at(3) });
          const alice = await s.devMailbox.list({ recipient: "ALICE@example.test", offset: 0, limit: 10 });
          assert.deepEqual(
            alice.rows.map((r) => r.id),
            ["d3", "d1"],
          );
          assert.equal(alice.total, 2);
          assert.equal((await s.devMailbox.list({ offset: 0, limit: 1 })).total, 3);
          assert.deepEqual(await s.devMailbox.get("d2"), {
            ...base,
            id: "d2",
            recipient: "bob@example.test",
            deliveredAt: at(2),
          });
          assert.equal(await s.devMailbox.get("nope"), null);
        });
      });
    });

    describe("settings", () => {
      test("stores JSON values; setIfAbsent sets only once", async () => {
        await withStores(async (s) => {
          assert.equal(await s.settings.get("branding"), null);
          await s.settings.set("branding", { name: "Acme", colors: ["#fff"] }, T0);
          assert.deepEqual(await s.settings.get("branding"), { name: "Acme", colors: ["#fff"] });
          await s.settings.set("branding", "plain", at(1));
          assert.equal(await s.settings.get<string>("branding"), "plain");
          assert.equal(await s.settings.setIfAbsent("first-run", { token: "digest" }, T0), true);
          assert.equal(await s.settings.setIfAbsent("first-run", { token: "other" }, T0), false);
          assert.deepEqual(await s.settings.get("first-run"), { token: "digest" });
          const race = await Promise.all(Array.from({ length: 6 }, (_, i) => s.settings.setIfAbsent("race", i, T0)));
          assert.equal(race.filter(Boolean).length, 1);
          await s.settings.delete("first-run");
          assert.equal(await s.settings.get("first-run"), null);
        });
      });
    });

    describe("transactions and availability", () => {
      test("commits every store's changes together", async () => {
        await withStores(async (s) => {
          const result = await s.transaction(async (tx) => {
            await tx.flows.insert(flow("f1"));
            await tx.codes.issue(code("c1"));
            await tx.audit.append(auditInput("a1"));
            return "done";
          });
          assert.equal(result, "done");
          assert.notEqual(await s.flows.get("f1"), null);
          assert.deepEqual(await s.codes.redeem("flow:f1:gate:email-code", "digest-c1", T0), { kind: "redeemed" });
          assert.equal((await s.audit.query({ offset: 0, limit: 10 })).total, 1);
        });
      });

      test("rolls back every store's changes when the function throws", async () => {
        await withStores(async (s) => {
          await assert.rejects(
            s.transaction(async (tx) => {
              await tx.flows.insert(flow("f1"));
              await tx.settings.set("k", 1, T0);
              await tx.audit.append(auditInput("a1"));
              throw new Error("boom");
            }),
            /boom/,
          );
          assert.equal(await s.flows.get("f1"), null);
          assert.equal(await s.settings.get("k"), null);
          assert.equal((await s.audit.query({ offset: 0, limit: 10 })).total, 0);
          // The chain head was rolled back too: the next entry links to the genesis hash.
          const first = await s.audit.append(auditInput("a2"));
          assert.deepEqual(verifyAuditChain([first]), { ok: true, count: 1 });
        });
      });

      test("a duplicate inside a transaction rolls it back with ALREADY_EXISTS", async () => {
        await withStores(async (s) => {
          await s.flows.insert(flow("f1"));
          await rejectsWith(
            s.transaction(async (tx) => {
              await tx.settings.set("k", 1, T0);
              await tx.flows.insert(flow("f1"));
            }),
            "ALREADY_EXISTS",
          );
          assert.equal(await s.settings.get("k"), null);
        });
      });

      test("ping answers while open and reports STORE_UNAVAILABLE once closed", async () => {
        const s = await open();
        await s.ping();
        await s.close();
        await rejectsWith(s.ping(), "STORE_UNAVAILABLE");
        await rejectsWith(s.flows.get("f1"), "STORE_UNAVAILABLE");
      });
    });
  });
}
