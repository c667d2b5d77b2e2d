/**
 * `/admin/settings`: admin API keys (create — shown once —, revoke) and the portal branding (organisation
 * name, colour, support contact, logo, landing-page Markdown). Every change is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { z } from "zod";
import { type FieldIssue, isAppError } from "../../errors/app-error.ts";
import { t as translate } from "../../messages/index.ts";
import type { Registry } from "../../registry.types.ts";
import { field, parseForm, parseParams } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import {
  BRANDING_SETTINGS_KEY,
  type Branding,
  contactHref,
  HEX_COLOR,
  LOGO_DATA_URL,
  loadBranding,
} from "../views/branding.ts";
import { Button, ErrorSummary, Field, Notice, PostForm } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { adminOf } from "./admin-auth.ts";
import { type APIKeySummary, createAPIKey, listAPIKeys, revokeAPIKey } from "./api-keys.ts";
import { AdminLayout, formatDate } from "./views/admin-layout.tsx";

const keyForm = z.object({ name: field.text({ max: 64 }) });
const keyParams = z.object({ id: z.string().min(1).max(100) });
export const brandingSchema = z.object({
  organisationName: field.text({ max: 100 }),
  primaryColor: field.text({ max: 7 }).refine((v) => HEX_COLOR.test(v), { error: "admin.branding.bad_color" }),
  supportContact: field
    .optionalText({ max: 200 })
    .refine((v) => v === "" || contactHref(v) !== null, { error: "admin.branding.bad_contact" }),
  logoDataUrl: field
    .optionalText({ max: 60_000 })
    .refine((v) => v === "" || LOGO_DATA_URL.test(v), { error: "admin.branding.bad_logo" }),
  landingMarkdown: field.optionalText({ max: 20_000 }),
});

function SettingsPage(props: {
  ctx: PageContext;
  keys: APIKeySummary[];
  newKey?: { name: string; key: string };
  branding: Branding;
  brandingValues?: Record<string, string>;
  issues: FieldIssue[];
  message?: string;
  notice?: string;
}): JSX.Element {
  const { t } = props.ctx;
  const b = props.brandingValues ?? {
    organisationName: props.branding.organisationName,
    primaryColor: props.branding.primaryColor,
    supportContact: props.branding.supportContact,
    logoDataUrl: props.branding.logoDataUrl ?? "",
    landingMarkdown: props.branding.landingMarkdown,
  };
  const issue = (name: string) => props.issues.find((i) => i.field === name);
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.settings.title")} section="/admin/settings">
      <h1>{t("admin.settings.title")}</h1>
      {props.notice !== undefined ? (
        <Notice kind="success">
          <p>{props.notice}</p>
        </Notice>
      ) : null}
      <ErrorSummary t={t} issues={props.issues} {...(props.message !== undefined ? { message: props.message } : {})} />
      <section aria-labelledby="keys-title">
        <h2 id="keys-title">{t("admin.keys.title")}</h2>
        <p>{t("admin.keys.intro")}</p>
        {props.newKey !== undefined ? (
          <Notice kind="warning" title={t("admin.keys.created", { name: props.newKey.name })}>
            <p>{t("admin.keys.copy_now")}</p>
            <p>
              <code class="mono">{props.newKey.key}</code>
            </p>
          </Notice>
        ) : null}
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("admin.keys.name")}</th>
                <th scope="col">{t("admin.keys.created_by")}</th>
                <th scope="col">{t("admin.keys.created_at")}</th>
                <th scope="col">{t("admin.keys.last_used")}</th>
                <th scope="col">{t("admin.keys.state")}</th>
              </tr>
            </thead>
            <tbody>
              {props.keys.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>{key.createdByName}</td>
                  <td>{formatDate(key.createdAt)}</td>
                  <td>{formatDate(key.lastUsedAt)}</td>
                  <td>
                    {key.revokedAt !== null ? (
                      <span class="badge badge--bad">{t("admin.keys.revoked", { at: formatDate(key.revokedAt) })}</span>
                    ) : (
                      <PostForm
                        action={`/admin/settings/api-keys/${encodeURIComponent(key.id)}/revoke`}
                        csrf={props.ctx.csrf}
                        class="inline-form"
                        label={t("admin.keys.revoke")}
                      >
                        <Button kind="danger">{t("admin.keys.revoke")}</Button>
                      </PostForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <PostForm action="/admin/settings/api-keys" csrf={props.ctx.csrf} label={t("admin.keys.create")}>
          <Field
            name="name"
            label={t("admin.keys.name")}
            hint={t("admin.keys.name_hint")}
            required
            error={issue("name")}
          />
          <Button>{t("admin.keys.create")}</Button>
        </PostForm>
      </section>
      <section aria-labelledby="branding-title">
        <h2 id="branding-title">{t("admin.branding.title")}</h2>
        <PostForm action="/admin/settings/branding" csrf={props.ctx.csrf} label={t("admin.branding.title")}>
          <Field
            name="organisationName"
            label={t("admin.branding.organisation")}
            value={b["organisationName"] ?? ""}
            required
            error={issue("organisationName")}
          />
          <Field
            name="primaryColor"
            label={t("admin.branding.color")}
            hint="#2457c5"
            value={b["primaryColor"] ?? ""}
            required
            error={issue("primaryColor")}
          />
          <Field
            name="supportContact"
            label={t("admin.branding.contact")}
            hint={t("admin.branding.contact_hint")}
            value={b["supportContact"] ?? ""}
            error={issue("supportContact")}
          />
          <Field
            name="logoDataUrl"
            label={t("admin.branding.logo")}
            hint={t("admin.branding.logo_hint")}
            multiline
            rows={2}
            value={b["logoDataUrl"] ?? ""}
            error={issue("logoDataUrl")}
          />
          <Field
            name="landingMarkdown"
            label={t("admin.branding.landing")}
            hint={t("admin.branding.landing_hint")}
            multiline
            rows={8}
            value={b["landingMarkdown"] ?? ""}
            error={issue("landingMarkdown")}
          />
          <Button>{t("common.save")}</Button>
        </PostForm>
      </section>
    </AdminLayout>
  );
}

export async function saveBranding(
  registry: Registry,
  input: z.infer<typeof brandingSchema>,
  options: { actor: { id: string; name: string }; ctx: ReturnType<typeof requestContext> },
): Promise<void> {
  const before = await loadBranding(registry.stores);
  const next = {
    organisationName: input.organisationName,
    primaryColor: input.primaryColor.toLowerCase(),
    supportContact: input.supportContact,
    logoDataUrl: input.logoDataUrl === "" ? null : input.logoDataUrl,
    landingMarkdown: input.landingMarkdown,
  };
  await registry.stores.settings.set(BRANDING_SETTINGS_KEY, next, registry.clock.now());
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((key) => next[key] !== before[key]);
  await registry.audit.record({
    activity: "brandingChanged",
    outcome: "success",
    reason: "Portal branding updated",
    actor: options.actor,
    target: { id: "branding", name: "Portal branding" },
    ctx: options.ctx,
    details: { changed },
  });
}

export async function registerAdminSettingsRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      newKey?: { name: string; key: string };
      issues?: FieldIssue[];
      message?: string;
      status?: number;
      notice?: string;
      brandingValues?: Record<string, string>;
    } = {},
  ) => {
    const ctx = await pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });
    return renderPage(
      reply,
      <SettingsPage
        ctx={ctx}
        keys={await listAPIKeys(registry)}
        branding={await loadBranding(registry.stores)}
        issues={options.issues ?? []}
        {...(options.newKey !== undefined ? { newKey: options.newKey } : {})}
        {...(options.message !== undefined ? { message: options.message } : {})}
        {...(options.notice !== undefined ? { notice: options.notice } : {})}
        {...(options.brandingValues !== undefined ? { brandingValues: options.brandingValues } : {})}
      />,
      { status: options.status ?? 200 },
    );
  };

  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    extra: { brandingValues?: Record<string, string> } = {},
  ) => {
    if (isAppError(error) && error.status < 500) {
      return render(request, reply, {
        issues: error.issues,
        message: translate(request.locale, error.messageId),
        status: error.status,
        ...extra,
      });
    }
    throw error;
  };

  app.get("/admin/settings", async (request, reply) => {
    const done = (request.query as Record<string, unknown> | undefined)?.["done"];
    return render(
      request,
      reply,
      done === "branding"
        ? { notice: translate(request.locale, "admin.branding.saved") }
        : done === "revoked"
          ? { notice: translate(request.locale, "admin.keys.revoked_notice") }
          : {},
    );
  });

  app.post("/admin/settings/api-keys", async (request, reply) => {
    try {
      const input = parseForm(keyForm, request);
      const created = await createAPIKey(registry, input, {
        actor: adminOf(request).actor,
        ctx: requestContext(request),
      });
      // Shown once, in this response only (never in a URL or a later page).
      return render(request, reply, { newKey: { name: created.record.name, key: created.key }, status: 201 });
    } catch (error) {
      return refused(request, reply, error);
    }
  });

  app.post("/admin/settings/api-keys/:id/revoke", async (request, reply) => {
    const { id } = parseParams(keyParams, request);
    await revokeAPIKey(registry, id, { actor: adminOf(request).actor, ctx: requestContext(request) });
    return reply.redirect("/admin/settings?done=revoked", 303);
  });

  app.post("/admin/settings/branding", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = {};
    for (const key of ["organisationName", "primaryColor", "supportContact", "logoDataUrl", "landingMarkdown"]) {
      const value = body[key];
      if (typeof value === "string") values[key] = value.slice(0, 60_000);
    }
    try {
      const input = parseForm(brandingSchema, request);
      await saveBranding(registry, input, { actor: adminOf(request).actor, ctx: requestContext(request) });
    } catch (error) {
      return refused(request, reply, error, { brandingValues: values });
    }
    return reply.redirect("/admin/settings?done=branding", 303);
  });
}
