/** `/admin`: directory status, policy summary and registration coverage at a glance. */
import type { FastifyInstance } from "fastify";
import type { JSX } from "preact";
import type { Registry } from "../../registry.types.ts";
import { renderPage } from "../render.tsx";
import { ButtonLink, Notice } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { type DashboardData, dashboard } from "./admin.service.ts";
import { adminOf } from "./admin-auth.ts";
import { AdminLayout, formatDate } from "./views/admin-layout.tsx";

function DashboardPage(props: { ctx: PageContext; data: DashboardData }): JSX.Element {
  const { t } = props.ctx;
  const { data } = props;
  const policy = data.policy.policy;
  const coverage = data.users !== null && data.users > 0 ? Math.round((data.registered / data.users) * 100) : null;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.dashboard.title")} section="/admin">
      <h1>{t("admin.dashboard.title")}</h1>
      {data.directory.ok ? (
        <Notice kind="success">
          <p>{t("admin.dashboard.directory_ok", { kind: data.directory.kind })}</p>
        </Notice>
      ) : (
        <Notice kind="error">
          <p>{t("admin.dashboard.directory_down", { kind: data.directory.kind })}</p>
        </Notice>
      )}
      <ul class="stats">
        <li class="stat">
          <span class="stat__value">{data.users ?? "—"}</span>
          <span class="stat__label">{t("admin.dashboard.users")}</span>
        </li>
        <li class="stat">
          <span class="stat__value">{data.registered}</span>
          <span class="stat__label">{t("admin.dashboard.registered")}</span>
        </li>
        <li class="stat">
          <span class="stat__value">{coverage === null ? "—" : `${coverage}%`}</span>
          <span class="stat__label">{t("admin.dashboard.coverage")}</span>
        </li>
        <li class="stat">
          <span class="stat__value">{data.activeBlocks}</span>
          <span class="stat__label">{t("admin.dashboard.blocked")}</span>
        </li>
        <li class="stat">
          <span class="stat__value">{data.outbox?.queued ?? "—"}</span>
          <span class="stat__label">{t("admin.dashboard.queued")}</span>
        </li>
      </ul>
      <h2>{t("admin.dashboard.policy")}</h2>
      <div class="table-wrap">
        <table>
          <tbody>
            <tr>
              <th scope="row">{t("admin.policy.enabled")}</th>
              <td>
                {t(`admin.policy.enabled.${policy.enabled}`)}
                {policy.enabled === "selected" ? ` (${policy.scopeGroups.join(", ")})` : ""}
              </td>
            </tr>
            <tr>
              <th scope="row">{t("admin.policy.methods_required")}</th>
              <td>{policy.methodsRequired}</td>
            </tr>
            <tr>
              <th scope="row">{t("admin.policy.methods")}</th>
              <td>{policy.methods.map((m) => t(`admin.method.${m}`)).join(", ")}</td>
            </tr>
            <tr>
              <th scope="row">{t("admin.policy.registration_required")}</th>
              <td>{policy.registration.required ? t("common.yes") : t("common.no")}</td>
            </tr>
            <tr>
              <th scope="row">{t("admin.dashboard.policy_version")}</th>
              <td>
                {data.policy.version} · {formatDate(data.policy.version === 0 ? null : data.policy.createdAt)}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <h2>{t("admin.dashboard.by_method")}</h2>
      <ul>
        {Object.entries(data.enrollmentsByMethod).map(([method, count]) => (
          <li key={method}>
            {t(`admin.method.${method}`)}: {count}
          </li>
        ))}
      </ul>
      <p class="button-row">
        <ButtonLink href="/admin/policy">{t("admin.dashboard.edit_policy")}</ButtonLink>
        <ButtonLink href="/admin/users" kind="secondary">
          {t("admin.nav.users")}
        </ButtonLink>
      </p>
    </AdminLayout>
  );
}

export async function registerAdminDashboardRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  app.get("/admin", async (request, reply) => {
    const data = await dashboard(registry);
    const ctx = await pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });
    return renderPage(reply, <DashboardPage ctx={ctx} data={data} />);
  });
}
