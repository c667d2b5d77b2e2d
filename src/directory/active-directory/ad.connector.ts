/**
 * The `active-directory` connector (SPEC §3), checked against Samba 4.17 and written for Windows DCs too.
 *
 * - password writes only over an encrypted connection (LDAPS or StartTLS): AD refuses `unicodePwd` otherwise,
 *   and we refuse before sending a password in clear (REQ-101);
 * - reset = ONE modify replacing `unicodePwd` ("quoted" UTF-16LE) with the LDAP_SERVER_POLICY_HINTS control
 *   (non-critical, so history and minimum age are enforced where the DC implements it — Windows, Samba ≥ 4.24;
 *   Samba 4.17 ignores it), plus `lockoutTime=0` / `pwdLastSet=0` in the same modify (no partial state);
 * - change = delete old + add new in one modify, bound as the user (REQ-102); a user who must change
 *   (bind `data 773`) cannot bind, so the service account sends the same delete+add (AD still checks the old
 *   password, history and age);
 * - status from userAccountControl, msDS-User-Account-Control-Computed, lockoutTime, accountExpires, pwdLastSet;
 * - nested groups with LDAP_MATCHING_RULE_IN_CHAIN; protected accounts (`adminCount=1`) refused (ADM-07);
 * - refusals recognised by AD's Win32 code (`0000052D` policy, `00000056` wrong password, bind `data 775`...),
 *   not by the LDAP result code, which differs between Samba (19) and Windows (53).
 */
import { AndFilter, Attribute, Change, type Entry, EqualityFilter, ExtensibleFilter, type Filter } from "ldapts";
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../kernel/clock.ts";
import type { Logger } from "../../kernel/logger.ts";
import type {
  AccountStatus,
  DirectoryConnector,
  DirectoryUser,
  PasswordWriteResult,
  UnlockResult,
} from "../connector.ts";
import { PolicyHintsControl, unicodePwd } from "../ldap-common/controls.ts";
import {
  AD_BIND_DATA,
  diagnosticText,
  mapADPasswordRefusal,
  parseADError,
  unavailable,
} from "../ldap-common/errors.ts";
import { guidFromString, guidToString } from "../ldap-common/escape.ts";
import { createLDAPPool, type LDAPConnection, UserBindRefused } from "../ldap-common/pool.ts";
import { checkConfiguredRights, type RightsReport } from "../ldap-common/rights.ts";
import { parseFileTime } from "../ldap-common/time.ts";
import { createUserDirectory, firstString, parseConfiguredFilter } from "../ldap-common/users.ts";

export type ADConfig = Config["directory"]["activeDirectory"];

export interface ADConnectorDeps {
  log: Logger;
  clock: Clock;
  [other: string]: unknown;
}

/** LDAP_MATCHING_RULE_IN_CHAIN: transitive membership evaluated by the DC. */
export const IN_CHAIN = "1.2.840.113556.1.4.1941";
const UF_ACCOUNTDISABLE = 0x2;
const UF_LOCKOUT = 0x10;
const UF_PASSWORD_EXPIRED = 0x800000;
const STATE_ATTRIBUTES = [
  "userAccountControl",
  "msDS-User-Account-Control-Computed",
  "lockoutTime",
  "accountExpires",
  "pwdLastSet",
  "adminCount",
];

export interface ADConnector extends DirectoryConnector {
  readonly kind: "active-directory";
}

export function objectGUIDOf(entry: Entry): string | null {
  const value = entry.objectGUID;
  const first = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(first) || first.length !== 16) return null;
  return guidToString(first);
}

