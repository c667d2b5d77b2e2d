/**
 * Admin API keys for automation (`Authorization: Bearer osk_...` on `/api/v1/admin/*`).
 *
 * The key is shown once at creation; the settings store keeps only `HMAC(keys.tokenDigest, key)`
 * (STYLE rule 5), so a database copy does not yield working keys. A key acts with the rights of the
 * administrator who created it and stops working the moment that person is no longer an administrator
 * (REQ-097: role changes take effect immediately), or when it is revoked.
 */
import { AppError } from "../../errors/app-error.ts";
import { newId } from "../../kernel/ids.ts";
import { token } from "../../kernel/random.ts";
import { hmacHex, safeEqual } from "../../kernel/secrets.ts";
import type { Registry, RequestContext } from "../../registry.types.ts";

export const API_KEYS_SETTINGS_KEY = "admin.apiKeys";
export const API_KEY_PREFIX = "osk_";
/** Most keys kept (revoked ones included, for the record). */
export const MAX_API_KEYS = 100;

export interface APIKeyRecord {
  id: string;
  name: string;
  digest: string;
  createdAt: string;
  createdById: string;
  createdByName: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What the settings page lists (never the digest). */
export type APIKeySummary = Omit<APIKeyRecord, "digest">;

export type APIKeyDeps = Pick<Registry, "stores" | "keys" | "clock" | "random" | "audit">;

function digestOf(deps: Pick<Registry, "keys">, value: string): string {
  return hmacHex(deps.keys.tokenDigest, "admin-api-key", value);
}

async function load(deps: Pick<Registry, "stores">): Promise<APIKeyRecord[]> {
  const value = await deps.stores.settings.get<APIKeyRecord[]>(API_KEYS_SETTINGS_KEY);
  return Array.isArray(value) ? value : [];
}

export async function listAPIKeys(deps: Pick<Registry, "stores">): Promise<APIKeySummary[]> {
  return (await load(deps)).map(({ digest: _digest, ...rest }) => rest);
}

/** Creates a key and returns its one-time plaintext. */
export async function createAPIKey(
  deps: APIKeyDeps,
  input: { name: string },
  options: { actor: { id: string; name: string }; ctx: RequestContext | null },
): Promise<{ key: string; record: APIKeySummary }> {
  const existing = await load(deps);
  if (existing.length >= MAX_API_KEYS) {
    throw new AppError("CONFLICT", {
      issues: [{ field: "name", message: "Too many API keys; revoke unused ones first." }],
    });
  }
  if (existing.some((k) => k.revokedAt === null && k.name.toLowerCase() === input.name.toLowerCase())) {
    throw new AppError("ALREADY_EXISTS", {
      issues: [{ field: "name", message: "An active key already has this name." }],
    });
  }
  const now = deps.clock.now();
  const key = `${API_KEY_PREFIX}${token(deps.random, 32)}`;
  const record: APIKeyRecord = {
    id: newId(deps.random, now),
    name: input.name,
    digest: digestOf(deps, key),
    createdAt: now.toISOString(),
    createdById: options.actor.id,
    createdByName: options.actor.name,
    lastUsedAt: null,
    revokedAt: null,
  };
  await deps.stores.settings.set(API_KEYS_SETTINGS_KEY, [...existing, record], now);
  await deps.audit.record({
    activity: "apiKeyCreated",
    outcome: "success",
    reason: "Admin API key created",
    actor: options.actor,
    target: { id: record.id, name: record.name },
    ctx: options.ctx,
  });
  const { digest: _digest, ...summary } = record;
  return { key, record: summary };
}

export async function revokeAPIKey(
  deps: APIKeyDeps,
  id: string,
  options: { actor: { id: string; name: string }; ctx: RequestContext | null },
): Promise<void> {
  const existing = await load(deps);
  const record = existing.find((k) => k.id === id);
  if (record === undefined) throw new AppError("NOT_FOUND");
  if (record.revokedAt !== null) return;
  const now = deps.clock.now();
  await deps.stores.settings.set(
    API_KEYS_SETTINGS_KEY,
    existing.map((k) => (k.id === id ? { ...k, revokedAt: now.toISOString() } : k)),
    now,
  );
  await deps.audit.record({
    activity: "apiKeyRevoked",
    outcome: "success",
    reason: "Admin API key revoked",
    actor: options.actor,
    target: { id: record.id, name: record.name },
    ctx: options.ctx,
  });
}

/** The active key matching `presented`, or null. Compares digests in constant time. */
export async function findAPIKey(
  deps: Pick<Registry, "stores" | "keys" | "clock">,
  presented: string,
): Promise<APIKeyRecord | null> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return null;
  const digest = digestOf(deps, presented);
  const records = await load(deps);
  let found: APIKeyRecord | null = null;
  for (const record of records) {
    if (safeEqual(record.digest, digest) && record.revokedAt === null) found = record;
  }
  if (found !== null) {
    const now = deps.clock.now();
    // Coarse "last used" (once a minute at most) so automation does not rewrite the settings row per call.
    if (found.lastUsedAt === null || now.getTime() - Date.parse(found.lastUsedAt) > 60_000) {
      const id = found.id;
      await deps.stores.settings.set(
        API_KEYS_SETTINGS_KEY,
        records.map((k) => (k.id === id ? { ...k, lastUsedAt: now.toISOString() } : k)),
        now,
      );
    }
  }
  return found;
}
