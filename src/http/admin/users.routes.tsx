/**
 * `/admin/users`: list + search + paging; a user's detail page with the "why can't this user reset?"
 * diagnostic (the same `policy.eligibility` every flow uses), masked security info, registration dates,
 * block status with "clear block", and the user's audit timeline. Builtin directory: create, disable, enable.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { z } from "zod";
import { createBuiltinAdmin } from "../../directory/builtin/builtin-admin.service.ts";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError, type FieldIssue, isAppError } from "../../errors/app-error.ts";
import { t as translate } from "../../messages/index.ts";
import type { Registry } from "../../registry.types.ts";
import { field, parseForm, parseParams, parseQuery } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { Button, ButtonLink, ErrorSummary, Field, Notice, PostForm } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { type UserDetail, userDetail } from "./admin.service.ts";
import { adminOf } from "./admin-auth.ts";
import { AdminLayout, formatDate } from "./views/admin-layout.tsx";

export const PAGE_SIZE = 25;
export const userListQuery = z.object({
  q: field.optionalText({ max: 100 }),
  page: field.int({ min: 1, max: 100_000 }).optional(),
});
export const userIdParams = z.object({ id: z.string().min(1).max(256) });
const createUserForm = z.object({
  userName: field.text({ max: 64 }),
  displayName: field.text({ max: 256 }),
  email: field.optionalText({ max: 254 }),
  mobile: field.optionalText({ max: 40 }),
  officePhone: field.optionalText({ max: 40 }),
  password: z.string({ error: "validation.not_text" }).max(1024, { error: "validation.too_long" }).optional(),
});

export interface UserListResult {
  users: DirectoryUser[];
  total: number;
  /** False when the directory cannot list (then only exact lookups work). */
  listable: boolean;
}

export async function listUsers(
  registry: Registry,
  options: { search: string; offset: number; limit: number },
): Promise<UserListResult> {
  if (registry.directory.listUsers !== undefined) {
    const result = await registry.directory.listUsers({
      ...(options.search !== "" ? { search: options.search } : {}),
      offset: options.offset,
      limit: options.limit,
    });
    return { users: result.users, total: result.total, listable: true };
  }
  if (options.search === "") return { users: [], total: 0, listable: false };
  const found = await registry.directory.findUser(options.search);
  return { users: found === null ? [] : [found], total: found === null ? 0 : 1, listable: false };
}

