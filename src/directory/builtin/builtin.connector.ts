/**
 * The builtin directory (SPEC §3 "builtin"): users, groups and argon2id password hashes in OpenSSPR's own store.
 * It behaves like a small directory: nested groups, lockout after repeated wrong passwords, "must change at next
 * logon", password history. Passes `directory/contract/connector.contract.ts`.
 */
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../kernel/clock.ts";
import type { Logger } from "../../kernel/logger.ts";
import { dummyPasswordHash, type PasswordHasher } from "../../kernel/passwords.ts";
import { hmacHex, safeEqual } from "../../kernel/secrets.ts";
import { DEFAULT_POLICY } from "../../policy/policy.types.ts";
import type { BuiltinDirectoryStore, BuiltinUserRow, Stores } from "../../store/types.ts";
import type {
  AccountStatus,
  DirectoryConnector,
  DirectoryUser,
  GroupRef,
  PasswordWriteResult,
  UnlockResult,
} from "../connector.ts";

/** Wrong passwords in a row that lock a builtin account (Entra smart lockout's default threshold, THR-11). */
export const BUILTIN_LOCKOUT_THRESHOLD = 10;
/** Longest password the builtin directory hashes (REQ-051: bounded hash input). */
export const MAX_PASSWORD_BYTES = 1024;
/** Identifiers longer than this cannot exist (user names ≤ 64, emails ≤ 254): not looked up. */
const MAX_IDENTIFIER_LENGTH = 256;

export type BuiltinConnectorDeps = {
  stores: Pick<Stores, "builtin" | "policy">;
  hasher: PasswordHasher;
  clock: Clock;
  log?: Logger;
  config?: Pick<Config, "directory">;
  /**
   * `KeyRing.passwordHistory`: history entries become keyed fingerprints, so checking the last N passwords is
   * N HMAC comparisons rather than N argon2 verifications. Without it history keeps argon2 hashes (slower).
   */
  historyKey?: Buffer;
};

const FINGERPRINT_PREFIX = "hmac-sha256:";

/**
 * `hmac-sha256:<set at, epoch ms>:<HMAC(key, user id, password)>`. The time ties the entry to
 * `passwordChangedAt`, which tells whether the CURRENT password has a fingerprint (accounts created before
 * fingerprints, or by a direct store write, fall back to one argon2 verification of the current hash).
 */
export function historyFingerprint(key: Buffer, userId: string, password: string, at: Date): string {
  return `${FINGERPRINT_PREFIX}${at.getTime()}:${hmacHex(key, "password-history", userId, password)}`;
}

function fingerprintMatches(entry: string, key: Buffer, userId: string, password: string): boolean {
  const digest = entry.slice(entry.lastIndexOf(":") + 1);
  return safeEqual(digest, hmacHex(key, "password-history", userId, password));
}

function fingerprintTime(entry: string): number {
  return Number(entry.slice(FINGERPRINT_PREFIX.length, entry.lastIndexOf(":")));
}

export function toDirectoryUser(row: BuiltinUserRow): DirectoryUser {
  return {
    id: row.id,
    userName: row.userName,
    displayName: row.displayName,
    email: row.email,
    mobile: row.mobile,
    officePhone: row.officePhone,
  };
}

/** Every group containing `start` directly or through other groups; cycle-safe (each group visited once). */
export async function ancestorGroupIds(
  store: Pick<BuiltinDirectoryStore, "parentGroups">,
  start: { kind: "user" | "group"; id: string },
): Promise<string[]> {
  const seen = new Set<string>();
  let frontier = await store.parentGroups(start);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      if (seen.has(id)) continue;
      seen.add(id);
      next.push(...(await store.parentGroups({ kind: "group", id })));
    }
    frontier = next;
  }
  return [...seen];
}

/** `policy.passwords.historyCount` of the saved policy (the default before any save). */
async function historyCount(stores: Pick<Stores, "policy">): Promise<number> {
  const row = await stores.policy.current();
  const doc = row?.document as { passwords?: { historyCount?: unknown } } | undefined;
  const value = doc?.passwords?.historyCount;
  return typeof value === "number" && Number.isInteger(value) && value >= 0
    ? value
    : DEFAULT_POLICY.passwords.historyCount;
}

