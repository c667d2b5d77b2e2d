/**
 * `/admin/outbox`: queue status of the durable outbox, and — when mail goes to the development outbox —
 * the delivered messages themselves (the dev mailbox). Queued rows are listed without their bodies (a
 * queued body may hold a code until dispatch).
 */
import type { FastifyInstance } from "fastify";
import type { JSX } from "preact";
import { z } from "zod";
import { AppError } from "../../errors/app-error.ts";
import type { Registry } from "../../registry.types.ts";
import type { DevMailboxRow, OutboxRow } from "../../store/types.ts";
import { field, parseParams, parseQuery } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { Button, Field, Notice } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { adminOf } from "./admin-auth.ts";
import { AdminLayout, formatDate } from "./views/admin-layout.tsx";

const outboxQuery = z.object({ recipient: field.optionalText({ max: 254 }), lang: z.string().max(5).optional() });
const messageParams = z.object({ id: z.string().min(1).max(100) });

function OutboxPage(props: {
  ctx: PageContext;
  devMailbox: boolean;
  counts: Record<OutboxRow["status"], number>;
  recent: OutboxRow[];
  mailbox: DevMailboxRow[];
  recipient: string;
}): JSX.Element {
  const { t } = props.ctx;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.outbox.title")} section="/admin/outbox">
      <h1>{t("admin.outbox.title")}</h1>
      <ul class="stats">
        {(["queued", "sending", "sent", "failed"] as const).map((status) => (
          <li class="stat" key={status}>
            <span class="stat__value">{props.counts[status] ?? 0}</span>
            <span class="stat__label">{t(`admin.outbox.status.${status}`)}</span>
          </li>
        ))}
      </ul>
      <h2>{t("admin.outbox.recent")}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.outbox.created")}</th>
              <th scope="col">{t("admin.outbox.channel")}</th>
              <th scope="col">{t("admin.outbox.template")}</th>
              <th scope="col">{t("admin.outbox.status")}</th>
              <th scope="col">{t("admin.outbox.attempts")}</th>
              <th scope="col">{t("admin.outbox.error")}</th>
            </tr>
          </thead>
          <tbody>
            {props.recent.map((row) => (
              <tr key={row.id}>
                <td>{formatDate(row.createdAt)}</td>
                <td>{row.channel}</td>
                <td>{row.template}</td>
                <td>{t(`admin.outbox.status.${row.status}`)}</td>
                <td>{row.attempts}</td>
                <td>{row.lastError ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t("admin.outbox.mailbox")}</h2>
      {!props.devMailbox ? (
        <Notice kind="info">
          <p>{t("admin.outbox.smtp")}</p>
        </Notice>
      ) : (
        <>
          <Notice kind="warning">
            <p>{t("admin.outbox.dev_warning")}</p>
          </Notice>
          <form method="get" action="/admin/outbox" class="filters" aria-label={t("admin.users.search_button")}>
            <Field name="recipient" label={t("admin.outbox.recipient")} value={props.recipient} />
            <Button kind="secondary">{t("admin.users.search_button")}</Button>
          </form>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("admin.outbox.delivered")}</th>
                  <th scope="col">{t("admin.outbox.recipient")}</th>
                  <th scope="col">{t("admin.outbox.subject")}</th>
                </tr>
              </thead>
              <tbody>
                {props.mailbox.map((row) => (
                  <tr key={row.id}>
                    <td>{formatDate(row.deliveredAt)}</td>
                    <td>{row.recipient}</td>
                    <td>
                      <a href={`/admin/outbox/${encodeURIComponent(row.id)}`}>
                        {row.subject === "" ? `(${row.channel})` : row.subject}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </AdminLayout>
  );
}

function MessagePage(props: { ctx: PageContext; row: DevMailboxRow }): JSX.Element {
  const { t } = props.ctx;
  return (
    <AdminLayout ctx={props.ctx} title={props.row.subject || t("admin.outbox.mailbox")} section="/admin/outbox">
      <p>
        <a href="/admin/outbox">← {t("admin.outbox.title")}</a>
      </p>
      <h1>{props.row.subject || `(${props.row.channel})`}</h1>
      <p>
        {t("admin.outbox.recipient")}: {props.row.recipient} · {formatDate(props.row.deliveredAt)}
      </p>
      <pre class="mailbox-body">{props.row.body}</pre>
    </AdminLayout>
  );
}

export async function registerAdminOutboxRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const devMailbox = registry.config.mail.transport === "outbox";

  app.get("/admin/outbox", async (request, reply) => {
    const query = parseQuery(outboxQuery, request);
    const [counts, recent, mailbox] = await Promise.all([
      registry.stores.outbox.counts({}),
      registry.stores.outbox.list({ offset: 0, limit: 50 }),
      devMailbox
        ? registry.stores.devMailbox.list({
            ...(query.recipient !== "" ? { recipient: query.recipient } : {}),
            offset: 0,
            limit: 100,
          })
        : Promise.resolve({ rows: [], total: 0 }),
    ]);
    const ctx = await pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });
    return renderPage(
      reply,
      <OutboxPage
        ctx={ctx}
        devMailbox={devMailbox}
        counts={counts}
        recent={recent.rows}
        mailbox={mailbox.rows}
        recipient={query.recipient}
      />,
    );
  });

  app.get("/admin/outbox/:id", async (request, reply) => {
    if (!devMailbox) throw new AppError("NOT_FOUND");
    const { id } = parseParams(messageParams, request);
    const row = await registry.stores.devMailbox.get(id);
    if (row === null) throw new AppError("NOT_FOUND");
    const ctx = await pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });
    return renderPage(reply, <MessagePage ctx={ctx} row={row} />);
  });
}
