/**
 * The `ldap` connector (SPEC §3): OpenLDAP / 389-DS behind `DirectoryConnector`.
 *
 * - users: configured base + filter + identifier attributes, exactly one match (REQ-099/100); id = entryUUID;
 * - groups: `memberOf` or a group search, nested groups followed breadth-first (cycles ignored, depth capped);
 * - reset by the service account: RFC 3062 Password Modify or a `userPassword` replace, with the ppolicy
 *   control so quality/length/history refusals come back as reasons; then unlock and `pwdReset` in one modify;
 * - change as the user: bind with the current password, then Password Modify (old + new) or delete+add;
 * - ppolicy state: `pwdAccountLockedTime` (locked; `000001010000Z` = administratively disabled), `pwdReset`
 *   (must change), `pwdChangedTime` + `pwdMaxAge` (expired).
 * The service account must not be the rootdn: the rootdn bypasses ppolicy (REQ-104, docs/directories.md).
 */
import { AndFilter, Attribute, Change, type Entry, EqualityFilter, type Filter, OrFilter } from "ldapts";
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../kernel/clock.ts";
import type { Logger } from "../../kernel/logger.ts";
import type {
  AccountStatus,
  DirectoryConnector,
  DirectoryUser,
  GroupRef,
  PasswordWriteResult,
  ResetOptions,
  UnlockResult,
} from "../connector.ts";
import { PASSWORD_MODIFY_OID, PasswordPolicyControl, passwordModifyValue } from "../ldap-common/controls.ts";
import { diagnosticText, ldapResultCode, mapLDAPPasswordRefusal, unavailable } from "../ldap-common/errors.ts";
import { isGUIDString } from "../ldap-common/escape.ts";
import { createLDAPPool, type LDAPConnection, UserBindRefused } from "../ldap-common/pool.ts";
import { checkConfiguredRights, type RightsReport } from "../ldap-common/rights.ts";
import { parseGeneralizedTime } from "../ldap-common/time.ts";
import {
  allStrings,
  createUserDirectory,
  firstString,
  parseConfiguredFilter,
  type UserDirectory,
} from "../ldap-common/users.ts";

export type LDAPConfig = Config["directory"]["ldap"];

export interface LDAPConnectorDeps {
  log: Logger;
  clock: Clock;
  /** The factory passes the whole registry slice; only the members above are used. */
  [other: string]: unknown;
}

/** `pwdAccountLockedTime` value meaning "locked until an administrator unlocks" (ppolicy: disabled). */
const PERMANENT_LOCK = "000001010000Z";
const STATE_ATTRIBUTES = ["pwdAccountLockedTime", "pwdReset", "pwdFailureTime", "pwdChangedTime", "pwdPolicySubentry"];
const POLICY_CACHE_MS = 60_000;
/**
 * A reset flow reads the same user (by id) and their nested groups at every step. Those reads are cached
 * briefly per connector: a user by id (primed by `findUser`), dropped as soon as this connector writes to
 * that user; nested groups by DN. Account STATE (locked, disabled, must-change) is never cached, nor is the
 * identify look-up itself (REQ-100 uniqueness is checked on every `findUser`). A directory-side change of a
 * user's contact attributes or group membership is seen within `READ_CACHE_MS`.
 */
const READ_CACHE_MS = 30_000;
const READ_CACHE_MAX = 10_000;

/** A small TTL map: entries expire after `ttlMs` by the injected clock; the oldest go first when full. */
function ttlCache<V>(ttlMs: number, max: number, now: () => number) {
  const entries = new Map<string, { at: number; value: V }>();
  return {
    get(key: string): V | undefined {
      const hit = entries.get(key);
      if (hit === undefined) return undefined;
      if (now() - hit.at >= ttlMs || now() < hit.at) {
        entries.delete(key);
        return undefined;
      }
      return hit.value;
    },
    set(key: string, value: V): void {
      entries.delete(key);
      if (entries.size >= max) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { at: now(), value });
    },
    delete(key: string): void {
      entries.delete(key);
    },
  };
}

interface PPolicy {
  lockoutDurationSeconds: number;
  maxAgeSeconds: number;
}