export function createADConnector(config: ADConfig, deps: ADConnectorDeps): ADConnector {
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
      poolSize: config.poolSize,
    },
    { log: deps.log },
  );
  const groupBase = config.groupBase || config.userBase;
  const users = createUserDirectory(pool, {
    userBase: config.userBase,
    userFilter: config.userFilter,
    identifierAttributes: config.identifierAttributes,
    userNameAttribute: config.userNameAttribute,
    attributes: config.attributes,
    groupBase,
    groupFilter: config.groupFilter,
    groupNameAttribute: config.groupNameAttribute,
    idAttribute: "objectGUID",
    idOf: objectGUIDOf,
    idFilter: (id) => {
      const bytes = guidFromString(id);
      return bytes === null ? null : new EqualityFilter({ attribute: "objectGUID", value: bytes });
    },
  });
  const protectedFilter: Filter | null =
    config.protectedAccountFilter === ""
      ? null
      : parseConfiguredFilter(config.protectedAccountFilter, "protectedAccountFilter");
  const hints = config.policyHints === "off" ? null : config.policyHints;

  const userDN = (user: DirectoryUser): string => {
    if (user.dn === undefined || user.dn === "")
      throw unavailable("directory user has no DN (not from this connector)");
    return user.dn;
  };
  const requireEncrypted = (connection: LDAPConnection): void => {
    if (!connection.secure)
      throw unavailable("Active Directory password writes need an encrypted connection: use ldaps:// URLs or startTLS");
  };

  async function readState(
    connection: LDAPConnection,
    user: DirectoryUser,
  ): Promise<{ entry: Entry; status: AccountStatus }> {
    const dn = userDN(user);
    const entry = await users.readEntry(connection, dn, STATE_ATTRIBUTES);
    if (entry === null) throw unavailable("directory user no longer exists");
    const uac = Number(firstString(entry, "userAccountControl") ?? "0");
    const computed = Number(firstString(entry, "msDS-User-Account-Control-Computed") ?? "0");
    const lockoutTime = firstString(entry, "lockoutTime");
    const now = deps.clock.now().getTime();
    const accountExpires = parseFileTime(firstString(entry, "accountExpires"));
    const isProtected =
      protectedFilter !== null && (await users.readEntry(connection, dn, ["1.1"], protectedFilter)) !== null;
    return {
      entry,
      status: {
        enabled: (uac & UF_ACCOUNTDISABLE) === 0,
        // The computed flag honours the lockout duration; lockoutTime alone stays set after it elapsed.
        locked:
          firstString(entry, "msDS-User-Account-Control-Computed") !== null
            ? (computed & UF_LOCKOUT) !== 0
            : parseFileTime(lockoutTime) !== null,
        mustChangePassword: firstString(entry, "pwdLastSet") === "0",
        // pwdLastSet=0 also raises UF_PASSWORD_EXPIRED; that case is "must change", not "expired".
        expired:
          (accountExpires !== null && accountExpires.getTime() <= now) ||
          ((computed & UF_PASSWORD_EXPIRED) !== 0 && firstString(entry, "pwdLastSet") !== "0"),
        protectedAccount: isProtected,
      },
    };
  }

  const refusalOrThrow = (error: unknown, what: string): PasswordWriteResult => {
    const refusal = mapADPasswordRefusal(error);
    if (refusal !== null) {
      if (refusal.reason === "protected_account")
        deps.log.warn({ detail: refusal.detail }, `directory refused the ${what} (insufficient access)`);
      return refusal;
    }
    throw unavailable(`${what} failed`, error);
  };

  const changeModify = (current: string, next: string): Change[] => [
    new Change({
      operation: "delete",
      modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(current)] }),
    }),
    new Change({ operation: "add", modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(next)] }) }),
  ];

  const connector: ADConnector = {
    kind: "active-directory",
    findUser: (identifier) => users.findUser(identifier),
    getUser: (id) => users.getUser(id),
    findGroup: (name) => users.findGroup(name),
    listUsers: (options) => users.listUsers(options),
    async groupsOf(user) {
      const dn = userDN(user);
      return await pool.withService(
        async ({ client }) => {
          const result = await client.search(groupBase, {
            scope: "sub",
            filter: new AndFilter({
              filters: [
                users.groupFilter,
                new ExtensibleFilter({ matchType: config.groupMemberAttribute, rule: IN_CHAIN, value: dn }),
              ],
            }),
            attributes: ["objectGUID", config.groupNameAttribute],
            explicitBufferAttributes: ["objectGUID"],
            paged: { pageSize: 500 },
          });
          return result.searchEntries
            .map((entry) => users.groupRef(entry))
            .filter((g): g is NonNullable<typeof g> => g !== null)
            .sort((a, b) => a.name.localeCompare(b.name));
        },
        { retry: true },
      );
    },
    async membersOf(group, options) {
      const filter = users.userFilter;
      return await pool.withService(
        async (connection) => {
          const idFilter = guidFromString(group.id);
          if (idFilter === null) return [];
          const found = await connection.client.search(groupBase, {
            scope: "sub",
            filter: new AndFilter({
              filters: [users.groupFilter, new EqualityFilter({ attribute: "objectGUID", value: idFilter })],
            }),
            attributes: ["1.1"],
            sizeLimit: 1,
          });
          const groupDN = found.searchEntries[0]?.dn;
          if (groupDN === undefined) return [];
          const result = await connection.client.search(config.userBase, {
            scope: "sub",
            filter: new AndFilter({
              filters: [filter, new ExtensibleFilter({ matchType: "memberOf", rule: IN_CHAIN, value: groupDN })],
            }),
            attributes: users.userAttributes,
            explicitBufferAttributes: ["objectGUID"],
            sizeLimit: Math.max(1, options.limit),
          });
          return result.searchEntries
            .map((entry) => users.toUser(entry))
            .filter((u): u is DirectoryUser => u !== null)
            .slice(0, options.limit);
        },
        { retry: true },
      );
    },
    async status(user) {
      return await pool.withService(async (connection) => (await readState(connection, user)).status, { retry: true });
    },
    passwords: {
      async verify(user, password) {
        if (typeof password !== "string" || password === "") return false; // AD: an empty password is an unauthenticated bind
        try {
          return await pool.withUser(userDN(user), password, async () => true);
        } catch (error) {
          if (!(error instanceof UserBindRefused)) throw error;
          // 773: right password, must change at next logon; 532: right password, expired. The password is proven.
          const data = parseADError(error.ldapError).data;
          return data === "773" || data === "532";
        }
      },
      async change(user, current, next) {
        if (current === "") return { ok: false, reason: "wrong_current_password", detail: "empty current password" };
        const dn = userDN(user);
        try {
          return await pool.withUser(dn, current, async (connection) => {
            requireEncrypted(connection);
            try {
              await connection.client.modify(dn, changeModify(current, next));
              return { ok: true };
            } catch (error) {
              return refusalOrThrow(error, "password change");
            }
          });
        } catch (error) {
          if (!(error instanceof UserBindRefused)) throw error;
          const parts = parseADError(error.ldapError);
          if (parts.data === "773" || parts.data === "532") {
            // Must-change or expired: the user cannot bind, but a delete+add by any account is a CHANGE that AD
            // verifies (old password, history, age) — the service account sends it.
            return await pool.withService(async (connection) => {
              requireEncrypted(connection);
              try {
                await connection.client.modify(dn, changeModify(current, next));
                return { ok: true };
              } catch (writeError) {
                return refusalOrThrow(writeError, "password change");
              }
            });
          }
          const meaning = parts.data === undefined ? parts.text : (AD_BIND_DATA[parts.data] ?? parts.text);
          if (parts.data === "52e" || parts.data === "525" || parts.data === undefined)
            return { ok: false, reason: "wrong_current_password", detail: `bind refused: ${meaning}` };
          return { ok: false, reason: "policy", detail: `bind refused: ${meaning} (data ${parts.data})` };
        }
      },
      async reset(user, next, options) {
        const dn = userDN(user);
        return await pool.withService(async (connection) => {
          requireEncrypted(connection);
          const { status } = await readState(connection, user);
          if (status.protectedAccount)
            return {
              ok: false,
              reason: "protected_account",
              detail:
                "protected account (adminCount=1 / protectedAccountFilter): reset it with the domain's admin tools",
            };
          const changes = [
            new Change({
              operation: "replace",
              modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(next)] }),
            }),
          ];
          // Write only 0 to lockoutTime (Samba also stores 1, which reads as "not locked").
          if (options.unlock && status.locked)
            changes.push(
              new Change({ operation: "replace", modification: new Attribute({ type: "lockoutTime", values: ["0"] }) }),
            );
          if (options.mustChangeAtNextLogon)
            changes.push(
              new Change({ operation: "replace", modification: new Attribute({ type: "pwdLastSet", values: ["0"] }) }),
            );
          else if (status.mustChangePassword)
            changes.push(
              new Change({ operation: "replace", modification: new Attribute({ type: "pwdLastSet", values: ["-1"] }) }),
            );
          const controls = hints === null ? [] : [new PolicyHintsControl({ oid: hints, critical: false })];
          try {
            await connection.client.modify(dn, changes, controls);
            return { ok: true };
          } catch (error) {
            return refusalOrThrow(error, "password reset");
          }
        });
      },
    },
    async unlock(user): Promise<UnlockResult> {
      const dn = userDN(user);
      return await pool.withService(async (connection) => {
        const { status } = await readState(connection, user);
        if (status.protectedAccount)
          return { ok: false, reason: "refused", detail: "protected account (adminCount=1)" };
        if (!status.locked)
          return { ok: false, reason: "not_locked", detail: "lockoutTime is 0 or the lockout has expired" };
        try {
          await connection.client.modify(
            dn,
            new Change({ operation: "replace", modification: new Attribute({ type: "lockoutTime", values: ["0"] }) }),
          );
          return { ok: true };
        } catch (error) {
          const parts = parseADError(error);
          if (parts.code === 50) return { ok: false, reason: "refused", detail: `insufficient access: ${parts.text}` };
          throw unavailable("unlock failed", error);
        }
      });
    },
    async health() {
      try {
        await pool.withService(
          async (connection) => {
            await connection.client.search(config.userBase, { scope: "base", attributes: ["1.1"] });
            if (!connection.secure)
              throw unavailable("connection is not encrypted: password writes will be refused (use ldaps://)");
          },
          { retry: true },
        );
        return { ok: true };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : diagnosticText(error) };
      }
    },
    close: () => pool.close(),
  };
  return connector;
}

/**
 * `opensspr doctor`: can the configured service account bind, read users and groups, reset and unlock?
 * Each check explains what is missing. Changes nothing in the directory.
 */
export async function checkRights(
  config: ADConfig,
  deps: ADConnectorDeps,
  options: { sampleUser?: string } = {},
): Promise<RightsReport> {
  return checkConfiguredRights("active-directory", config, deps, options);
}
