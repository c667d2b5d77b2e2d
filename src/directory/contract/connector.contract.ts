/**
 * The shared directory-connector contract suite (ARCHITECTURE principle 5, STYLE rule 10). Builtin, OpenLDAP
 * (slapd) and Active Directory (Samba AD DC) must all pass it, so the reset flow behaves the same on each.
 *
 * Usage (in a test file):
 *   runConnectorContract("builtin", async () => ({ connector, data, lock, teardown }));
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DirectoryConnector, DirectoryUser } from "../connector.ts";

/**
 * What a directory under test must hold before the suite runs. Provide the same on every directory:
 *
 * - `alice`: enabled, NOT an admin, with a password, an email and a mobile. Member of `pilot-sub` only
 *   (directly); `pilot-sub` is a member of `pilot` (nested chain pilot ⊃ pilot-sub ⊃ alice).
 * - `disabled`: a disabled account (builtin `enabled=false`; LDAP: locked permanently / `pwdAccountLockedTime=000001010000Z`
 *   or whatever the connector reports as `enabled=false`; AD: `userAccountControl` ACCOUNTDISABLE).
 * - `admin`: a member of the admin group `groups.admin`.
 * - `groups`: the names of the three groups.
 * - `lock` (optional, when the directory supports locking): puts the named account into the locked state the way
 *   the directory itself would (builtin: wrong passwords; ppolicy: `pwdAccountLockedTime`; AD: bad passwords up
 *   to `lockoutThreshold`). Tests that need it are skipped-by-assertion only if both `lock` and
 *   `connector.unlock` are absent.
 *
 * Passwords must satisfy the directory's own policy; `alice.nextPasswords` are three distinct fresh passwords the
 * suite may set (change and reset), also valid under that policy and never used before on this account.
 */
export interface ConnectorFixture {
  connector: DirectoryConnector;
  data: {
    alice: {
      userName: string;
      password: string;
      email: string;
      mobile: string;
      displayName: string;
      nextPasswords: [string, string, string];
    };
    disabled: { userName: string };
    admin: { userName: string };
    groups: { pilot: string; pilotSub: string; admin: string };
  };
  /** Locks `userName` the way the directory would. Absent when the directory cannot lock accounts. */
  lock?(userName: string): Promise<void>;
  teardown(): Promise<void>;
}

