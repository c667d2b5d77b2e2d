/**
 * `/admin/audit`: the audit log with allow-listed filters (REQ-098: date range, user, activity, outcome,
 * correlation id — any other parameter is a 400), paging, and CSV / JSON-lines export (audit/export.ts).
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { z } from "zod";
import { AUDIT_ACTIVITIES } from "../../audit/events.ts";
import { exportAudit } from "../../audit/export.ts";
import type { Registry } from "../../registry.types.ts";
import type { AuditQuery, AuditRow } from "../../store/types.ts";
import { field, parseQuery } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { Button, Field, Select } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { adminOf } from "./admin-auth.ts";
import { AdminLayout, formatDate } from "./views/admin-layout.tsx";

export const AUDIT_PAGE_SIZE = 50;
export const MAX_EXPORT_ROWS = 100_000;
const ACTIVITY_NAMES: readonly string[] = Object.values(AUDIT_ACTIVITIES).map((a) => a.name);

const dateField = z
  .string({ error: "validation.not_text" })
  .trim()
  .max(40, { error: "validation.too_long" })
  .refine((value) => value === "" || !Number.isNaN(Date.parse(value)), { error: "validation.invalid" })
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value));

/** The only accepted parameters (`lang` is the language switcher's). */
export const auditFilterSchema = z.strictObject({
  from: dateField,
  to: dateField,
  user: field.optionalText({ max: 256 }),
  activity: field
    .optionalText({ max: 200 })
    .refine((value) => value === "" || ACTIVITY_NAMES.includes(value), { error: "validation.invalid_choice" }),
  outcome: z.enum(["", "success", "failure"], { error: "validation.invalid_choice" }).optional(),
  correlationId: field.optionalText({ max: 100 }),
  page: field.int({ min: 1, max: 100_000 }).optional(),
  format: z.enum(["csv", "jsonl"], { error: "validation.invalid_choice" }).optional(),
  lang: z.string().max(5).optional(),
});
export type AuditFilters = z.infer<typeof auditFilterSchema>;

/** Date-only `to` values include the whole day. */
function toDate(value: string | undefined, options: { endOfDay: boolean }): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (options.endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(date.getTime() + 86_400_000 - 1);
  return date;
}

export function auditQueryOf(filters: AuditFilters, options: { offset: number; limit: number }): AuditQuery {
  const from = toDate(filters.from, { endOfDay: false });
  const to = toDate(filters.to, { endOfDay: true });
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(filters.user !== "" ? { user: filters.user } : {}),
    ...(filters.activity !== "" ? { activity: filters.activity } : {}),
    ...(filters.outcome !== undefined && filters.outcome !== "" ? { outcome: filters.outcome } : {}),
    ...(filters.correlationId !== "" ? { correlationId: filters.correlationId } : {}),
    offset: options.offset,
    limit: options.limit,
  };
}

