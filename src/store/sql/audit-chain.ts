/**
 * The audit hash chain (REQ-112 tamper evidence): each row's `hash` is
 * sha256(prevHash + canonical JSON of the row without prevHash/hash). Changing, removing or re-ordering a
 * row breaks the chain at that row; `verifyAuditChain` finds where.
 */
import { createHash } from "node:crypto";
import type { AuditRow } from "../types.ts";
import { GENESIS_HASH } from "./migrations.ts";

export { GENESIS_HASH };

/** JSON with object keys sorted at every depth, Dates as ISO strings, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function auditRowHash(prevHash: string, row: Omit<AuditRow, "prevHash" | "hash">): string {
  const body = canonicalJson({
    id: row.id,
    at: row.at,
    activity: row.activity,
    service: row.service,
    outcome: row.outcome,
    reason: row.reason,
    actorId: row.actorId,
    actorName: row.actorName,
    targetId: row.targetId,
    targetName: row.targetName,
    ip: row.ip,
    userAgent: row.userAgent,
    correlationId: row.correlationId,
    details: row.details,
  });
  return createHash("sha256").update(prevHash, "utf8").update(body, "utf8").digest("hex");
}

export type AuditChainVerdict =
  | { ok: true; count: number }
  | {
      ok: false;
      count: number;
      /** The first row found wrong (null when rows are missing at the end). */
      id: string | null;
      problem: "hash_mismatch" | "broken_link" | "fork" | "truncated";
    };

/**
 * Checks a set of audit rows (any order) forms one unbroken chain starting at `anchor` (the genesis hash,
 * or the retention anchor after old rows were purged) and, when `head` is given, ending at it.
 */
export function verifyAuditChain(
  rows: readonly AuditRow[],
  options: { anchor?: string; head?: string } = {},
): AuditChainVerdict {
  const anchor = options.anchor ?? GENESIS_HASH;
  const byPrev = new Map<string, AuditRow>();
  for (const row of rows) {
    if (auditRowHash(row.prevHash, row) !== row.hash) {
      return { ok: false, count: rows.length, id: row.id, problem: "hash_mismatch" };
    }
    if (byPrev.has(row.prevHash)) return { ok: false, count: rows.length, id: row.id, problem: "fork" };
    byPrev.set(row.prevHash, row);
  }
  const visited = new Set<string>();
  let cursor = anchor;
  for (let next = byPrev.get(cursor); next !== undefined; next = byPrev.get(cursor)) {
    visited.add(next.id);
    cursor = next.hash;
  }
  if (visited.size !== rows.length) {
    const orphan = rows.find((r) => !visited.has(r.id));
    return { ok: false, count: rows.length, id: orphan?.id ?? null, problem: "broken_link" };
  }
  if (options.head !== undefined && cursor !== options.head) {
    return { ok: false, count: rows.length, id: null, problem: "truncated" };
  }
  return { ok: true, count: rows.length };
}