function UsersPage(props: {
  ctx: PageContext;
  result: UserListResult;
  search: string;
  page: number;
  builtin: boolean;
  created?: boolean;
}): JSX.Element {
  const { t } = props.ctx;
  const pages = Math.max(1, Math.ceil(props.result.total / PAGE_SIZE));
  const link = (page: number) =>
    `/admin/users?${new URLSearchParams({ ...(props.search !== "" ? { q: props.search } : {}), page: String(page) }).toString()}`;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.users.title")} section="/admin/users">
      <h1>{t("admin.users.title")}</h1>
      <form method="get" action="/admin/users" class="filters" aria-label={t("admin.users.search_button")}>
        <Field name="q" type="search" label={t("admin.users.search")} value={props.search} />
        <Button kind="secondary">{t("admin.users.search_button")}</Button>
        {props.builtin ? <ButtonLink href="/admin/users/new">{t("admin.users.new")}</ButtonLink> : null}
      </form>
      {!props.result.listable ? (
        <Notice kind="info">
          <p>{t("admin.users.not_listable")}</p>
        </Notice>
      ) : null}
      <p>{t("admin.users.count", { count: props.result.total })}</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.user.user_name")}</th>
              <th scope="col">{t("admin.user.display_name")}</th>
              <th scope="col">{t("admin.user.email")}</th>
            </tr>
          </thead>
          <tbody>
            {props.result.users.map((user) => (
              <tr key={user.id}>
                <td>
                  <a href={`/admin/users/${encodeURIComponent(user.id)}`}>{user.userName}</a>
                </td>
                <td>{user.displayName}</td>
                <td>{user.email ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav class="pager" aria-label={t("admin.pager")}>
          {props.page > 1 ? <a href={link(props.page - 1)}>{t("admin.pager.previous")}</a> : null}
          <span>{t("admin.pager.position", { page: props.page, pages })}</span>
          {props.page < pages ? <a href={link(props.page + 1)}>{t("admin.pager.next")}</a> : null}
        </nav>
      ) : null}
    </AdminLayout>
  );
}

function Badge(props: { ok: boolean; yes: string; no: string }): JSX.Element {
  return <span class={props.ok ? "badge badge--ok" : "badge badge--bad"}>{props.ok ? props.yes : props.no}</span>;
}

function UserDetailPage(props: {
  ctx: PageContext;
  detail: UserDetail;
  builtin: boolean;
  notice?: string;
}): JSX.Element {
  const { t } = props.ctx;
  const d = props.detail;
  const userPath = `/admin/users/${encodeURIComponent(d.user.id)}`;
  return (
    <AdminLayout ctx={props.ctx} title={d.user.displayName} section="/admin/users">
      <p>
        <a href="/admin/users">← {t("admin.users.title")}</a>
      </p>
      <h1>
        {d.user.displayName} <span class="badge">{d.user.userName}</span>
      </h1>
      {props.notice !== undefined ? (
        <Notice kind="success">
          <p>{props.notice}</p>
        </Notice>
      ) : null}
      <section aria-labelledby="diag-title">
        <h2 id="diag-title">{t("admin.user.diagnostic")}</h2>
        {d.eligibility.eligible ? (
          <Notice kind="success">
            <p>{t("admin.user.eligible")}</p>
          </Notice>
        ) : (
          <Notice kind="warning" title={t("admin.user.not_eligible")}>
            <ul>
              {d.eligibility.reasons.map((reason) => (
                <li key={reason}>{t(`admin.reason.${reason}`, { required: d.eligibility.methodsRequired })}</li>
              ))}
            </ul>
          </Notice>
        )}
        {d.blockedUntil !== null ? (
          <Notice kind="error" title={t("admin.user.blocked", { until: formatDate(d.blockedUntil) })}>
            <PostForm action={`${userPath}/clear-block`} csrf={props.ctx.csrf} label={t("admin.user.clear_block")}>
              <Button kind="secondary">{t("admin.user.clear_block")}</Button>
            </PostForm>
          </Notice>
        ) : null}
        <div class="table-wrap">
          <table>
            <tbody>
              <tr>
                <th scope="row">{t("admin.user.in_scope")}</th>
                <td>
                  <Badge ok={d.eligibility.inScope} yes={t("common.yes")} no={t("common.no")} />
                </td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.registered")}</th>
                <td>
                  <Badge ok={d.eligibility.registered} yes={t("common.yes")} no={t("common.no")} />{" "}
                  {t("admin.user.methods_count", {
                    usable: d.eligibility.usableMethods.length,
                    required: d.eligibility.methodsRequired,
                  })}
                </td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.is_admin")}</th>
                <td>{d.isAdmin ? t("common.yes") : t("common.no")}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.allowed_methods")}</th>
                <td>{d.eligibility.allowedMethods.map((m) => t(`admin.method.${m}`)).join(", ") || "—"}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.usable_methods")}</th>
                <td>{d.eligibility.usableMethods.map((m) => t(`admin.method.${m}`)).join(", ") || "—"}</td>
              </tr>
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="dir-title">
        <h2 id="dir-title">{t("admin.user.directory")}</h2>
        <div class="table-wrap">
          <table>
            <tbody>
              <tr>
                <th scope="row">{t("admin.user.email")}</th>
                <td>{d.contact.email ?? "—"}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.mobile")}</th>
                <td>{d.contact.mobile ?? "—"}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.office_phone")}</th>
                <td>{d.contact.officePhone ?? "—"}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.account")}</th>
                <td>
                  {d.status === null ? (
                    "—"
                  ) : (
                    <>
                      <Badge ok={d.status.enabled} yes={t("admin.user.enabled")} no={t("admin.user.disabled")} />{" "}
                      {d.status.locked ? <span class="badge badge--warn">{t("admin.user.locked")}</span> : null}{" "}
                      {d.status.protectedAccount ? (
                        <span class="badge badge--warn">{t("admin.user.protected")}</span>
                      ) : null}
                    </>
                  )}
                </td>
              </tr>
              <tr>
                <th scope="row">{t("admin.user.groups")}</th>
                <td>{d.groups.map((g) => g.name).join(", ") || "—"}</td>
              </tr>
            </tbody>
          </table>
        </div>
        {props.builtin && d.status !== null ? (
          <PostForm
            action={`${userPath}/${d.status.enabled ? "disable" : "enable"}`}
            csrf={props.ctx.csrf}
            label={d.status.enabled ? t("admin.user.disable") : t("admin.user.enable")}
          >
            <Button kind={d.status.enabled ? "danger" : "secondary"}>
              {d.status.enabled ? t("admin.user.disable") : t("admin.user.enable")}
            </Button>
          </PostForm>
        ) : null}
      </section>
      <section aria-labelledby="methods-title">
        <h2 id="methods-title">{t("admin.user.security_info")}</h2>
        <p>
          {t("admin.user.registered_at", { at: formatDate(d.registration?.registeredAt ?? null) })} ·{" "}
          {t("admin.user.reviewed_at", { at: formatDate(d.registration?.reviewedAt ?? null) })}
        </p>
        {d.enrollments.length === 0 ? (
          <p>{t("admin.user.no_methods")}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("admin.user.method")}</th>
                  <th scope="col">{t("admin.user.label")}</th>
                  <th scope="col">{t("admin.user.method_status")}</th>
                  <th scope="col">{t("admin.user.added")}</th>
                  <th scope="col">{t("admin.user.last_used")}</th>
                </tr>
              </thead>
              <tbody>
                {d.enrollments.map((e) => (
                  <tr key={e.id}>
                    <td>{t(`admin.method.${e.method}`)}</td>
                    <td>{e.label}</td>
                    <td>{e.status}</td>
                    <td>{formatDate(e.createdAt)}</td>
                    <td>{formatDate(e.lastUsedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t("admin.user.timeline")}</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("admin.audit.when")}</th>
                <th scope="col">{t("admin.audit.activity")}</th>
                <th scope="col">{t("admin.audit.outcome")}</th>
                <th scope="col">{t("admin.audit.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {d.timeline.map((row) => (
                <tr key={row.id}>
                  <td>{formatDate(row.at)}</td>
                  <td>{row.activity}</td>
                  <td>
                    <Badge
                      ok={row.outcome === "success"}
                      yes={t("admin.audit.success")}
                      no={t("admin.audit.failure")}
                    />
                  </td>
                  <td>{row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {d.timelineTotal > d.timeline.length ? (
          <p>
            <a href={`/admin/audit?user=${encodeURIComponent(d.user.id)}`}>
              {t("admin.user.timeline_more", { count: d.timelineTotal })}
            </a>
          </p>
        ) : null}
      </section>
    </AdminLayout>
  );
}

function NewUserPage(props: {
  ctx: PageContext;
  values: Record<string, string>;
  issues: FieldIssue[];
  message?: string;
}): JSX.Element {
  const { t } = props.ctx;
  const issue = (name: string) => props.issues.find((i) => i.field === name);
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.users.new")} section="/admin/users">
      <h1>{t("admin.users.new")}</h1>
      <ErrorSummary t={t} issues={props.issues} {...(props.message !== undefined ? { message: props.message } : {})} />
      <PostForm action="/admin/users" csrf={props.ctx.csrf}>
        <Field
          name="userName"
          label={t("admin.user.user_name")}
          value={props.values["userName"] ?? ""}
          required
          error={issue("userName")}
        />
        <Field
          name="displayName"
          label={t("admin.user.display_name")}
          value={props.values["displayName"] ?? ""}
          required
          error={issue("displayName")}
        />
        <Field
          name="email"
          type="email"
          label={t("admin.user.email")}
          value={props.values["email"] ?? ""}
          error={issue("email")}
        />
        <Field
          name="mobile"
          type="tel"
          label={t("admin.user.mobile")}
          hint={t("admin.user.phone_hint")}
          value={props.values["mobile"] ?? ""}
          error={issue("mobile")}
        />
        <Field
          name="officePhone"
          type="tel"
          label={t("admin.user.office_phone")}
          value={props.values["officePhone"] ?? ""}
          error={issue("officePhone")}
        />
        <Field
          name="password"
          type="password"
          label={t("admin.user.initial_password")}
          hint={t("admin.user.initial_password_hint")}
          autocomplete="new-password"
          error={issue("password")}
        />
        <Button>{t("admin.users.create")}</Button>
      </PostForm>
    </AdminLayout>
  );
}

const NOTICES = ["unblocked", "disabled", "enabled", "created"] as const;

export async function registerAdminUserRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const builtin = registry.directory.kind === "builtin";
  const builtinAdmin = createBuiltinAdmin(registry);

  const ctxFor = (request: FastifyRequest) =>
    pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });

  app.get("/admin/users", async (request, reply) => {
    const query = parseQuery(userListQuery, request);
    const page = query.page ?? 1;
    const result = await listUsers(registry, { search: query.q, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    return renderPage(
      reply,
      <UsersPage ctx={await ctxFor(request)} result={result} search={query.q} page={page} builtin={builtin} />,
    );
  });

  const renderNew = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    issues: FieldIssue[],
    status: number,
    message?: string,
  ) =>
    renderPage(
      reply,
      <NewUserPage
        ctx={await ctxFor(request)}
        values={values}
        issues={issues}
        {...(message !== undefined ? { message } : {})}
      />,
      { status },
    );

  if (builtin) {
    app.get("/admin/users/new", async (request, reply) => renderNew(request, reply, {}, [], 200));

    app.post("/admin/users", async (request, reply) => {
      const admin = adminOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const values: Record<string, string> = {};
      for (const key of ["userName", "displayName", "email", "mobile", "officePhone"]) {
        const value = body[key];
        if (typeof value === "string") values[key] = value.slice(0, 300);
      }
      let input: z.infer<typeof createUserForm>;
      try {
        input = parseForm(createUserForm, request);
      } catch (error) {
        if (isAppError(error))
          return renderNew(
            request,
            reply,
            values,
            error.issues,
            error.status,
            translate(request.locale, error.messageId),
          );
        throw error;
      }
      try {
        const user = await builtinAdmin.addUser(
          {
            userName: input.userName,
            displayName: input.displayName,
            email: input.email === "" ? null : input.email,
            mobile: input.mobile === "" ? null : input.mobile,
            officePhone: input.officePhone === "" ? null : input.officePhone,
            ...(input.password !== undefined && input.password !== "" ? { password: input.password } : {}),
          },
          { actor: admin.actor, ctx: requestContext(request) },
        );
        return reply.redirect(`/admin/users/${encodeURIComponent(user.id)}?done=created`, 303);
      } catch (error) {
        if (isAppError(error) && error.status < 500) {
          return renderNew(
            request,
            reply,
            values,
            error.issues,
            error.status,
            translate(request.locale, error.messageId),
          );
        }
        throw error;
      }
    });

    for (const action of ["disable", "enable"] as const) {
      app.post(`/admin/users/:id/${action}`, async (request, reply) => {
        const { id } = parseParams(userIdParams, request);
        const admin = adminOf(request);
        const options = { actor: admin.actor, ctx: requestContext(request) };
        if (action === "disable") await builtinAdmin.disableUser(id, options);
        else await builtinAdmin.enableUser(id, options);
        return reply.redirect(`/admin/users/${encodeURIComponent(id)}?done=${action}d`, 303);
      });
    }
  }

  app.get("/admin/users/:id", async (request, reply) => {
    const { id } = parseParams(userIdParams, request);
    const detail = await userDetail(registry, id);
    const done = (request.query as Record<string, unknown> | undefined)?.["done"];
    const notice = NOTICES.find((n) => n === done);
    const ctx = await ctxFor(request);
    return renderPage(
      reply,
      <UserDetailPage
        ctx={ctx}
        detail={detail}
        builtin={builtin}
        {...(notice !== undefined ? { notice: ctx.t(`admin.user.notice.${notice}`) } : {})}
      />,
    );
  });

  app.post("/admin/users/:id/clear-block", async (request, reply) => {
    const { id } = parseParams(userIdParams, request);
    const user = await registry.directory.getUser(id);
    if (user === null) throw new AppError("USER_NOT_FOUND");
    const admin = adminOf(request);
    await registry.throttles.unblock(user.id, { actor: admin.actor, ctx: requestContext(request) });
    return reply.redirect(`/admin/users/${encodeURIComponent(user.id)}?done=unblocked`, 303);
  });
}
