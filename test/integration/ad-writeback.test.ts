/**
 * Active Directory write-back on a Samba AD DC, proven by an independent client (an `ldapsearch` simple bind:
 * Samba 4.17 has no Who-am-I). Threats: a reset reported as done that the DC never applied; a protected
 * (adminCount=1) account reset through self-service (REQ-105); a password sent over plain LDAP (REQ-101);
 * AD's raw diagnostics (DSID-, CN=) reaching users (REQ-107).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client, type Control } from "ldapts";
import { configSchema } from "../../src/config/schema.ts";
import { checkRights, createADConnector } from "../../src/directory/active-directory/ad.connector.ts";
import type { DirectoryConnector } from "../../src/directory/connector.ts";
import { isAppError } from "../../src/errors/app-error.ts";
import { systemClock } from "../../src/kernel/clock.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { ldapsearchBind, type SambaAD, startSambaAD } from "../support/samba.ts";

const log = createLogger({ level: "silent" });

function adConfig(samba: SambaAD, overrides: Record<string, unknown> = {}) {
  return configSchema.parse({
    directory: {
      kind: "active-directory",
      activeDirectory: {
        urls: [samba.url],
        caFile: samba.caFile,
        bindDN: samba.serviceDN,
        bindPassword: samba.servicePassword,
        userBase: samba.userBase,
        groupBase: samba.groupBase,
        connectTimeoutMs: 3000,
        timeoutMs: 5000,
        ...overrides,
      },
    },
  }).directory.activeDirectory;
}

describe("active-directory write-back on Samba", () => {
  let samba: SambaAD;
  let connector: DirectoryConnector;
  before(async () => {
    samba = await startSambaAD();
    connector = createADConnector(adConfig(samba), { log, clock: systemClock });
  });
  after(async () => {
    await connector?.close?.();
    await samba?.stop();
  });

  test("a reset is proven by an ldapsearch bind: the new password binds, the old one does not", async () => {
    const bob = await connector.findUser("bob");
    assert.ok(bob);
    assert.deepEqual(
      await connector.passwords?.reset?.(bob, "Fresh!Bob-Passw0rd", { unlock: true, mustChangeAtNextLogon: false }),
      {
        ok: true,
      },
    );
    assert.equal(await ldapsearchBind(samba, samba.users.bob.dn, "Fresh!Bob-Passw0rd"), true);
    assert.equal(await ldapsearchBind(samba, samba.users.bob.dn, samba.users.bob.password), false);
    assert.equal(
      (await connector.status?.(bob))?.mustChangePassword,
      false,
      "no forced change after a self-service reset (REQ-106)",
    );
  });

  test("the reset carries the policy hints control, non-critical (kept for real DCs; Samba 4.17 ignores it)", async (t) => {
    const modify = t.mock.method(Client.prototype, "modify");
    const bob = await connector.findUser("bob");
    assert.ok(bob);
    assert.deepEqual(
      await connector.passwords?.reset?.(bob, "Hinted!Bob-Passw0rd", { unlock: true, mustChangeAtNextLogon: false }),
      {
        ok: true,
      },
    );
    const resetCall = modify.mock.calls.find((call) => JSON.stringify(call.arguments[1]).includes("unicodePwd"));
    assert.ok(resetCall, "a modify of unicodePwd was sent");
    const controls = [resetCall.arguments[2]].flat() as Control[];
    assert.ok(
      controls.some((c) => c?.type === "1.2.840.113556.1.4.2066" && c.critical === false),
      JSON.stringify(controls),
    );
    assert.equal(await ldapsearchBind(samba, samba.users.bob.dn, "Hinted!Bob-Passw0rd"), true);
  });

  test("non-ASCII and emoji passwords round-trip as UTF-16LE (REQ-102)", async () => {
    const bob = await connector.findUser("bob");
    assert.ok(bob);
    const password = "Ünïcødé-Päss🔑9";
    assert.deepEqual(
      await connector.passwords?.reset?.(bob, password, { unlock: true, mustChangeAtNextLogon: false }),
      { ok: true },
    );
    assert.equal(await ldapsearchBind(samba, samba.users.bob.dn, password), true);
  });

  test("a locked account is unlocked and binds with its unchanged password", async () => {
    const carol = await connector.findUser("carol");
    assert.ok(carol);
    for (let attempt = 0; attempt < 3; attempt++) await ldapsearchBind(samba, samba.users.carol.dn, "Wrong!Passw0rd0");
    assert.equal((await connector.status?.(carol))?.locked, true);
    assert.equal(
      await ldapsearchBind(samba, samba.users.carol.dn, samba.users.carol.password),
      false,
      "locked: data 775",
    );
    assert.deepEqual(await connector.unlock?.(carol), { ok: true });
    assert.equal(await ldapsearchBind(samba, samba.users.carol.dn, samba.users.carol.password), true);
  });

  test("a password in the history is refused with a plain reason and nothing changes", async () => {
    const dave = await connector.findUser("dave");
    assert.ok(dave);
    assert.deepEqual(await connector.passwords?.change?.(dave, samba.users.dave.password, "Dave!Second-Passw0rd"), {
      ok: true,
    });
    const result = await connector.passwords?.change?.(dave, "Dave!Second-Passw0rd", samba.users.dave.password);
    assert.equal(result?.ok, false);
    if (result?.ok === false) {
      assert.equal(result.reason, "history");
      assert.match(result.detail, /0000052D/, "the raw AD code is kept for the audit log");
    }
    assert.equal(await ldapsearchBind(samba, samba.users.dave.dn, "Dave!Second-Passw0rd"), true, "unchanged");
    assert.equal(await ldapsearchBind(samba, samba.users.dave.dn, samba.users.dave.password), false);
  });

  test("too short and not complex are mapped from 0000052D; a wrong current password from 52e", async () => {
    const dave = await connector.findUser("dave");
    assert.ok(dave);
    const short = await connector.passwords?.reset?.(dave, "Ab1!", { unlock: true, mustChangeAtNextLogon: false });
    assert.equal(short?.ok === false && short.reason, "too_short");
    const simple = await connector.passwords?.reset?.(dave, "alllowercase12345", {
      unlock: true,
      mustChangeAtNextLogon: false,
    });
    assert.equal(simple?.ok === false && simple.reason, "policy");
    const wrong = await connector.passwords?.change?.(dave, "Not!The-Passw0rd", "Whatever!Passw0rd9");
    assert.equal(wrong?.ok === false && wrong.reason, "wrong_current_password");
    assert.equal(await ldapsearchBind(samba, samba.users.dave.dn, "Dave!Second-Passw0rd"), true, "nothing changed");
  });

  test("a protected account (adminCount=1) is refused with an admin-facing reason and left alone", async () => {
    const ops = await connector.findUser("opsadmin");
    assert.ok(ops);
    assert.equal((await connector.status?.(ops))?.protectedAccount, true);
    const result = await connector.passwords?.reset?.(ops, "Taken!Over-Passw0rd", {
      unlock: true,
      mustChangeAtNextLogon: false,
    });
    assert.equal(result?.ok, false);
    if (result?.ok === false) {
      assert.equal(result.reason, "protected_account");
      assert.match(result.detail, /adminCount/);
    }
    assert.equal(await ldapsearchBind(samba, samba.users.opsadmin.dn, samba.users.opsadmin.password), true);
  });

  test("must change at next logon: set by a reset, and the user can still change (data 773 path)", async () => {
    const alice = await connector.findUser("alice");
    assert.ok(alice);
    assert.deepEqual(
      await connector.passwords?.reset?.(alice, "Temp!Alice-Passw0rd", { unlock: true, mustChangeAtNextLogon: true }),
      {
        ok: true,
      },
    );
    assert.equal((await connector.status?.(alice))?.mustChangePassword, true);
    assert.equal(
      await ldapsearchBind(samba, samba.users.alice.dn, "Temp!Alice-Passw0rd"),
      false,
      "AD: data 773 until changed",
    );
    assert.deepEqual(await connector.passwords?.change?.(alice, "Temp!Alice-Passw0rd", "Own!Alice-Passw0rd"), {
      ok: true,
    });
    assert.equal(await ldapsearchBind(samba, samba.users.alice.dn, "Own!Alice-Passw0rd"), true);
    assert.equal((await connector.status?.(alice))?.mustChangePassword, false);
  });

  test("password writes over plain LDAP are refused before anything is sent (REQ-101)", async () => {
    // StartTLS off on ldap://: AD itself refuses the simple bind; nothing is written either way.
    const plain = createADConnector(adConfig(samba, { urls: [`ldap://${samba.ip}`], startTLS: false }), {
      log,
      clock: systemClock,
    });
    try {
      await assert.rejects(
        plain.passwords?.reset?.(
          {
            id: "x",
            userName: "bob",
            displayName: "bob",
            email: null,
            mobile: null,
            officePhone: null,
            dn: samba.users.bob.dn,
          },
          "Plain!Passw0rd1",
          {
            unlock: true,
            mustChangeAtNextLogon: false,
          },
        ) ?? Promise.resolve(),
        (error: unknown) =>
          isAppError(error) && error.code === "DIRECTORY_UNAVAILABLE" && /encrypt/i.test(error.message),
      );
      const health = await plain.health();
      assert.equal(health.ok, false);
    } finally {
      await plain.close?.();
    }
    const startTLS = createADConnector(adConfig(samba, { urls: [`ldap://${samba.ip}`], startTLS: true }), {
      log,
      clock: systemClock,
    });
    try {
      assert.equal((await startTLS.findUser("bob"))?.userName, "bob", "StartTLS is an encrypted connection");
      assert.deepEqual(await startTLS.health(), { ok: true });
    } finally {
      await startTLS.close?.();
    }
  });

  test("a wrong service-account password is a clear, unexposed error", async () => {
    const wrong = createADConnector(adConfig(samba, { bindPassword: "Not!The-Passw0rd" }), { log, clock: systemClock });
    try {
      await assert.rejects(wrong.findUser("bob"), (error: unknown) => {
        assert.ok(isAppError(error));
        assert.equal(error.code, "DIRECTORY_UNAVAILABLE");
        assert.equal(error.expose, false);
        assert.match(error.message, /service account/);
        return true;
      });
    } finally {
      await wrong.close?.();
    }
  });

  test("checkRights: the delegated account may read, reset, unlock; an ordinary user may not", async () => {
    const report = await checkRights(adConfig(samba), { log, clock: systemClock });
    assert.equal(report.ok, true, JSON.stringify(report.checks));
    const hints = report.checks.find((c) => c.name === "policyHints");
    assert.match(hints?.detail ?? "", /ignores the policy hints/, "Samba 4.17 does not implement the control");
    const dave = await connector.findUser("dave");
    assert.ok(dave);
    assert.deepEqual(
      await connector.passwords?.reset?.(dave, "Rights!Dave-Passw0rd1", { unlock: true, mustChangeAtNextLogon: false }),
      {
        ok: true,
      },
    );
    const ordinary = await checkRights(
      adConfig(samba, { bindDN: samba.users.dave.dn, bindPassword: "Rights!Dave-Passw0rd1" }),
      {
        log,
        clock: systemClock,
      },
    );
    assert.equal(ordinary.ok, false);
    const missing = ordinary.checks.filter((c) => !c.ok).map((c) => c.name);
    assert.ok(missing.includes("resetPassword"), JSON.stringify(ordinary.checks));
    assert.ok(missing.includes("unlock"));
  });
});
