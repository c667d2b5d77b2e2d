/**
 * `opensspr doctor`'s directory check: can the service account bind, read users and groups, reset passwords
 * and unlock accounts? Write rights are probed with operations the directory refuses AFTER its access check
 * and that change nothing: deleting a value that does not exist (OpenLDAP answers noSuchAttribute when the
 * ACL allows the write, insufficientAccessRights when not), or an unquoted `unicodePwd` (AD answers
 * "unwilling / not allowed to set the NT hash" when the Reset Password right is held, 50 when not).
 */
import { randomBytes } from "node:crypto";
import {
  AndFilter,
  Attribute,
  Change,
  type Client,
  type Entry,
  EqualityFilter,
  ExtensibleFilter,
  FilterParser,
} from "ldapts";
import type { Config } from "../../config/schema.ts";
import type { Logger } from "../../kernel/logger.ts";
import { PasswordPolicyControl, PolicyHintsControl } from "./controls.ts";
import { diagnosticText, ldapResultCode, parseADError } from "./errors.ts";
import { createLDAPPool, type LDAPConnection, type LDAPPool } from "./pool.ts";
import { allStrings, firstString } from "./users.ts";

export interface RightsCheck {
  /** `bind`, `notRootDN`, `encrypted`, `readUsers`, `readGroups`, `resetPassword`, `unlock`, `mustChange`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was found, and what to change when it failed (admin-facing). */
  readonly detail: string;
}

export interface RightsReport {
  readonly ok: boolean;
  readonly checks: RightsCheck[];
}

export interface RightsSettings {
  kind: "ldap" | "active-directory";
  bindDN: string;
  bindPassword: string;
  userBase: string;
  userFilter: string;
  userNameAttribute: string;
  groupBase: string;
  groupFilter: string;
  protectedAccountFilter: string;
  /** AD: the policy hints OID sent with resets (probed, informational), or `off`. */
  policyHints?: string | undefined;
  /** A user to probe write rights on (user name); default: the first ordinary user found. */
  sampleUser?: string | undefined;
}

async function sampleUser(client: Client, settings: RightsSettings): Promise<Entry | null> {
  const filters = [FilterParser.parseString(settings.userFilter)];
  if (settings.protectedAccountFilter !== "")
    filters.push(FilterParser.parseString(`(!${settings.protectedAccountFilter})`));
  if (settings.sampleUser !== undefined)
    filters.push(new EqualityFilter({ attribute: settings.userNameAttribute, value: settings.sampleUser }));
  const result = await client.search(settings.userBase, {
    scope: "sub",
    filter: new AndFilter({ filters }),
    attributes: [settings.userNameAttribute, "allowedAttributesEffective"],
    sizeLimit: 20,
  });
  return result.searchEntries.find((entry) => entry.dn.toLowerCase() !== settings.bindDN.toLowerCase()) ?? null;
}

