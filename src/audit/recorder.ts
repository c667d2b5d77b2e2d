/**
 * The audit recorder (SPEC §9): turns an activity key into the reference's activity name and service,
 * stamps who/where/when from the request context, and appends to the hash-chained audit store.
 * It is also the last line of defence against secrets in audit records (REQ: never a password, code,
 * answer or secret): any detail whose key names a secret is replaced by "[redacted]" before storage.
 */

import type { Clock } from "../kernel/clock.ts";
import { newId } from "../kernel/ids.ts";
import type { Logger } from "../kernel/logger.ts";
import type { Random } from "../kernel/random.ts";
import type { AuditRecorder } from "../registry.types.ts";
import type { AuditRow, Stores } from "../store/types.ts";
import { AUDIT_ACTIVITIES } from "./events.ts";

export const REDACTED = "[redacted]";

/** Key fragments that mark a secret wherever they appear in a key (case-insensitive). */
const SECRET_KEY_FRAGMENTS = [
  "password",
  "passwd",
  "secret",
  "token",
  "answer",
  "otp",
  "passcode",
  "seed",
  "cookie",
  "apikey",
];
/** Keys ending in "code" are one-time codes unless they are one of these harmless identifiers. */
const HARMLESS_CODE_KEYS = new Set([
  "errorcode",
  "statuscode",
  "countrycode",
  "supportcode",
  "reasoncode",
  "responsecode",
  "resultcode",
  "languagecode",
  "localecode",
]);

/** True when a detail key names secret material (password, code, answer, secret, token, OTP...). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (SECRET_KEY_FRAGMENTS.some((fragment) => k.includes(fragment))) return true;
  if ((k.endsWith("code") || k.endsWith("codes")) && !HARMLESS_CODE_KEYS.has(k)) return true;
  return false;
}

/** Values that are secrets whatever their key (an otpauth URI carries the TOTP seed). */
function isSecretValue(value: string): boolean {
  return /^otpauth:\/\//i.test(value) || /\$argon2(id|i|d)\$/.test(value);
}

const MAX_DEPTH = 8;

/** Returns a deep copy of `details` with every secret-named key replaced by "[redacted]". */
export function scrubDetails(details: Record<string, unknown>): Record<string, unknown> {
  return scrubObject(details, 0);
}

function scrubObject(input: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    out[key] = isSecretKey(key) ? REDACTED : scrubValue(value, depth + 1);
  }
  return out;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (typeof value === "string") return isSecretValue(value) ? REDACTED : value;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (Buffer.isBuffer(value)) return REDACTED;
  return scrubObject(value as Record<string, unknown>, depth);
}

export interface AuditRecorderDeps {
  stores: Pick<Stores, "audit">;
  clock: Clock;
  random: Random;
  log: Logger;
}

export function createAuditRecorder(deps: AuditRecorderDeps): AuditRecorder {
  return {
    async record(event): Promise<AuditRow> {
      const activity = AUDIT_ACTIVITIES[event.activity];
      if (activity === undefined) throw new Error(`unknown audit activity "${String(event.activity)}"`);
      const at = deps.clock.now();
      const ctx = event.ctx;
      const row = await deps.stores.audit.append({
        id: newId(deps.random, at),
        at,
        activity: activity.name,
        service: activity.service,
        outcome: event.outcome,
        reason: event.reason,
        actorId: event.actor?.id ?? null,
        actorName: event.actor?.name ?? null,
        targetId: event.target?.id ?? null,
        targetName: event.target?.name ?? null,
        ip: ctx?.ip ?? null,
        userAgent: ctx?.userAgent ?? null,
        correlationId: ctx?.requestId ?? null,
        details: scrubDetails(event.details ?? {}),
      });
      deps.log.info(
        {
          audit: {
            id: row.id,
            activity: event.activity,
            outcome: row.outcome,
            reason: row.reason,
            actorId: row.actorId,
            targetId: row.targetId,
          },
          reqId: row.correlationId,
        },
        "audit event recorded",
      );
      return row;
    },
  };
}
