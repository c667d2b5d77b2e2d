/**
 * `/`: the branded password portal (the guide's `passwords.contoso.com`): links to reset, register and
 * change, and the organisation's own text (Markdown set by the administrator, rendered safely).
 */
import type { FastifyInstance } from "fastify";
import type { JSX } from "preact";
import type { Registry } from "../../registry.types.ts";
import { renderPage } from "../render.tsx";
import { Layout } from "../views/layout.tsx";
import { renderSafeMarkdown } from "../views/markdown.ts";
import { type PageContext, pageContext } from "../views/page-context.ts";

function LandingPage(props: { ctx: PageContext; organisationHTML: string | null }): JSX.Element {
  const { t } = props.ctx;
  const actions = [
    { href: "/reset", title: t("landing.reset"), help: t("landing.reset_help"), icon: "↺" },
    { href: "/register", title: t("landing.register"), help: t("landing.register_help"), icon: "✓" },
    { href: "/change", title: t("landing.change"), help: t("landing.change_help"), icon: "✎" },
  ];
  return (
    <Layout ctx={props.ctx} title={t("landing.title")}>
      <h1>{t("landing.heading")}</h1>
      <p class="lead">{t("landing.intro")}</p>
      <ul class="action-cards">
        {actions.map((action) => (
          <li key={action.href}>
            <a class="action-card" href={action.href}>
              <span class="action-card__icon" aria-hidden="true">
                {action.icon}
              </span>
              <span class="action-card__title">{action.title}</span>
              <span class="action-card__help">{action.help}</span>
            </a>
          </li>
        ))}
      </ul>
      {props.organisationHTML !== null ? (
        <section class="org-text" dangerouslySetInnerHTML={{ __html: props.organisationHTML }} />
      ) : null}
    </Layout>
  );
}

export async function registerLandingRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  app.get("/", async (request, reply) => {
    const ctx = await pageContext(registry, request);
    const markdown = ctx.branding.landingMarkdown.trim();
    return renderPage(
      reply,
      <LandingPage ctx={ctx} organisationHTML={markdown === "" ? null : renderSafeMarkdown(markdown)} />,
    );
  });
}
