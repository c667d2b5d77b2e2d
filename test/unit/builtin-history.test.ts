/**
 * Builtin password history (SPEC §7) with keyed fingerprints: the last N passwords (current included) are
 * refused, and a reset costs ONE argon2 operation (hashing the new password) instead of one per remembered
 * password — the benchmark's "one unavoidable cost" (issue 3).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createBuiltinConnector } from "../../src/directory/builtin/builtin.connector.ts";
import { createManualClock } from "../../src/kernel/clock.ts";
import { createArgon2Hasher, type PasswordHasher } from "../../src/kernel/passwords.ts";
import { deriveKeyRing } from "../../src/kernel/secrets.ts";
import { DEFAULT_POLICY } from "../../src/policy/policy.types.ts";
import { createSqlStores } from "../../src/store/sql/stores.ts";

function countingHasher(): PasswordHasher & { hashes: number; verifies: number } {
  const inner = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
  const counter = {
    hashes: 0,
    verifies: 0,
    async hash(secret: string) {
      counter.hashes++;
      return inner.hash(secret);
    },
    async verify(encoded: string, secret: string) {
      counter.verifies++;
      return inner.verify(encoded, secret);
    },
  };
  return counter;
}

test("history of 3: the current and two previous passwords are refused; one argon2 per reset", async () => {
  const stores = await createSqlStores({ url: "sqlite::memory:", dataDir: mkdtempSync(join(tmpdir(), "hist-")) });
  const clock = createManualClock();
  await stores.policy.save(
    { ...DEFAULT_POLICY, passwords: { ...DEFAULT_POLICY.passwords, historyCount: 3 } },
    { expectedVersion: 0, at: clock.now(), by: "test" },
  );
  const hasher = countingHasher();
  const key = deriveKeyRing("history-test-secret-key-0123456789abcdef").passwordHistory;
  const directory = createBuiltinConnector({ stores, hasher, clock, historyKey: key });
  const now = clock.now();
  await stores.builtin.insertUser({
    id: "u1",
    userName: "alice",
    displayName: "Alice",
    email: null,
    mobile: null,
    officePhone: null,
    enabled: true,
    passwordHash: await hasher.hash("Initial-Password-1"),
    passwordChangedAt: now,
    mustChangePassword: false,
    lockedAt: null,
    failedLogins: 0,
    createdAt: now,
    updatedAt: now,
  });
  const user = (await directory.getUser("u1"))!;
  const reset = (password: string) =>
    directory.passwords!.reset!(user, password, { mustChangeAtNextLogon: false, unlock: true });

  // An account created by a direct store write has no fingerprint yet: its current hash is checked once.
  assert.deepEqual((await reset("Initial-Password-1")).ok, false);
  clock.advance(1000);
  hasher.hashes = 0;
  hasher.verifies = 0;
  assert.deepEqual(await reset("Second-Password-22"), { ok: true });
  assert.equal(hasher.hashes, 1);
  clock.advance(1000);
  hasher.verifies = 0;
  hasher.hashes = 0;
  assert.deepEqual(await reset("Third-Password-333"), { ok: true });
  assert.equal(hasher.verifies, 0, "no argon2 verification once the current password has a fingerprint");
  assert.equal(hasher.hashes, 1, "one argon2 hash: the new password");

  for (const remembered of ["Third-Password-333", "Second-Password-22"]) {
    const refused = await reset(remembered);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, "history");
  }
  clock.advance(1000);
  assert.deepEqual(await reset("Fourth-Password-4444"), { ok: true });
  clock.advance(1000);
  assert.deepEqual(await reset("Fifth-Password-55555"), { ok: true });
  // Three remembered now: Fifth (current), Fourth, Third. Second has left the history.
  assert.equal((await reset("Third-Password-333")).ok, false);
  clock.advance(1000);
  assert.deepEqual(await reset("Second-Password-22"), { ok: true });
  assert.equal(await directory.passwords!.verify!(user, "Second-Password-22"), true);
  const history = await stores.builtin.passwordHistory("u1", 10);
  assert.ok(
    history.every((entry) => entry.startsWith("hmac-sha256:") && !entry.includes("Password")),
    "only keyed fingerprints are stored",
  );
  await stores.close();
});