export async function checkDirectoryRights(pool: LDAPPool, settings: RightsSettings): Promise<RightsReport> {
  const checks: RightsCheck[] = [];
  const add = (name: string, ok: boolean, detail: string): void => {
    checks.push({ name, ok, detail });
  };
  let connection: LDAPConnection;
  try {
    connection = await pool.open({ dn: settings.bindDN, password: settings.bindPassword });
  } catch (error) {
    if (ldapResultCode(error) === undefined) {
      add("connect", false, `cannot reach the directory: ${error instanceof Error ? error.message : String(error)}`);
    } else {
      add(
        "bind",
        false,
        `the directory refused the service account (${diagnosticText(error)}): check bindDN and bindPassword`,
      );
    }
    return { ok: false, checks };
  }
  const { client } = connection;
  add("bind", true, `bound as ${settings.bindDN} over ${connection.secure ? "an encrypted" : "a plain"} connection`);
  try {
    if (settings.kind === "active-directory") {
      add(
        "encrypted",
        connection.secure,
        connection.secure
          ? "LDAPS/StartTLS: AD accepts password writes on this connection"
          : "plain LDAP: AD refuses unicodePwd writes; use ldaps:// URLs or startTLS",
      );
    } else {
      let hasEntry = false;
      try {
        hasEntry =
          (await client.search(settings.bindDN, { scope: "base", attributes: ["1.1"] })).searchEntries.length === 1;
      } catch {
        hasEntry = false;
      }
      add(
        "notRootDN",
        hasEntry,
        hasEntry
          ? "the service account is a directory entry (not the rootdn)"
          : "the bind DN has no entry: it is probably the rootdn, which bypasses ppolicy (no history/quality checks on resets). Create a dedicated service account (docs/directories.md)",
      );
    }
    let sample: Entry | null = null;
    try {
      sample = await sampleUser(client, settings);
      add(
        "readUsers",
        sample !== null,
        sample === null
          ? `no user found under ${settings.userBase} with ${settings.userFilter}: grant read access to the user entries or fix userBase/userFilter`
          : `can read users (e.g. ${firstString(sample, settings.userNameAttribute) ?? sample.dn})`,
      );
    } catch (error) {
      add(
        "readUsers",
        false,
        `searching ${settings.userBase} failed (${diagnosticText(error)}): grant read/search access`,
      );
    }
    try {
      const groups = await client.search(settings.groupBase, {
        scope: "sub",
        filter: settings.groupFilter,
        attributes: ["1.1"],
        sizeLimit: 1,
      });
      add(
        "readGroups",
        groups.searchEntries.length > 0,
        groups.searchEntries.length > 0
          ? "can read groups"
          : `no group found under ${settings.groupBase}: group scopes and admin groups cannot be resolved`,
      );
      if (settings.kind === "active-directory" && sample !== null) {
        await client.search(settings.groupBase, {
          scope: "sub",
          filter: new AndFilter({
            filters: [
              FilterParser.parseString(settings.groupFilter),
              new ExtensibleFilter({ matchType: "member", rule: "1.2.840.113556.1.4.1941", value: sample.dn }),
            ],
          }),
          attributes: ["1.1"],
          sizeLimit: 1,
        });
      }
    } catch (error) {
      if (ldapResultCode(error) === 4) add("readGroups", true, "can read groups");
      else add("readGroups", false, `searching groups failed (${diagnosticText(error)})`);
    }
    if (sample === null) {
      add("resetPassword", false, "no sample user to probe the reset right on");
      add("unlock", false, "no sample user to probe the unlock right on");
      return { ok: false, checks };
    }
    const probe = async (changes: Change[]): Promise<unknown> => {
      try {
        await client.modify(sample.dn, changes);
        return null;
      } catch (error) {
        return error;
      }
    };
    if (settings.kind === "ldap") {
      const root = await client.search("", { scope: "base", attributes: ["supportedControl"] }).catch(() => null);
      const controls =
        root === null || root.searchEntries[0] === undefined
          ? []
          : allStrings(root.searchEntries[0], "supportedControl");
      add(
        "ppolicy",
        true,
        controls.includes(PasswordPolicyControl.OID)
          ? "the password policy (ppolicy) control is supported: lockout state and policy refusals are reported precisely"
          : "no ppolicy control advertised: lockout/must-change state is unavailable and refusals are read from the server's text",
      );
      // Deleting a random value that cannot exist: 16 = the ACL allowed the write; 50 = it did not.
      const reset = await probe([
        new Change({
          operation: "delete",
          modification: new Attribute({ type: "userPassword", values: [randomBytes(24).toString("hex")] }),
        }),
      ]);
      const resetCode = ldapResultCode(reset);
      add(
        "resetPassword",
        resetCode === 16 || resetCode === 19,
        resetCode === 50
          ? 'may not write userPassword: add `by dn.exact="<service DN>" =w` (or write) to the userPassword ACL'
          : `write access to userPassword (probe answered ${diagnosticText(reset) || resetCode})`,
      );
      const unlock = await probe([
        new Change({
          operation: "delete",
          modification: new Attribute({ type: "pwdAccountLockedTime", values: ["19700101000000Z"] }),
        }),
      ]);
      const unlockCode = ldapResultCode(unlock);
      add(
        "unlock",
        unlockCode === 16,
        unlockCode === 16
          ? "may clear pwdAccountLockedTime and set pwdReset (unlock, must-change)"
          : `may not manage pwdAccountLockedTime (${diagnosticText(unlock) || unlockCode}): grant \`manage\` on attrs=pwdAccountLockedTime,pwdReset`,
      );
    } else {
      // An unquoted value is refused by the password module only after the ACL check passed.
      const reset = await probe([
        new Change({
          operation: "replace",
          modification: new Attribute({ type: "unicodePwd", values: [Buffer.from("probe", "utf16le")] }),
        }),
      ]);
      const parts = parseADError(reset);
      const allowed = parts.code !== 50 && parts.code !== undefined;
      add(
        "resetPassword",
        allowed,
        allowed
          ? "holds the Reset Password right on user objects"
          : `lacks the Reset Password extended right on ${settings.userBase} (${parts.text}): delegate "Reset password" to the service account`,
      );
      if (settings.policyHints !== undefined && settings.policyHints !== "off") {
        // Informational: a CRITICAL hints control is refused with 12 by DCs that do not implement it (Samba < 4.24),
        // before any other check; the unquoted value guarantees nothing is written either way.
        const probeHints = await (async (): Promise<unknown> => {
          try {
            await client.modify(
              sample.dn,
              new Change({
                operation: "replace",
                modification: new Attribute({ type: "unicodePwd", values: [Buffer.from("probe", "utf16le")] }),
              }),
              new PolicyHintsControl({ oid: settings.policyHints as string, critical: true }),
            );
            return null;
          } catch (error) {
            return error;
          }
        })();
        const unsupported = ldapResultCode(probeHints) === 12;
        add(
          "policyHints",
          true,
          unsupported
            ? "this DC ignores the policy hints control (e.g. Samba < 4.24): password history and minimum age are enforced on changes, not on self-service resets"
            : "the DC implements the policy hints control: history and minimum age are enforced on resets too",
        );
      }
      const effective = allStrings(sample, "allowedAttributesEffective").map((a) => a.toLowerCase());
      add(
        "unlock",
        effective.includes("lockouttime"),
        effective.includes("lockouttime")
          ? "may write lockoutTime (unlock)"
          : "may not write lockoutTime: delegate read/write lockoutTime on user objects",
      );
      add(
        "mustChange",
        effective.includes("pwdlastset"),
        effective.includes("pwdlastset")
          ? "may write pwdLastSet (must change at next logon)"
          : "may not write pwdLastSet: delegate read/write pwdLastSet on user objects (needed for must-change resets)",
      );
    }
    return { ok: checks.every((c) => c.ok), checks };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * The rights check from a connector's settings (the `ldap` and `active-directory` connectors share it):
 * a one-connection pool as the service account, closed afterwards.
 */
export async function checkConfiguredRights(
  kind: RightsSettings["kind"],
  config: Config["directory"]["ldap"],
  deps: { log: Logger },
  options: { sampleUser?: string } = {},
): Promise<RightsReport> {
  const pool = createLDAPPool(
    {
      urls: config.urls,
      startTLS: config.startTLS,
      caFile: config.caFile,
      tlsRejectUnauthorized: config.tlsRejectUnauthorized,
      bindDN: config.bindDN,
      bindPassword: config.bindPassword,
      connectTimeoutMs: config.connectTimeoutMs,
      timeoutMs: config.timeoutMs,
      poolSize: 1,
    },
    { log: deps.log },
  );
  try {
    return await checkDirectoryRights(pool, {
      kind,
      bindDN: config.bindDN,
      bindPassword: config.bindPassword,
      userBase: config.userBase,
      userFilter: config.userFilter,
      userNameAttribute: config.userNameAttribute,
      groupBase: config.groupBase || config.userBase,
      groupFilter: config.groupFilter,
      protectedAccountFilter: config.protectedAccountFilter,
      ...(kind === "active-directory" ? { policyHints: config.policyHints } : {}),
      sampleUser: options.sampleUser,
    });
  } finally {
    await pool.close();
  }
}
