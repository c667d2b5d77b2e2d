/**
 * First-run administrator (builtin directory). When nobody is in the admin groups yet, `serve` prints a
 * one-time setup link; `/admin/setup` lets whoever holds it create the first administrator, who then
 * registers two methods before entering the admin portal.
 *
 * The token is 256 random bits, stored only as an HMAC digest with a 24 h expiry, consumed with a single-use
 * guard (two racing submissions cannot both create an administrator), and refused as soon as any
 * administrator exists. URL logging redacts `token` (server.ts) and pages send `Referrer-Policy: no-referrer`.
 */
import { createBuiltinAdmin } from "../../directory/builtin/builtin-admin.service.ts";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError } from "../../errors/app-error.ts";
import { addSeconds, DAY_MS } from "../../kernel/clock.ts";
import { token } from "../../kernel/random.ts";
import { hmacHex, safeEqual } from "../../kernel/secrets.ts";
import type { Registry, RequestContext } from "../../registry.types.ts";

export const SETUP_SETTINGS_KEY = "admin.setup";
export const SETUP_TTL_MS = DAY_MS;

interface SetupRecord {
  digest: string;
  expiresAt: string;
}

function digestOf(registry: Pick<Registry, "keys">, value: string): string {
  return hmacHex(registry.keys.tokenDigest, "admin-setup", value);
}

/** Whether any member (nested) of the configured admin groups exists in the directory. */
export async function administratorExists(registry: Pick<Registry, "config" | "directory">): Promise<boolean> {
  for (const name of registry.config.directory.adminGroups) {
    const group = await registry.directory.findGroup(name);
    if (group === null) continue;
    if (registry.directory.membersOf === undefined) return true; // cannot tell: never offer a setup link
    if ((await registry.directory.membersOf(group, { limit: 1 })).length > 0) return true;
  }
  return false;
}

/**
 * Creates a fresh one-time setup link when there is no administrator (builtin directory only), replacing any
 * previous link. Returns null when an administrator exists or the directory is LDAP/AD (whose admin groups
 * are managed in the directory itself).
 */
export async function createFirstRunLink(registry: Registry): Promise<string | null> {
  if (registry.directory.kind !== "builtin") return null;
  if (await administratorExists(registry)) return null;
  const value = token(registry.random, 32);
  const now = registry.clock.now();
  const record: SetupRecord = {
    digest: digestOf(registry, value),
    expiresAt: addSeconds(now, SETUP_TTL_MS / 1000).toISOString(),
  };
  await registry.stores.settings.set(SETUP_SETTINGS_KEY, record, now);
  const base = registry.config.server.publicUrl.replace(/\/+$/, "");
  return `${base}/admin/setup?token=${encodeURIComponent(value)}`;
}

/** Whether `presented` is the current, unexpired setup token and still no administrator exists. */
export async function isValidSetupToken(registry: Registry, presented: unknown): Promise<boolean> {
  if (typeof presented !== "string" || presented.length === 0 || presented.length > 100) return false;
  const record = await registry.stores.settings.get<SetupRecord>(SETUP_SETTINGS_KEY);
  if (record === null || typeof record.digest !== "string") return false;
  if (Date.parse(record.expiresAt) <= registry.clock.now().getTime()) return false;
  if (!safeEqual(record.digest, digestOf(registry, presented))) return false;
  return !(await administratorExists(registry));
}

/**
 * Creates the first administrator: a builtin user (password checked by the password policy) in the first
 * admin group (created if needed); consumes the token. FORBIDDEN when the token is not (or no longer) valid.
 */
export async function completeFirstRun(
  registry: Registry,
  input: { token: string; userName: string; displayName: string; email: string; password: string },
  ctx: RequestContext,
): Promise<DirectoryUser> {
  if (!(await isValidSetupToken(registry, input.token))) throw new AppError("FORBIDDEN");
  const consumed = await registry.stores.settings.setIfAbsent(
    `${SETUP_SETTINGS_KEY}.consumed.${digestOf(registry, input.token)}`,
    { at: registry.clock.now().toISOString() },
    registry.clock.now(),
  );
  if (!consumed) throw new AppError("FORBIDDEN");
  const actor = { id: "first-run", name: "first-run setup" };
  const admin = createBuiltinAdmin(registry);
  let user: DirectoryUser;
  try {
    user = await admin.addUser(
      { userName: input.userName, displayName: input.displayName, email: input.email, password: input.password },
      { actor, ctx },
    );
  } catch (error) {
    // The token stays usable after a refused form (weak password, taken name): release the guard.
    await registry.stores.settings.delete(`${SETUP_SETTINGS_KEY}.consumed.${digestOf(registry, input.token)}`);
    throw error;
  }
  const groupName = registry.config.directory.adminGroups[0] ?? "opensspr-admins";
  const group =
    (await registry.directory.findGroup(groupName)) ??
    (await admin.addGroup({ name: groupName, description: "OpenSSPR administrators" }, { actor, ctx }));
  await admin.addMember(group.name, { kind: "user", ref: user.id }, { actor, ctx });
  await registry.stores.settings.delete(SETUP_SETTINGS_KEY);
  await registry.audit.record({
    activity: "adminSetupCompleted",
    outcome: "success",
    reason: "First administrator created with the setup link",
    actor,
    target: { id: user.id, name: user.userName },
    ctx,
    details: { group: group.name },
  });
  return user;
}
