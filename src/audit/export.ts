/**
 * Audit export (SPEC §9): CSV (RFC 4180) and JSON lines of an `AuditQuery`, paged through the store so a
 * year of events never sits in memory at once. CSV cells are made safe for spreadsheets (CWE-1236,
 * formula injection): a cell starting with = + - @ (or a tab / carriage return) gets a leading `'`.
 */
import type { AuditQuery, AuditRow, Stores } from "../store/types.ts";

export type AuditExportFormat = "csv" | "jsonl";

/** Column order of the CSV export (also its header line). */
export const AUDIT_CSV_COLUMNS = [
  "id",
  "at",
  "activity",
  "service",
  "outcome",
  "reason",
  "actorId",
  "actorName",
  "targetId",
  "targetName",
  "ip",
  "userAgent",
  "correlationId",
  "details",
  "prevHash",
  "hash",
] as const satisfies readonly (keyof AuditRow)[];

const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);

/** One CSV cell: neutralised against formula injection, quoted per RFC 4180 when needed. */
export function csvCell(value: string): string {
  let cell = value;
  if (cell.length > 0 && FORMULA_TRIGGERS.has(cell[0] as string)) cell = `'${cell}`;
  if (/[",\r\n]/.test(cell)) cell = `"${cell.replaceAll('"', '""')}"`;
  return cell;
}

function cellValue(row: AuditRow, column: (typeof AUDIT_CSV_COLUMNS)[number]): string {
  const value = row[column];
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The CSV header line (CRLF-terminated, RFC 4180). */
export function auditCSVHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
}

/** One CSV record (CRLF-terminated). */
export function auditRowToCSV(row: AuditRow): string {
  return `${AUDIT_CSV_COLUMNS.map((column) => csvCell(cellValue(row, column))).join(",")}\r\n`;
}

/** One JSON line (LF-terminated); dates as ISO 8601. */
export function auditRowToJSONLine(row: AuditRow): string {
  return `${JSON.stringify({ ...row, at: row.at.toISOString() })}\n`;
}

/** Whole-document helpers for small results (tests, API previews). */
export function auditRowsToCSV(rows: readonly AuditRow[]): string {
  return auditCSVHeader() + rows.map(auditRowToCSV).join("");
}
export function auditRowsToJSONLines(rows: readonly AuditRow[]): string {
  return rows.map(auditRowToJSONLine).join("");
}

/**
 * Streams the export of every row matching `query` (its `offset`/`limit` bound the whole export; pages of
 * `pageSize` are fetched from the store). Yields text chunks, header first for CSV.
 */
export async function* exportAudit(
  deps: { stores: Pick<Stores, "audit"> },
  query: AuditQuery,
  options: { format: AuditExportFormat; pageSize?: number },
): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? 500;
  if (options.format === "csv") yield auditCSVHeader();
  let offset = query.offset;
  const end = query.offset + query.limit;
  while (offset < end) {
    const limit = Math.min(pageSize, end - offset);
    const { rows } = await deps.stores.audit.query({ ...query, offset, limit });
    for (const row of rows) yield options.format === "csv" ? auditRowToCSV(row) : auditRowToJSONLine(row);
    if (rows.length < limit) break;
    offset += rows.length;
  }
}

/** Collects `exportAudit` into one string. */
export async function exportAuditToString(
  deps: { stores: Pick<Stores, "audit"> },
  query: AuditQuery,
  options: { format: AuditExportFormat; pageSize?: number },
): Promise<string> {
  let out = "";
  for await (const chunk of exportAudit(deps, query, options)) out += chunk;
  return out;
}