export function runConnectorContract(name: string, setup: () => Promise<ConnectorFixture>): void {
  describe(`directory connector contract: ${name}`, () => {
    let fixture: ConnectorFixture;
    let connector: DirectoryConnector;
    /** alice's password as the suite has left it. */
    let alicePassword: string;

    before(async () => {
      fixture = await setup();
      connector = fixture.connector;
      alicePassword = fixture.data.alice.password;
    });
    after(async () => {
      await fixture?.teardown();
    });

    const alice = async (): Promise<DirectoryUser> => {
      const user = await connector.findUser(fixture.data.alice.userName);
      assert.ok(user, "alice must exist");
      return user;
    };

    test("finds a user by user name, by email, whatever the case, as the same account", async () => {
      const { userName, email, mobile, displayName } = fixture.data.alice;
      const byName = await alice();
      assert.equal(byName.userName.toLowerCase(), userName.toLowerCase());
      assert.equal(byName.email?.toLowerCase(), email.toLowerCase());
      assert.equal(byName.mobile, mobile);
      assert.equal(byName.displayName, displayName);
      const byEmail = await connector.findUser(email);
      assert.equal(byEmail?.id, byName.id);
      const upper = await connector.findUser(userName.toUpperCase());
      assert.equal(upper?.id, byName.id);
      const mixedEmail = await connector.findUser(`  ${email.toUpperCase()} `);
      assert.equal(mixedEmail?.id, byName.id);
    });

    test("getUser round-trips the stable id", async () => {
      const user = await alice();
      assert.deepEqual(await connector.getUser(user.id), user);
    });

    test("unknown or hostile identifiers give null, never a throw", async () => {
      for (const identifier of ["nobody-here", "", "   ", "*", "(uid=*)", "alice*", "a)(|(uid=*", "x".repeat(5000)]) {
        assert.equal(await connector.findUser(identifier), null, JSON.stringify(identifier.slice(0, 20)));
      }
      assert.equal(await connector.getUser("00000000-0000-4000-8000-000000000000"), null);
    });

    test("groups are resolved through nesting (pilot ⊃ pilot-sub ⊃ alice)", async () => {
      const names = (await connector.groupsOf(await alice())).map((g) => g.name.toLowerCase());
      assert.ok(names.includes(fixture.data.groups.pilotSub.toLowerCase()), `direct group missing: ${names}`);
      assert.ok(names.includes(fixture.data.groups.pilot.toLowerCase()), `nested group missing: ${names}`);
      assert.ok(!names.includes(fixture.data.groups.admin.toLowerCase()), "alice is not an admin");
    });

    test("the admin user is in the admin group", async () => {
      const admin = await connector.findUser(fixture.data.admin.userName);
      assert.ok(admin);
      const names = (await connector.groupsOf(admin)).map((g) => g.name.toLowerCase());
      assert.ok(names.includes(fixture.data.groups.admin.toLowerCase()));
    });

    test("findGroup finds by name; unknown → null", async () => {
      const pilot = await connector.findGroup(fixture.data.groups.pilot);
      assert.equal(pilot?.name.toLowerCase(), fixture.data.groups.pilot.toLowerCase());
      assert.equal(await connector.findGroup("no-such-group-anywhere"), null);
    });

    test("membersOf (when offered) includes nested members", async () => {
      const pilot = await connector.findGroup(fixture.data.groups.pilot);
      assert.ok(pilot);
      if (connector.membersOf === undefined) return;
      const members = await connector.membersOf(pilot, { limit: 100 });
      const aliceName = fixture.data.alice.userName.toLowerCase();
      assert.ok(
        members.some((m) => m.userName.toLowerCase() === aliceName),
        "alice is a nested member of pilot",
      );
    });

    test("status: alice enabled and unlocked; the disabled account is reported disabled", async () => {
      if (connector.status === undefined) return;
      const status = await connector.status(await alice());
      assert.equal(status.enabled, true);
      assert.equal(status.locked, false);
      const disabled = await connector.findUser(fixture.data.disabled.userName);
      assert.ok(disabled, "the disabled user is still found (flows treat it as ineligible, not unknown)");
      assert.equal((await connector.status(disabled)).enabled, false);
    });

    test("verify: right password true, wrong password false", async () => {
      const verify = connector.passwords?.verify;
      assert.ok(verify, "every connector can verify a password (portal sign-in)");
      assert.equal(await verify(await alice(), alicePassword), true);
      assert.equal(await verify(await alice(), `${alicePassword}-wrong`), false);
      assert.equal(await verify(await alice(), alicePassword), true, "one wrong try does not lock");
    });

    test("change with a wrong current password is refused and nothing changes", async () => {
      const change = connector.passwords?.change;
      if (change === undefined) return;
      const [next] = fixture.data.alice.nextPasswords;
      const result = await change(await alice(), `${alicePassword}-wrong`, next);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.reason, "wrong_current_password");
      assert.equal(await connector.passwords?.verify?.(await alice(), alicePassword), true);
      assert.equal(await connector.passwords?.verify?.(await alice(), next), false);
    });

    test("change with the right current password sets the new one", async () => {
      const change = connector.passwords?.change;
      if (change === undefined) return;
      const [next] = fixture.data.alice.nextPasswords;
      assert.deepEqual(await change(await alice(), alicePassword, next), { ok: true });
      assert.equal(await connector.passwords?.verify?.(await alice(), next), true);
      assert.equal(await connector.passwords?.verify?.(await alice(), alicePassword), false);
      alicePassword = next;
    });

    test("reset sets a new password: the new one verifies, the old one no longer does", async () => {
      const reset = connector.passwords?.reset;
      assert.ok(reset, "every contract directory supports reset");
      const next = fixture.data.alice.nextPasswords[1];
      const result = await reset(await alice(), next, { mustChangeAtNextLogon: false, unlock: true });
      assert.deepEqual(result, { ok: true });
      assert.equal(await connector.passwords?.verify?.(await alice(), next), true);
      assert.equal(await connector.passwords?.verify?.(await alice(), alicePassword), false);
      alicePassword = next;
    });

    test("reset with must-change-at-next-logon is reported by status", async () => {
      const reset = connector.passwords?.reset;
      if (reset === undefined || connector.status === undefined) return;
      const next = fixture.data.alice.nextPasswords[2];
      assert.deepEqual(await reset(await alice(), next, { mustChangeAtNextLogon: true, unlock: true }), { ok: true });
      alicePassword = next;
      assert.equal((await connector.status(await alice())).mustChangePassword, true);
    });

    test("unlock: a locked account is unlocked; an unlocked one reports not_locked", async () => {
      if (connector.unlock === undefined || fixture.lock === undefined) return;
      const user = await alice();
      await fixture.lock(fixture.data.alice.userName);
      if (connector.status !== undefined) assert.equal((await connector.status(user)).locked, true);
      assert.deepEqual(await connector.unlock(user), { ok: true });
      if (connector.status !== undefined) assert.equal((await connector.status(user)).locked, false);
      assert.equal(await connector.passwords?.verify?.(user, alicePassword), true);
      const again = await connector.unlock(user);
      assert.equal(again.ok, false);
      if (!again.ok) assert.equal(again.reason, "not_locked");
    });

    test("health reports ok", async () => {
      assert.deepEqual(await connector.health(), { ok: true });
    });
  });
}
