/**
 * The builtin directory passes the shared connector contract (SPEC §3, ARCHITECTURE principle 5), on SQLite
 * in memory, seeded through the builtin admin service the way an administrator would.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createAuditRecorder } from "../../src/audit/recorder.ts";
import { configSchema } from "../../src/config/schema.ts";
import { BUILTIN_LOCKOUT_THRESHOLD } from "../../src/directory/builtin/builtin.connector.ts";
import { createBuiltinAdmin } from "../../src/directory/builtin/builtin-admin.service.ts";
import { runConnectorContract } from "../../src/directory/contract/connector.contract.ts";
import { createDirectoryConnector } from "../../src/directory/factory.ts";
import { createManualClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { createArgon2Hasher } from "../../src/kernel/passwords.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createPasswordPolicyService } from "../../src/policy/password-policy.ts";
import { DEFAULT_POLICY } from "../../src/policy/policy.types.ts";
import { createSqlStores } from "../../src/store/sql/stores.ts";

const actor = { actor: { id: "setup", name: "setup" }, ctx: null };

runConnectorContract("builtin", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "opensspr-builtin-contract-"));
  const stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
  const clock = createManualClock();
  const log = createLogger({ level: "silent" });
  const hasher = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
  const config = configSchema.parse({ dataDir, database: { url: "sqlite::memory:" } });
  const connector = await createDirectoryConnector({ config, stores, hasher, clock, random: secureRandom, log });
  assert.equal(connector.kind, "builtin");

  const admin = createBuiltinAdmin({
    stores,
    hasher,
    clock,
    random: secureRandom,
    audit: createAuditRecorder({ stores, clock, random: secureRandom, log }),
    passwordPolicy: createPasswordPolicyService({
      policy: {
        current: async () => ({ version: 0, policy: DEFAULT_POLICY, createdAt: new Date(0), createdBy: "default" }),
      },
      hasher,
    }),
  });
  const alice = {
    userName: "alice",
    password: "Quartz-Lantern-47",
    email: "alice@example.test",
    mobile: "+14255550101",
    displayName: "Alice Liddell",
    nextPasswords: ["Marble-Orchid-58", "Copper-Meadow-93", "Violet-Harbor-26"] as [string, string, string],
  };
  await admin.addUser(
    {
      userName: alice.userName,
      displayName: alice.displayName,
      email: alice.email,
      mobile: alice.mobile,
      password: alice.password,
    },
    actor,
  );
  await admin.addUser({ userName: "dora", displayName: "Dora Disabled", password: "Saffron-Glacier-31" }, actor);
  await admin.disableUser("dora", actor);
  await admin.addUser({ userName: "root-admin", displayName: "Root Admin", password: "Indigo-Falcon-64" }, actor);
  for (const name of ["pilot", "pilot-sub", "opensspr-admins"]) await admin.addGroup({ name }, actor);
  await admin.addMember("pilot", { kind: "group", ref: "pilot-sub" }, actor);
  await admin.addMember("pilot-sub", { kind: "user", ref: "alice" }, actor);
  await admin.addMember("opensspr-admins", { kind: "user", ref: "root-admin" }, actor);

  return {
    connector,
    data: {
      alice,
      disabled: { userName: "dora" },
      admin: { userName: "root-admin" },
      groups: { pilot: "pilot", pilotSub: "pilot-sub", admin: "opensspr-admins" },
    },
    async lock(userName) {
      const user = await connector.findUser(userName);
      assert.ok(user);
      for (let i = 0; i < BUILTIN_LOCKOUT_THRESHOLD; i++) await connector.passwords?.verify?.(user, "definitely-wrong");
    },
    async teardown() {
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

test("the factory builds the builtin connector from configuration, and it is healthy", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "opensspr-factory-"));
  const stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
  try {
    const config = configSchema.parse({ dataDir, directory: { kind: "builtin" } });
    const connector = await createDirectoryConnector({
      config,
      stores,
      hasher: createArgon2Hasher(),
      clock: createManualClock(),
      random: secureRandom,
      log: createLogger({ level: "silent" }),
    });
    assert.equal(connector.kind, "builtin");
    assert.deepEqual(await connector.health(), { ok: true });
  } finally {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the factory loads the LDAP and AD connectors on demand; an unreachable server is reported by health, not thrown", async () => {
  for (const kind of ["ldap", "active-directory"] as const) {
    const config = configSchema.parse({
      directory: { kind, ldap: { urls: ["ldap://127.0.0.1:1"] }, activeDirectory: { urls: ["ldaps://127.0.0.1:1"] } },
    });
    const dataDir = mkdtempSync(join(tmpdir(), "opensspr-factory-"));
    const stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
    try {
      const connector = await createDirectoryConnector({
        config,
        stores,
        hasher: createArgon2Hasher(),
        clock: createManualClock(),
        random: secureRandom,
        log: createLogger({ level: "silent" }),
      });
      assert.equal(connector.kind, kind);
      const health = await connector.health();
      assert.equal(health.ok, false);
      await connector.close?.();
    } finally {
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
});