export interface LDAPConnector extends DirectoryConnector {
  readonly kind: "ldap";
}

export function createLDAPConnector(config: LDAPConfig, deps: LDAPConnectorDeps): LDAPConnector {
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
  const users = createUserDirectory(pool, {
    userBase: config.userBase,
    userFilter: config.userFilter,
    identifierAttributes: config.identifierAttributes,
    userNameAttribute: config.userNameAttribute,
    attributes: config.attributes,
    groupBase: config.groupBase || config.userBase,
    groupFilter: config.groupFilter,
    groupNameAttribute: config.groupNameAttribute,
    idAttribute: "entryUUID",
    idOf: (entry) => {
      const id = firstString(entry, "entryUUID");
      return id === null ? null : id.toLowerCase();
    },
    idFilter: (id) =>
      isGUIDString(id) ? new EqualityFilter({ attribute: "entryUUID", value: id.toLowerCase() }) : null,
  });
  const protectedFilter: Filter | null =
    config.protectedAccountFilter === ""
      ? null
      : parseConfiguredFilter(config.protectedAccountFilter, "protectedAccountFilter");
  const groupBase = config.groupBase || config.userBase;
  const policyCache = new Map<string, { at: number; policy: PPolicy }>();
  const clockMs = (): number => deps.clock.now().getTime();
  /** User by id (lower-case entryUUID); `null` is not cached (an unknown id is looked up every time). */
  const userCache = ttlCache<DirectoryUser>(READ_CACHE_MS, READ_CACHE_MAX, clockMs);
  /** Nested groups by lower-case user DN. */
  const groupCache = ttlCache<GroupRef[]>(READ_CACHE_MS, READ_CACHE_MAX, clockMs);
  const remember = (user: DirectoryUser | null): DirectoryUser | null => {
    if (user !== null) userCache.set(user.id, user);
    return user;
  };
  /** After a write to a user: their next read goes to the directory. */
  const forget = (user: DirectoryUser): void => {
    userCache.delete(user.id);
  };

  const userDN = (user: DirectoryUser): string => {
    if (user.dn === undefined || user.dn === "")
      throw unavailable("directory user has no DN (not from this connector)");
    return user.dn;
  };

  async function readPolicy(connection: LDAPConnection, dn: string): Promise<PPolicy> {
    const cached = policyCache.get(dn);
    const now = deps.clock.now().getTime();
    if (cached !== undefined && now - cached.at < POLICY_CACHE_MS) return cached.policy;
    const entry = await users.readEntry(connection, dn, ["pwdLockoutDuration", "pwdMaxAge"]).catch(() => null);
    const policy = {
      lockoutDurationSeconds: Number(firstString(entry ?? { dn }, "pwdLockoutDuration") ?? "0"),
      maxAgeSeconds: Number(firstString(entry ?? { dn }, "pwdMaxAge") ?? "0"),
    };
    policyCache.set(dn, { at: now, policy });
    return policy;
  }

  async function readState(
    connection: LDAPConnection,
    user: DirectoryUser,
  ): Promise<{ entry: Entry; status: AccountStatus }> {
    const dn = userDN(user);
    const entry = await users.readEntry(connection, dn, STATE_ATTRIBUTES);
    if (entry === null) throw unavailable("directory user no longer exists");
    const policyDN = firstString(entry, "pwdPolicySubentry") ?? config.passwordPolicyDN;
    const policy =
      policyDN === "" ? { lockoutDurationSeconds: 0, maxAgeSeconds: 0 } : await readPolicy(connection, policyDN);
    const now = deps.clock.now().getTime();
    const lockedAt = firstString(entry, "pwdAccountLockedTime");
    const permanentlyLocked = lockedAt === PERMANENT_LOCK;
    let locked = false;
    if (lockedAt !== null && !permanentlyLocked) {
      const at = parseGeneralizedTime(lockedAt);
      locked =
        policy.lockoutDurationSeconds === 0 || at === null || at.getTime() + policy.lockoutDurationSeconds * 1000 > now;
    }
    const changedAt = parseGeneralizedTime(firstString(entry, "pwdChangedTime") ?? "");
    const expired =
      policy.maxAgeSeconds > 0 && changedAt !== null && changedAt.getTime() + policy.maxAgeSeconds * 1000 <= now;
    const isProtected =
      protectedFilter !== null && (await users.readEntry(connection, dn, ["1.1"], protectedFilter)) !== null;
    return {
      entry,
      status: {
        enabled: !permanentlyLocked,
        locked,
        mustChangePassword: firstString(entry, "pwdReset")?.toUpperCase() === "TRUE",
        expired,
        protectedAccount: isProtected,
      },
    };
  }

  /** Writes the password; a directory refusal comes back as a result, anything else throws. */
  async function writePassword(
    connection: LDAPConnection,
    dn: string,
    next: string,
    options: { current?: string },
  ): Promise<PasswordWriteResult> {
    const control = new PasswordPolicyControl();
    try {
      if (config.passwordWrite === "passwordModify") {
        await connection.client.exop(
          PASSWORD_MODIFY_OID,
          passwordModifyValue({
            userDN: dn,
            newPassword: next,
            ...(options.current === undefined ? {} : { oldPassword: options.current }),
          }),
          control,
        );
      } else if (options.current === undefined) {
        await connection.client.modify(
          dn,
          new Change({ operation: "replace", modification: new Attribute({ type: "userPassword", values: [next] }) }),
          control,
        );
      } else {
        await connection.client.modify(
          dn,
          [
            new Change({
              operation: "delete",
              modification: new Attribute({ type: "userPassword", values: [options.current] }),
            }),
            new Change({ operation: "add", modification: new Attribute({ type: "userPassword", values: [next] }) }),
          ],
          control,
        );
      }
      return { ok: true };
    } catch (error) {
      const refusal = mapLDAPPasswordRefusal(error, control.error);
      if (refusal !== null) return refusal;
      const code = ldapResultCode(error);
      if (code === 50) {
        // The directory's ACL refuses this entry: a protected account, or the service account lacks rights (doctor says which).
        deps.log.warn(
          { code, detail: diagnosticText(error) },
          "directory refused the password write (insufficient access)",
        );
        return {
          ok: false,
          reason: "protected_account",
          detail: `insufficient access: ${diagnosticText(error)} (LDAP 50)`,
        };
      }
      if (code === 16 && options.current !== undefined) {
        return { ok: false, reason: "wrong_current_password", detail: `${diagnosticText(error)} (LDAP 16)` };
      }
      if (code !== undefined) throw unavailable(`password write failed (LDAP ${code})`, error);
      throw error;
    }
  }

  async function nestedGroups(connection: LDAPConnection, dn: string): Promise<GroupRef[]> {
    const found = new Map<string, GroupRef>();
    const seen = new Set<string>([dn.toLowerCase()]);
    if (config.groupMembership === "memberOf") {
      let frontier = [dn];
      for (let depth = 0; depth < config.maxGroupDepth && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const member of frontier) {
          const entry = await users.readEntry(connection, member, ["memberOf"]);
          for (const groupDN of allStrings(entry ?? { dn: member }, "memberOf")) {
            if (seen.has(groupDN.toLowerCase())) continue;
            seen.add(groupDN.toLowerCase());
            const group = await users.readEntry(
              connection,
              groupDN,
              ["entryUUID", config.groupNameAttribute],
              users.groupFilter,
            );
            const ref = group === null ? null : users.groupRef(group);
            if (ref !== null) found.set(ref.id, ref);
            next.push(groupDN);
          }
        }
        frontier = next;
      }
    } else {
      let frontier = [dn];
      for (let depth = 0; depth < config.maxGroupDepth && frontier.length > 0; depth++) {
        const result = await connection.client.search(groupBase, {
          scope: "sub",
          filter: new AndFilter({
            filters: [
              users.groupFilter,
              new OrFilter({
                filters: frontier.map((value) => new EqualityFilter({ attribute: config.groupMemberAttribute, value })),
              }),
            ],
          }),
          attributes: ["entryUUID", config.groupNameAttribute],
          paged: { pageSize: 500 },
        });
        const next: string[] = [];
        for (const entry of result.searchEntries) {
          if (seen.has(entry.dn.toLowerCase())) continue;
          seen.add(entry.dn.toLowerCase());
          const ref = users.groupRef(entry);
          if (ref !== null) found.set(ref.id, ref);
          next.push(entry.dn);
        }
        frontier = next;
      }
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  const connector: LDAPConnector = {
    kind: "ldap",
    findUser: async (identifier) => remember(await users.findUser(identifier)),
    async getUser(id) {
      const cached = typeof id === "string" ? userCache.get(id.toLowerCase()) : undefined;
      if (cached !== undefined) return { ...cached };
      return remember(await users.getUser(id));
    },
    findGroup: (name) => users.findGroup(name),
    listUsers: (options) => users.listUsers(options),
    async groupsOf(user) {
      const dn = userDN(user);
      const key = dn.toLowerCase();
      const cached = groupCache.get(key);
      if (cached !== undefined) return cached.map((group) => ({ ...group }));
      const groups = await pool.withService((connection) => nestedGroups(connection, dn), { retry: true });
      groupCache.set(key, groups);
      return groups.map((group) => ({ ...group }));
    },
    async membersOf(group, options) {
      return await pool.withService(
        async (connection) =>
          membersOf(connection, users, group, {
            ...options,
            groupBase,
            memberAttribute: config.groupMemberAttribute,
            maxDepth: config.maxGroupDepth,
          }),
        { retry: true },
      );
    },
    async status(user) {
      return await pool.withService(async (connection) => (await readState(connection, user)).status, { retry: true });
    },
    passwords: {
      async verify(user, password) {
        if (typeof password !== "string" || password === "") return false; // an empty password would be an anonymous bind
        try {
          return await pool.withUser(userDN(user), password, async () => true);
        } catch (error) {
          if (error instanceof UserBindRefused) return false;
          throw error;
        }
      },
      async change(user, current, next) {
        if (current === "") return { ok: false, reason: "wrong_current_password", detail: "empty current password" };
        const dn = userDN(user);
        const bindControl = new PasswordPolicyControl();
        forget(user);
        try {
          return await pool.withUser(dn, current, (connection) => writePassword(connection, dn, next, { current }), [
            bindControl,
          ]);
        } catch (error) {
          if (!(error instanceof UserBindRefused)) throw error;
          if (bindControl.error === "accountLocked")
            return { ok: false, reason: "policy", detail: "account locked (ppolicy accountLocked)" };
          return {
            ok: false,
            reason: "wrong_current_password",
            detail: `bind refused: ${diagnosticText(error.ldapError) || "invalid credentials"} (LDAP ${ldapResultCode(error.ldapError) ?? "?"})`,
          };
        } finally {
          forget(user);
        }
      },
      async reset(user, next, options: ResetOptions) {
        const dn = userDN(user);
        forget(user);
        return await pool
          .withService<PasswordWriteResult>(async (connection) => {
            // Only the protected-account check matters before the write (no state read, no policy read).
            if (protectedFilter !== null && (await users.readEntry(connection, dn, ["1.1"], protectedFilter)) !== null)
              return {
                ok: false,
                reason: "protected_account",
                detail: "matches directory.ldap.protectedAccountFilter",
              };
            const written = await writePassword(connection, dn, next, {});
            if (!written.ok) return written;
            // ppolicy may itself have cleared failures or set pwdReset: decide on the state after the write.
            const after = await users.readEntry(connection, dn, STATE_ATTRIBUTES);
            const changes: Change[] = [];
            const lockedAt = after === null ? null : firstString(after, "pwdAccountLockedTime");
            if (options.unlock && lockedAt !== null && lockedAt !== PERMANENT_LOCK) {
              changes.push(
                new Change({ operation: "delete", modification: new Attribute({ type: "pwdAccountLockedTime" }) }),
              );
            }
            const resetFlag = after === null ? null : firstString(after, "pwdReset");
            if (options.mustChangeAtNextLogon) {
              changes.push(
                new Change({
                  operation: "replace",
                  modification: new Attribute({ type: "pwdReset", values: ["TRUE"] }),
                }),
              );
            } else if (resetFlag !== null) {
              changes.push(new Change({ operation: "delete", modification: new Attribute({ type: "pwdReset" }) }));
            }
            if (changes.length > 0) await connection.client.modify(dn, changes);
            return { ok: true };
          })
          .finally(() => forget(user));
      },
    },
    async unlock(user): Promise<UnlockResult> {
      const dn = userDN(user);
      forget(user);
      return await pool
        .withService<UnlockResult>(async (connection) => {
          const { status } = await readState(connection, user);
          if (status.protectedAccount)
            return { ok: false, reason: "refused", detail: "protected account (protectedAccountFilter)" };
          if (!status.enabled)
            return {
              ok: false,
              reason: "refused",
              detail: `administratively locked (pwdAccountLockedTime ${PERMANENT_LOCK})`,
            };
          if (!status.locked) return { ok: false, reason: "not_locked", detail: "no active pwdAccountLockedTime" };
          // ppolicy clears pwdFailureTime itself when pwdAccountLockedTime is deleted (checked on slapd 2.5).
          const changes = [
            new Change({ operation: "delete", modification: new Attribute({ type: "pwdAccountLockedTime" }) }),
          ];
          try {
            await connection.client.modify(dn, changes);
          } catch (error) {
            const code = ldapResultCode(error);
            if (code === 50)
              return { ok: false, reason: "refused", detail: `insufficient access: ${diagnosticText(error)}` };
            throw error;
          }
          return { ok: true };
        })
        .finally(() => forget(user));
    },
    async health() {
      try {
        await pool.withService(
          async ({ client }) => {
            await client.search(config.userBase, { scope: "base", attributes: ["1.1"] });
          },
          { retry: true },
        );
        return { ok: true };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
    close: () => pool.close(),
  };
  return connector;
}

/** Members of a group, nested resolved: one paged read of all groups, then a walk down from `group`. */
export async function membersOf(
  connection: LDAPConnection,
  users: UserDirectory,
  group: GroupRef,
  options: { limit: number; groupBase: string; memberAttribute: string; maxDepth: number; idAttribute?: string },
): Promise<DirectoryUser[]> {
  const idAttribute = options.idAttribute ?? "entryUUID";
  const all = await connection.client.search(options.groupBase, {
    scope: "sub",
    filter: users.groupFilter,
    attributes: [idAttribute, options.memberAttribute],
    explicitBufferAttributes: idAttribute === "objectGUID" ? ["objectGUID"] : [],
    paged: { pageSize: 500 },
  });
  const membersByGroup = new Map<string, string[]>();
  let start: string | null = null;
  for (const entry of all.searchEntries) {
    membersByGroup.set(entry.dn.toLowerCase(), allStrings(entry, options.memberAttribute));
    if (users.idOf(entry) === group.id) start = entry.dn.toLowerCase();
  }
  if (start === null) return [];
  const seen = new Set<string>([start]);
  const userDNs: string[] = [];
  let frontier = [start];
  for (let depth = 0; depth < options.maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const groupDN of frontier) {
      for (const member of membersByGroup.get(groupDN) ?? []) {
        const key = member.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        if (membersByGroup.has(key)) next.push(key);
        else userDNs.push(member);
      }
    }
    frontier = next;
  }
  const result: DirectoryUser[] = [];
  for (const dn of userDNs.sort()) {
    if (result.length >= options.limit) break;
    const entry = await users.readEntry(connection, dn, users.userAttributes, users.userFilter);
    const user = entry === null ? null : users.toUser(entry);
    if (user !== null) result.push(user);
  }
  return result;
}

/**
 * `opensspr doctor`: can the configured service account bind, read users and groups, reset and unlock?
 * Each check explains what is missing. Changes nothing in the directory.
 */
export async function checkRights(
  config: LDAPConfig,
  deps: LDAPConnectorDeps,
  options: { sampleUser?: string } = {},
): Promise<RightsReport> {
  return checkConfiguredRights("ldap", config, deps, options);
}