export function createBuiltinConnector(deps: BuiltinConnectorDeps): DirectoryConnector {
  const store = deps.stores.builtin;

  const tooLong = (password: string): boolean => Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES;

  /** Verifies against the dummy hash so unknown, disabled and locked accounts cost the same time. */
  const burnVerify = async (): Promise<false> => {
    await deps.hasher.verify(await dummyPasswordHash(deps.hasher), "not-the-password");
    return false;
  };

  /**
   * The new password may not be the current one or one of the previous `historyCount - 1` (history counts the
   * current password, as AD's "passwords remembered" does). Argon2 verifications run in parallel.
   */
  const reusesHistory = async (row: BuiltinUserRow, next: string, count: number): Promise<boolean> => {
    if (count === 0) return false;
    const key = deps.historyKey;
    if (key === undefined) {
      const previous = await store.passwordHistory(row.id, Math.max(count - 1, 0));
      const hashes = [row.passwordHash, ...previous].filter((h): h is string => h !== null);
      const matches = await Promise.all(hashes.map((h) => deps.hasher.verify(h, next)));
      return matches.some(Boolean);
    }
    // With fingerprints the history holds the current password too (`count` entries).
    const entries = await store.passwordHistory(row.id, count);
    const fingerprints = entries.filter((e) => e.startsWith(FINGERPRINT_PREFIX));
    if (fingerprints.some((e) => fingerprintMatches(e, key, row.id, next))) return true;
    const currentCovered =
      row.passwordChangedAt !== null &&
      fingerprints.some((e) => fingerprintTime(e) === row.passwordChangedAt?.getTime());
    // Older argon2 entries (and an uncovered current hash) still need the slow check.
    const slow = entries.filter((e) => !e.startsWith(FINGERPRINT_PREFIX)).slice(0, Math.max(count - 1, 0));
    if (!currentCovered && row.passwordHash !== null) slow.unshift(row.passwordHash);
    const matches = await Promise.all(slow.map((h) => deps.hasher.verify(h, next)));
    return matches.some(Boolean);
  };

  const write = async (
    row: BuiltinUserRow,
    next: string,
    options: { mustChange: boolean; keepLock: boolean },
  ): Promise<PasswordWriteResult> => {
    if (next.length === 0) return { ok: false, reason: "too_short", detail: "empty password" };
    if (tooLong(next))
      return { ok: false, reason: "policy", detail: `password longer than ${MAX_PASSWORD_BYTES} bytes` };
    const count = await historyCount(deps.stores);
    if (await reusesHistory(row, next, count)) {
      return { ok: false, reason: "history", detail: "password matches the current or a remembered password" };
    }
    const at = deps.clock.now();
    const key = deps.historyKey;
    await store.setPassword(row.id, await deps.hasher.hash(next), {
      at,
      mustChange: options.mustChange,
      ...(key === undefined
        ? { keepHistory: Math.max(count - 1, 0) }
        : { keepHistory: count, historyEntry: historyFingerprint(key, row.id, next, at) }),
    });
    // setPassword clears the lockout; a reset that was asked not to unlock puts it back.
    if (options.keepLock && row.lockedAt !== null) {
      await store.updateUser(row.id, { lockedAt: row.lockedAt, failedLogins: row.failedLogins, updatedAt: at });
    }
    return { ok: true };
  };

  const verify = async (user: DirectoryUser, password: string): Promise<boolean> => {
    const row = await store.getUser(user.id);
    if (row === null || row.passwordHash === null || !row.enabled || row.lockedAt !== null || tooLong(password)) {
      return burnVerify();
    }
    const ok = await deps.hasher.verify(row.passwordHash, password);
    const at = deps.clock.now();
    if (ok) {
      if (row.failedLogins > 0) await store.updateUser(row.id, { failedLogins: 0, updatedAt: at });
      return true;
    }
    const failedLogins = row.failedLogins + 1;
    await store.updateUser(row.id, {
      failedLogins,
      lockedAt: failedLogins >= BUILTIN_LOCKOUT_THRESHOLD ? at : null,
      updatedAt: at,
    });
    return false;
  };

  return {
    kind: "builtin",

    async findUser(identifier: string): Promise<DirectoryUser | null> {
      if (typeof identifier !== "string") return null;
      const trimmed = identifier.trim();
      if (trimmed === "" || trimmed.length > MAX_IDENTIFIER_LENGTH) return null;
      const row = await store.findUser(trimmed);
      return row === null ? null : toDirectoryUser(row);
    },

    async getUser(id: string): Promise<DirectoryUser | null> {
      if (typeof id !== "string" || id === "" || id.length > MAX_IDENTIFIER_LENGTH) return null;
      const row = await store.getUser(id);
      return row === null ? null : toDirectoryUser(row);
    },

    async groupsOf(user: DirectoryUser): Promise<GroupRef[]> {
      const ids = await ancestorGroupIds(store, { kind: "user", id: user.id });
      const groups = await Promise.all(ids.map((id) => store.getGroup(id)));
      return groups
        .filter((g) => g !== null)
        .map((g) => ({ id: g.id, name: g.name }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async findGroup(name: string): Promise<GroupRef | null> {
      if (typeof name !== "string" || name.trim() === "" || name.length > MAX_IDENTIFIER_LENGTH) return null;
      const row = await store.findGroupByName(name);
      return row === null ? null : { id: row.id, name: row.name };
    },

    async membersOf(group: GroupRef, options: { limit: number }): Promise<DirectoryUser[]> {
      const users = new Map<string, DirectoryUser>();
      const seenGroups = new Set<string>([group.id]);
      let frontier = [group.id];
      while (frontier.length > 0 && users.size < options.limit) {
        const next: string[] = [];
        for (const groupId of frontier) {
          for (const member of await store.members(groupId)) {
            if (member.kind === "group") {
              if (!seenGroups.has(member.id)) {
                seenGroups.add(member.id);
                next.push(member.id);
              }
            } else if (!users.has(member.id) && users.size < options.limit) {
              const row = await store.getUser(member.id);
              if (row !== null) users.set(row.id, toDirectoryUser(row));
            }
          }
        }
        frontier = next;
      }
      return [...users.values()];
    },

    async listUsers(options) {
      const { rows, total } = await store.listUsers({
        offset: Math.max(0, options.offset),
        limit: Math.max(1, Math.min(options.limit, 1000)),
        ...(options.search === undefined ? {} : { search: options.search }),
      });
      return { users: rows.map(toDirectoryUser), total };
    },

    async status(user: DirectoryUser): Promise<AccountStatus> {
      const row = await store.getUser(user.id);
      if (row === null) {
        return { enabled: false, locked: false, mustChangePassword: false, expired: false, protectedAccount: false };
      }
      return {
        enabled: row.enabled,
        locked: row.lockedAt !== null,
        mustChangePassword: row.mustChangePassword,
        expired: false,
        protectedAccount: false,
      };
    },

    passwords: {
      verify,

      async change(user, current, next): Promise<PasswordWriteResult> {
        // The current password is checked like a sign-in (it counts towards the lockout).
        if (!(await verify(user, current))) {
          return { ok: false, reason: "wrong_current_password", detail: "the current password did not verify" };
        }
        const row = await store.getUser(user.id);
        if (row === null) return { ok: false, reason: "wrong_current_password", detail: "account vanished" };
        return write(row, next, { mustChange: false, keepLock: false });
      },

      async reset(user, next, options): Promise<PasswordWriteResult> {
        const row = await store.getUser(user.id);
        if (row === null) return { ok: false, reason: "policy", detail: "no such builtin account" };
        return write(row, next, { mustChange: options.mustChangeAtNextLogon, keepLock: !options.unlock });
      },
    },

    async unlock(user: DirectoryUser): Promise<UnlockResult> {
      const row = await store.getUser(user.id);
      if (row === null) return { ok: false, reason: "refused", detail: "no such builtin account" };
      if (row.lockedAt === null) return { ok: false, reason: "not_locked", detail: "the account is not locked" };
      await store.updateUser(row.id, { lockedAt: null, failedLogins: 0, updatedAt: deps.clock.now() });
      return { ok: true };
    },

    async health() {
      try {
        await store.listUsers({ offset: 0, limit: 1 });
        return { ok: true };
      } catch (error) {
        deps.log?.warn({ err: error }, "builtin directory health check failed");
        return { ok: false, detail: "the builtin directory store is not reachable" };
      }
    },
  };
}
