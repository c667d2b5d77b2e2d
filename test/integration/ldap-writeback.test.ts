/**
 * OpenLDAP write-back proven by an independent client (`ldapwhoami`), and the faults an operator will meet:
 * a stopped server, a hung server, a wrong service password, TLS misconfiguration, a dead first URL.
 * Threats: a reset reported as done that the directory never applied; a hung directory hanging every flow;
 * raw directory errors leaking to users; filter injection through the identifier (REQ-099/100).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "ldapts";
import { configSchema } from "../../src/config/schema.ts";
import type { DirectoryConnector } from "../../src/directory/connector.ts";
import { checkRights, createLDAPConnector } from "../../src/directory/ldap/ldap.connector.ts";
import { isAppError } from "../../src/errors/app-error.ts";
import { systemClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { freePort, ldapwhoami, type Slapd, startSlapd } from "../support/slapd.ts";

const log = createLogger({ level: "silent" });

function ldapConfig(slapd: Slapd, overrides: Record<string, unknown> = {}) {
  return configSchema.parse({
    directory: {
      kind: "ldap",
      ldap: {
        urls: [slapd.url],
        bindDN: slapd.serviceDN,
        bindPassword: slapd.servicePassword,
        userBase: slapd.userBase,
        groupBase: slapd.groupBase,
        passwordPolicyDN: slapd.policyDN,
        connectTimeoutMs: 1000,
        timeoutMs: 1000,
        ...overrides,
      },
    },
  }).directory.ldap;
}

async function assertUnavailable(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, "DIRECTORY_UNAVAILABLE");
    assert.equal(error.expose, false, "the raw directory error is never shown to the user");
    return true;
  });
}

describe("ldap write-back on slapd", () => {
  let slapd: Slapd;
  let connector: DirectoryConnector;
  before(async () => {
    slapd = await startSlapd();
    connector = createLDAPConnector(ldapConfig(slapd), { log, clock: systemClock });
  });
  after(async () => {
    await connector?.close?.();
    await slapd?.stop();
  });

  test("a reset is proven by ldapwhoami: the new password binds, the old one does not", async () => {
    const bob = await connector.findUser("bob");
    assert.ok(bob);
    const result = await connector.passwords?.reset?.(bob, "Fresh-Bob-Passw0rd", {
      unlock: true,
      mustChangeAtNextLogon: false,
    });
    assert.deepEqual(result, { ok: true });
    assert.equal(await ldapwhoami(slapd, slapd.users.bob.dn, "Fresh-Bob-Passw0rd"), true);
    assert.equal(await ldapwhoami(slapd, slapd.users.bob.dn, slapd.users.bob.password), false);
    assert.equal((await connector.status?.(bob))?.mustChangePassword, false);
  });

  test("userPassword replace mode works too (with the same policy checks)", async () => {
    const replace = createLDAPConnector(ldapConfig(slapd, { passwordWrite: "replace" }), { log, clock: systemClock });
    try {
      const erin = await replace.findUser("erin");
      assert.ok(erin);
      const short = await replace.passwords?.reset?.(erin, "short", { unlock: true, mustChangeAtNextLogon: false });
      assert.equal(short?.ok, false);
      if (short?.ok === false) assert.equal(short.reason, "too_short");
      assert.deepEqual(
        await replace.passwords?.reset?.(erin, "Replaced-Passw0rd", { unlock: true, mustChangeAtNextLogon: false }),
        {
          ok: true,
        },
      );
      assert.equal(await ldapwhoami(slapd, slapd.users.erin.dn, "Replaced-Passw0rd"), true);
      assert.equal(await ldapwhoami(slapd, slapd.users.erin.dn, slapd.users.erin.password), false);
    } finally {
      await replace.close?.();
    }
  });

  test("a locked account is unlocked and binds with its unchanged password", async () => {
    const carol = await connector.findUser("carol");
    assert.ok(carol);
    assert.equal((await connector.status?.(carol))?.locked, true, "carol was locked by five bad binds");
    assert.equal(
      await ldapwhoami(slapd, slapd.users.carol.dn, slapd.users.carol.password),
      false,
      "locked: even the right password fails",
    );
    assert.deepEqual(await connector.unlock?.(carol), { ok: true });
    assert.equal(await ldapwhoami(slapd, slapd.users.carol.dn, slapd.users.carol.password), true);
  });

  test("an administratively locked account is refused by unlock, not silently re-enabled", async () => {
    const frank = await connector.findUser("frank");
    assert.ok(frank);
    const result = await connector.unlock?.(frank);
    assert.equal(result?.ok, false);
    if (result?.ok === false) assert.equal(result.reason, "refused");
    assert.equal(await ldapwhoami(slapd, slapd.users.frank.dn, slapd.users.frank.password), false);
  });

  test("a password in the history is refused with a plain reason and nothing changes", async () => {
    const dave = await connector.findUser("dave");
    assert.ok(dave);
    assert.deepEqual(await connector.passwords?.change?.(dave, slapd.users.dave.password, "Dave-Second-Passw0rd"), {
      ok: true,
    });
    const result = await connector.passwords?.change?.(dave, "Dave-Second-Passw0rd", slapd.users.dave.password);
    assert.equal(result?.ok, false);
    if (result?.ok === false) {
      assert.equal(result.reason, "history");
      assert.match(result.detail, /history/i, "the raw detail is kept for the audit log");
    }
    const reset = await connector.passwords?.reset?.(dave, slapd.users.dave.password, {
      unlock: true,
      mustChangeAtNextLogon: false,
    });
    assert.equal(reset?.ok, false, "the service account is not the rootdn: ppolicy applies to its resets too");
    assert.equal(
      await ldapwhoami(slapd, slapd.users.dave.dn, "Dave-Second-Passw0rd"),
      true,
      "the password is unchanged",
    );
    assert.equal(await ldapwhoami(slapd, slapd.users.dave.dn, slapd.users.dave.password), false);
  });

  test("hostile identifiers match nobody; the filter cannot be widened (REQ-099)", async (t) => {
    const search = t.mock.method(Client.prototype, "search");
    for (const identifier of [
      "*",
      "alice*",
      "*)(uid=*))(|(uid=*",
      "\\",
      "a\u0000b",
      "alice)(objectClass=*",
      "(|(uid=*))",
    ]) {
      assert.equal(await connector.findUser(identifier), null, JSON.stringify(identifier));
    }
    // The filters sent, in their RFC 4515 string form: every special character escaped, one assertion each.
    const filters = search.mock.calls.map((call) =>
      String((call.arguments[1] as { filter?: unknown } | undefined)?.filter),
    );
    const all = filters.join("\n");
    assert.ok(all.includes("(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)"), all);
    assert.ok(all.includes("(uid=a\\00b)"), all);
    assert.ok(all.includes("(uid=\\5c)"), all);
    assert.ok(all.includes("(mail=alice\\29\\28objectClass=\\2a)"), all);
  });

  test("two accounts sharing a mail address identify nobody (REQ-100)", async () => {
    await slapd.modifyAsRoot(
      `dn: ${slapd.users.erin.dn}\nchangetype: modify\nreplace: mail\nmail: shared@example.org\n`,
    );
    await slapd.modifyAsRoot(
      `dn: ${slapd.users.frank.dn}\nchangetype: modify\nreplace: mail\nmail: shared@example.org\n`,
    );
    assert.equal(await connector.findUser("shared@example.org"), null);
    assert.equal((await connector.findUser("erin"))?.userName, "erin");
  });

  test("checkRights explains what the service account may do", async () => {
    const report = await checkRights(ldapConfig(slapd), { log, clock: systemClock });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    assert.equal(report.ok, true, JSON.stringify(report.checks));
    assert.equal(byName.bind?.ok, true);
    assert.equal(byName.readUsers?.ok, true);
    assert.equal(byName.resetPassword?.ok, true);
    assert.equal(byName.unlock?.ok, true);
    assert.match(byName.ppolicy?.detail ?? "", /is supported/);
    const bob = await connector.findUser("bob");
    assert.ok(bob);
    assert.deepEqual(
      await connector.passwords?.reset?.(bob, "Rights-Bob-Passw0rd", { unlock: true, mustChangeAtNextLogon: false }),
      {
        ok: true,
      },
    );
    const asBob = await checkRights(
      ldapConfig(slapd, { bindDN: slapd.users.bob.dn, bindPassword: "Rights-Bob-Passw0rd" }),
      {
        log,
        clock: systemClock,
      },
    );
    assert.equal(asBob.ok, false, "an ordinary account may not reset others");
    const missing = asBob.checks.filter((c) => !c.ok).map((c) => c.name);
    assert.ok(missing.includes("resetPassword"), JSON.stringify(asBob.checks));
    assert.ok(missing.includes("unlock"));
    assert.ok(
      asBob.checks.every((c) => c.detail.length > 0),
      "every check explains itself",
    );
  });
});

describe("ldap faults", () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd();
  });
  after(async () => {
    slapd?.resume();
    await slapd?.stop();
  });

  test("a wrong service-account password is a clear DIRECTORY_UNAVAILABLE, and health says why", async () => {
    const connector = createLDAPConnector(ldapConfig(slapd, { bindPassword: "not-the-password" }), {
      log,
      clock: systemClock,
    });
    try {
      await assertUnavailable(connector.findUser("alice"));
      const health = await connector.health();
      assert.equal(health.ok, false);
      if (!health.ok) assert.match(health.detail, /service account/i);
    } finally {
      await connector.close?.();
    }
  });

  test("server stopped mid-use: DIRECTORY_UNAVAILABLE, then it works again after a restart", async () => {
    const connector = createLDAPConnector(ldapConfig(slapd), { log, clock: systemClock });
    try {
      const alice = await connector.findUser("alice");
      assert.ok(alice);
      await slapd.halt();
      await assertUnavailable(connector.findUser("alice"));
      await assertUnavailable(
        connector.passwords?.reset?.(alice, "Never-Applied-Passw0rd", { unlock: true, mustChangeAtNextLogon: false }) ??
          Promise.resolve(),
      );
      assert.equal((await connector.health()).ok, false);
      await slapd.start();
      assert.equal(
        (await connector.findUser("alice"))?.id,
        alice.id,
        "the pool recovers without a restart of OpenSSPR",
      );
      assert.deepEqual(await connector.health(), { ok: true });
      assert.equal(
        await ldapwhoami(slapd, slapd.users.alice.dn, slapd.users.alice.password),
        true,
        "no partial reset happened",
      );
    } finally {
      await connector.close?.();
    }
  });

  test("a hung server (SIGSTOP) gives a timeout error within the configured bound, not a hang", async () => {
    const connector = createLDAPConnector(ldapConfig(slapd, { timeoutMs: 500, connectTimeoutMs: 500 }), {
      log,
      clock: systemClock,
    });
    try {
      assert.ok(await connector.findUser("alice"));
      await slapd.pause();
      const started = process.hrtime.bigint();
      await assertUnavailable(connector.findUser("alice"));
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(elapsedMs < 4000, `gave up after ${elapsedMs} ms`);
      slapd.resume();
      assert.ok(await connector.findUser("alice"), "works again once the server answers");
    } finally {
      slapd.resume();
      await connector.close?.();
    }
  });

  test("failover: a dead first URL is skipped", async () => {
    const dead = `ldap://127.0.0.1:${await freePort()}`;
    const connector = createLDAPConnector(ldapConfig(slapd, { urls: [dead, slapd.url] }), { log, clock: systemClock });
    try {
      assert.equal((await connector.findUser("alice"))?.userName, "alice");
      assert.deepEqual(await connector.health(), { ok: true });
    } finally {
      await connector.close?.();
    }
  });

  test("TLS: LDAPS and StartTLS with the CA work; an unverifiable certificate is refused (REQ-101)", async () => {
    for (const overrides of [
      { urls: [slapd.ldapsUrl], caFile: slapd.caFile },
      { urls: [slapd.url], startTLS: true, caFile: slapd.caFile },
    ]) {
      const connector = createLDAPConnector(ldapConfig(slapd, overrides), { log, clock: systemClock });
      try {
        assert.equal((await connector.findUser("alice"))?.userName, "alice", JSON.stringify(overrides));
      } finally {
        await connector.close?.();
      }
    }
    const untrusted = createLDAPConnector(ldapConfig(slapd, { urls: [slapd.ldapsUrl] }), { log, clock: systemClock });
    try {
      await assertUnavailable(untrusted.findUser("alice"));
    } finally {
      await untrusted.close?.();
    }
  });
});

describe("ldap misconfiguration", () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd();
  });
  after(async () => {
    await slapd?.stop();
  });

  test("a wrong userBase is DIRECTORY_UNAVAILABLE (an admin problem), not a user-visible LDAP error", async () => {
    const connector = createLDAPConnector(ldapConfig(slapd, { userBase: "ou=nowhere,dc=example,dc=org" }), {
      log,
      clock: systemClock,
    });
    try {
      await assertUnavailable(connector.findUser("alice"));
      const health = await connector.health();
      assert.equal(health.ok, false);
    } finally {
      await connector.close?.();
    }
  });

  test("the rootdn as service account is flagged by checkRights (it bypasses ppolicy, REQ-104)", async () => {
    const report = await checkRights(ldapConfig(slapd, { bindDN: slapd.rootDN, bindPassword: slapd.rootPassword }), {
      log,
      clock: systemClock,
    });
    const rootCheck = report.checks.find((c) => c.name === "notRootDN");
    assert.equal(rootCheck?.ok, false);
    assert.match(rootCheck?.detail ?? "", /rootdn/);
    assert.equal(report.ok, false);
  });
});