function filterParams(filters: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["from", "to", "user", "activity", "outcome", "correlationId"] as const) {
    const value = filters[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out;
}

function AuditPage(props: {
  ctx: PageContext;
  filters: AuditFilters;
  rows: AuditRow[];
  total: number;
  page: number;
}): JSX.Element {
  const { t } = props.ctx;
  const params = filterParams(props.filters);
  const pages = Math.max(1, Math.ceil(props.total / AUDIT_PAGE_SIZE));
  const link = (extra: Record<string, string>) => `?${new URLSearchParams({ ...params, ...extra }).toString()}`;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.audit.title")} section="/admin/audit">
      <h1>{t("admin.audit.title")}</h1>
      <form method="get" action="/admin/audit" class="filters" aria-label={t("admin.audit.filters")}>
        <Field name="from" type="date" label={t("admin.audit.from")} value={props.filters.from ?? ""} />
        <Field name="to" type="date" label={t("admin.audit.to")} value={props.filters.to ?? ""} />
        <Field name="user" label={t("admin.audit.user")} value={props.filters.user} />
        <Select
          name="activity"
          label={t("admin.audit.activity")}
          value={props.filters.activity}
          options={[
            { value: "", label: t("admin.audit.any") },
            ...ACTIVITY_NAMES.map((name) => ({ value: name, label: name })),
          ]}
        />
        <Select
          name="outcome"
          label={t("admin.audit.outcome")}
          value={props.filters.outcome ?? ""}
          options={[
            { value: "", label: t("admin.audit.any") },
            { value: "success", label: t("admin.audit.success") },
            { value: "failure", label: t("admin.audit.failure") },
          ]}
        />
        <Field name="correlationId" label={t("admin.audit.correlation")} value={props.filters.correlationId} />
        <Button kind="secondary">{t("admin.audit.apply")}</Button>
      </form>
      <p>
        {t("admin.audit.count", { count: props.total })} ·{" "}
        <a href={`/admin/audit/export${link({ format: "csv" })}`}>{t("admin.audit.export_csv")}</a> ·{" "}
        <a href={`/admin/audit/export${link({ format: "jsonl" })}`}>{t("admin.audit.export_json")}</a>
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.when")}</th>
              <th scope="col">{t("admin.audit.activity")}</th>
              <th scope="col">{t("admin.audit.outcome")}</th>
              <th scope="col">{t("admin.audit.reason")}</th>
              <th scope="col">{t("admin.audit.actor")}</th>
              <th scope="col">{t("admin.audit.target")}</th>
              <th scope="col">{t("admin.audit.ip")}</th>
              <th scope="col">{t("admin.audit.correlation")}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr key={row.id}>
                <td>{formatDate(row.at)}</td>
                <td>{row.activity}</td>
                <td>
                  <span class={row.outcome === "success" ? "badge badge--ok" : "badge badge--bad"}>
                    {row.outcome === "success" ? t("admin.audit.success") : t("admin.audit.failure")}
                  </span>
                </td>
                <td>
                  {row.reason}
                  {Object.keys(row.details).length > 0 ? (
                    <details>
                      <summary>{t("admin.audit.details")}</summary>
                      <pre class="mono">{JSON.stringify(row.details, null, 2)}</pre>
                    </details>
                  ) : null}
                </td>
                <td>{row.actorName ?? "—"}</td>
                <td>{row.targetName ?? "—"}</td>
                <td>{row.ip ?? "—"}</td>
                <td class="mono">
                  {row.correlationId !== null ? (
                    <a href={`/admin/audit?correlationId=${encodeURIComponent(row.correlationId)}`}>
                      {row.correlationId}
                    </a>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav class="pager" aria-label={t("admin.pager")}>
          {props.page > 1 ? (
            <a href={`/admin/audit${link({ page: String(props.page - 1) })}`}>{t("admin.pager.previous")}</a>
          ) : null}
          <span>{t("admin.pager.position", { page: props.page, pages })}</span>
          {props.page < pages ? (
            <a href={`/admin/audit${link({ page: String(props.page + 1) })}`}>{t("admin.pager.next")}</a>
          ) : null}
        </nav>
      ) : null}
    </AdminLayout>
  );
}

/** Streams an export as a download (shared with the admin API). */
export function sendAuditExport(
  registry: Registry,
  request: FastifyRequest,
  filters: AuditFilters,
  reply: import("fastify").FastifyReply,
) {
  const format = filters.format ?? "csv";
  const stamp = registry.clock.now().toISOString().slice(0, 10);
  const stream = Readable.from(
    exportAudit(registry, auditQueryOf(filters, { offset: 0, limit: MAX_EXPORT_ROWS }), { format }),
  );
  request.log.info({ format }, "audit export");
  return reply
    .type(format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8")
    .header(
      "content-disposition",
      `attachment; filename="opensspr-audit-${stamp}.${format === "csv" ? "csv" : "jsonl"}"`,
    )
    .send(stream);
}

export async function registerAdminAuditRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  app.get("/admin/audit", async (request, reply) => {
    const filters = parseQuery(auditFilterSchema, request);
    const page = filters.page ?? 1;
    const { rows, total } = await registry.stores.audit.query(
      auditQueryOf(filters, { offset: (page - 1) * AUDIT_PAGE_SIZE, limit: AUDIT_PAGE_SIZE }),
    );
    const ctx = await pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });
    return renderPage(reply, <AuditPage ctx={ctx} filters={filters} rows={rows} total={total} page={page} />);
  });

  app.get("/admin/audit/export", async (request, reply) => {
    const filters = parseQuery(auditFilterSchema, request);
    return sendAuditExport(registry, request, filters, reply);
  });
}
