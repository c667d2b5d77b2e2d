/**
 * Builtin directory administration (SPEC §3 builtin, §10 CSV import with validation report and idempotent
 * re-runs). A half-imported row or a duplicated account on re-run would leave people unable to reset; a group
 * cycle would hang every nested-membership lookup.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createAuditRecorder } from "../../src/audit/recorder.ts";
import { createBuiltinConnector } from "../../src/directory/builtin/builtin.connector.ts";
import { type BuiltinAdmin, createBuiltinAdmin } from "../../src/directory/builtin/builtin-admin.service.ts";
import { parseCSV } from "../../src/directory/builtin/csv.ts";
import type { DirectoryConnector } from "../../src/directory/connector.ts";
import { AppError } from "../../src/errors/app-error.ts";
import { createManualClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { createArgon2Hasher } from "../../src/kernel/passwords.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createPasswordPolicyService } from "../../src/policy/password-policy.ts";
import { DEFAULT_POLICY } from "../../src/policy/policy.types.ts";
import { createSqlStores, type SqlStores } from "../../src/store/sql/stores.ts";

const opts = { actor: { id: "a1", name: "admin" }, ctx: null };
const hasher = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
let stores: SqlStores;
let admin: BuiltinAdmin;
let directory: DirectoryConnector;
let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "opensspr-builtin-admin-"));
  stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
  const clock = createManualClock();
  const audit = createAuditRecorder({ stores, clock, random: secureRandom, log: createLogger({ level: "silent" }) });
  const passwordPolicy = createPasswordPolicyService({
    policy: {
      current: async () => ({ version: 0, policy: DEFAULT_POLICY, createdAt: new Date(0), createdBy: "default" }),
    },
    hasher,
  });
  admin = createBuiltinAdmin({ stores, hasher, clock, random: secureRandom, audit, passwordPolicy });
  directory = createBuiltinConnector({ stores, hasher, clock });
});

afterEach(async () => {
  await stores.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return error;
  }
  assert.fail("expected a rejection");
}

async function auditCount(activity: string): Promise<number> {
  return (await stores.audit.query({ activity, offset: 0, limit: 1 })).total;
}

describe("users", () => {
  test("addUser stores normalised contact data and is audited without the password", async () => {
    const user = await admin.addUser(
      {
        userName: "bob.s",
        displayName: "Bob Stone",
        email: "bob@example.test",
        mobile: "+1 4255550123",
        password: "Granite-Pelican-71",
      },
      opts,
    );
    assert.equal(user.mobile, "+14255550123");
    assert.equal(await directory.passwords?.verify?.(user, "Granite-Pelican-71"), true);
    const { rows } = await stores.audit.query({ activity: "Add user", offset: 0, limit: 1 });
    assert.equal(rows[0]?.targetName, "bob.s");
    assert.doesNotMatch(JSON.stringify(rows[0]), /Granite-Pelican-71/);
  });

  test("invalid fields are refused with one issue per field and nothing is written", async () => {
    const error = await rejection(
      admin.addUser({ userName: "bad name!", displayName: "", email: "not-an-email", mobile: "12", extra: 1 }, opts),
    );
    assert.equal(error.code, "VALIDATION_FAILED");
    assert.deepEqual(error.issues.map((i) => i.field).sort(), ["displayName", "email", "extra", "mobile", "userName"]);
    assert.equal((await admin.listUsers({ offset: 0, limit: 10 })).total, 0);
    for (const bad of [
      null,
      [],
      "bob",
      { userName: ["bob"], displayName: "Bob" },
      { userName: "x".repeat(65), displayName: "X" },
    ]) {
      assert.equal((await rejection(admin.addUser(bad, opts))).code, "VALIDATION_FAILED");
    }
  });

  test("a duplicate user name (any case) is ALREADY_EXISTS; an email used by another account is refused", async () => {
    await admin.addUser({ userName: "carol", displayName: "Carol", email: "carol@example.test" }, opts);
    assert.equal(
      (await rejection(admin.addUser({ userName: "CAROL", displayName: "C" }, opts))).code,
      "ALREADY_EXISTS",
    );
    const dup = await rejection(
      admin.addUser({ userName: "carol2", displayName: "C2", email: "Carol@example.test" }, opts),
    );
    assert.equal(dup.code, "VALIDATION_FAILED");
    assert.deepEqual(
      dup.issues.map((i) => i.field),
      ["email"],
    );
  });

  test("a weak initial or admin-set password is refused by the password policy", async () => {
    const error = await rejection(
      admin.addUser({ userName: "dave", displayName: "Dave", password: "password1" }, opts),
    );
    assert.equal(error.code, "PASSWORD_REJECTED");
    assert.equal((await admin.listUsers({ offset: 0, limit: 10 })).total, 0);
    await admin.addUser({ userName: "dave", displayName: "Dave" }, opts);
    assert.equal(
      (await rejection(admin.setPassword("dave", "qwerty123", { ...opts, mustChangeAtNextLogon: true }))).code,
      "PASSWORD_REJECTED",
    );
  });

  test("setPassword with must-change is audited as an admin reset and shows in status", async () => {
    const user = await admin.addUser({ userName: "erin", displayName: "Erin" }, opts);
    await admin.setPassword("erin", "Tundra-Mosaic-85", { ...opts, mustChangeAtNextLogon: true });
    assert.equal((await directory.status?.(user))?.mustChangePassword, true);
    assert.equal(await directory.passwords?.verify?.(user, "Tundra-Mosaic-85"), true);
    assert.equal(await auditCount("Reset password (by admin)"), 1);
  });

  test("history: the builtin directory refuses the current and remembered passwords", async () => {
    const user = await admin.addUser({ userName: "fay", displayName: "Fay", password: "Cobalt-Sparrow-19" }, opts);
    await admin.setPassword("fay", "Amber-Thistle-42", { ...opts, mustChangeAtNextLogon: false });
    const reuse = await directory.passwords?.reset?.(user, "Cobalt-Sparrow-19", {
      mustChangeAtNextLogon: false,
      unlock: true,
    });
    assert.deepEqual(reuse && { ok: reuse.ok, reason: reuse.ok ? null : reuse.reason }, {
      ok: false,
      reason: "history",
    });
    const current = await directory.passwords?.reset?.(user, "Amber-Thistle-42", {
      mustChangeAtNextLogon: false,
      unlock: true,
    });
    assert.equal(current?.ok, false);
  });

  test("disable / enable: a disabled account cannot sign in and is reported disabled", async () => {
    const user = await admin.addUser({ userName: "gus", displayName: "Gus", password: "Harbor-Quill-63" }, opts);
    await admin.disableUser("gus", opts);
    assert.equal(await directory.passwords?.verify?.(user, "Harbor-Quill-63"), false);
    assert.equal((await directory.status?.(user))?.enabled, false);
    await admin.enableUser("gus", opts);
    assert.equal(await directory.passwords?.verify?.(user, "Harbor-Quill-63"), true);
    assert.equal(await auditCount("Disable account"), 1);
  });

  test("updateUser changes and clears contact data; the password is not settable this way", async () => {
    await admin.addUser({ userName: "ian", displayName: "Ian", mobile: "+1 4255550142" }, opts);
    const updated = await admin.updateUser("ian", { email: "ian@example.test", mobile: null }, opts);
    assert.equal(updated.email, "ian@example.test");
    assert.equal(updated.mobile, null);
    assert.equal((await directory.findUser("ian@example.test"))?.mobile, null);
    const refused = await rejection(admin.updateUser("ian", { password: "Nimbus-Walrus-28" }, opts));
    assert.equal(refused.code, "VALIDATION_FAILED");
    assert.equal(await auditCount("Update user"), 1);
  });

  test("unknown users give USER_NOT_FOUND", async () => {
    assert.equal((await rejection(admin.disableUser("nobody", opts))).code, "USER_NOT_FOUND");
  });
});

describe("groups", () => {
  test("nested membership is resolved and a cycle is refused", async () => {
    for (const name of ["all-staff", "pilot", "pilot-sub"]) await admin.addGroup({ name }, opts);
    await admin.addMember("all-staff", { kind: "group", ref: "pilot" }, opts);
    await admin.addMember("pilot", { kind: "group", ref: "pilot-sub" }, opts);
    const user = await admin.addUser({ userName: "hana", displayName: "Hana" }, opts);
    await admin.addMember("pilot-sub", { kind: "user", ref: "hana" }, opts);
    assert.deepEqual(
      (await directory.groupsOf(user)).map((g) => g.name),
      ["all-staff", "pilot", "pilot-sub"],
    );

    const cycle = await rejection(admin.addMember("pilot-sub", { kind: "group", ref: "all-staff" }, opts));
    assert.equal(cycle.code, "CONFLICT");
    assert.equal((await rejection(admin.addMember("pilot", { kind: "group", ref: "pilot" }, opts))).code, "CONFLICT");
    const allStaff = await directory.findGroup("all-staff");
    assert.ok(allStaff);
    assert.deepEqual(
      (await directory.membersOf?.(allStaff, { limit: 10 }))?.map((u) => u.userName),
      ["hana"],
    );

    await admin.removeMember("pilot-sub", { kind: "user", ref: "hana" }, opts);
    assert.deepEqual(await directory.groupsOf(user), []);
    assert.equal(await auditCount("Add member to group"), 3);
  });

  test("group names are validated and unique", async () => {
    await admin.addGroup({ name: "Helpdesk" }, opts);
    assert.equal((await rejection(admin.addGroup({ name: "helpdesk" }, opts))).code, "ALREADY_EXISTS");
    assert.equal((await rejection(admin.addGroup({ name: "<script>" }, opts))).code, "VALIDATION_FAILED");
    assert.equal((await rejection(admin.addMember("nope", { kind: "user", ref: "x" }, opts))).code, "GROUP_NOT_FOUND");
  });
});

describe("CSV import", () => {
  const HEADER = "userName,displayName,email,mobile,officePhone,groups";

  test("RFC 4180: quotes, escaped quotes, commas and line breaks inside fields, CRLF, BOM", () => {
    const parsed = parseCSV('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"multi\nline",z\n', { maxRecords: 10 });
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.records.map((r) => [r.line, r.fields]),
      [
        [1, ["a", "b"]],
        [2, ["x, y", 'say "hi"']],
        [3, ["multi\nline", "z"]],
      ],
    );
    assert.deepEqual(parseCSV('a,"open\n', { maxRecords: 10 }), {
      ok: false,
      line: 1,
      message: "A quoted field is not closed.",
    });
  });

  test("imports valid rows, reports invalid ones by row and field, and writes nothing for them", async () => {
    await admin.addGroup({ name: "pilot" }, opts);
    const csv = [
      HEADER,
      'ivy,"Ivy, Jr.",ivy@example.test,+1 4255550111,,pilot',
      "bad user,Bad,,,,",
      "jack,Jack,not-mail,,,",
      "kim,Kim,,,,pilot;ghosts",
      "lee,Lee,,+44 20 7946 0958,+1 425 555 0100,",
      "ivy,Ivy again,,,,",
    ].join("\n");
    const report = await admin.importUsersCSV(csv, opts);
    assert.deepEqual(
      { rows: report.rows, created: report.created, updated: report.updated, failed: report.failed },
      { rows: 6, created: 2, updated: 0, failed: 4 },
    );
    assert.deepEqual(
      report.issues.map((i) => [i.row, i.field]),
      [
        [3, "userName"],
        [4, "email"],
        [5, "groups"],
        [7, "userName"],
      ],
    );
    const names = (await admin.listUsers({ offset: 0, limit: 10 })).users.map((u) => u.userName);
    assert.deepEqual(names, ["ivy", "lee"], "kim (unknown group) was not half-written");
    const ivy = await directory.findUser("ivy@example.test");
    assert.equal(ivy?.displayName, "Ivy, Jr.");
    assert.equal(ivy?.mobile, "+14255550111");
    assert.deepEqual(
      (await directory.groupsOf(ivy!)).map((g) => g.name),
      ["pilot"],
    );
    assert.equal(await auditCount("Import users"), 1);
  });

  test("re-running the same file changes nothing; a changed file updates in place", async () => {
    const csv = `${HEADER}\nmia,Mia,mia@example.test,,,\nned,Ned,,,,\n`;
    const first = await admin.importUsersCSV(csv, { ...opts, createGroups: true });
    assert.equal(first.created, 2);
    const again = await admin.importUsersCSV(csv, opts);
    assert.deepEqual(
      { created: again.created, updated: again.updated, unchanged: again.unchanged },
      { created: 0, updated: 0, unchanged: 2 },
    );
    const changed = await admin.importUsersCSV(`${HEADER}\nMIA,Mia Moss,,+1 4255550177,,staff\n`, {
      ...opts,
      createGroups: true,
    });
    assert.deepEqual({ created: changed.created, updated: changed.updated }, { created: 0, updated: 1 });
    const mia = await directory.findUser("mia");
    assert.equal(mia?.displayName, "Mia Moss");
    assert.equal(mia?.email, "mia@example.test", "an empty cell keeps the existing value");
    assert.equal(mia?.mobile, "+14255550177");
    assert.deepEqual(
      (await directory.groupsOf(mia!)).map((g) => g.name),
      ["staff"],
    );
    assert.equal((await admin.listUsers({ offset: 0, limit: 10 })).total, 2);
  });

  test("a bad header stops the import before any row is read", async () => {
    const report = await admin.importUsersCSV("userName,displayName,password\nzed,Zed,secret\n", opts);
    assert.deepEqual(report.issues, [{ row: 1, field: "password", message: "Unknown column." }]);
    assert.equal(report.created, 0);
    assert.equal((await admin.listUsers({ offset: 0, limit: 10 })).total, 0);
    const missing = await admin.importUsersCSV("email\nz@example.test\n", opts);
    assert.deepEqual(
      missing.issues.map((i) => i.field),
      ["userName", "displayName"],
    );
  });

  test("a row with the wrong number of fields is reported", async () => {
    const report = await admin.importUsersCSV(`${HEADER}\nomar,Omar\n`, opts);
    assert.deepEqual(report.issues, [{ row: 2, field: "(row)", message: "Expected 6 fields, found 2." }]);
  });
});
