import type { ComponentChildren, JSX } from "preact";
import { Button, PostForm } from "../../views/components.tsx";
import { Layout } from "../../views/layout.tsx";
import type { PageContext } from "../../views/page-context.ts";

export const ADMIN_SECTIONS = [
  { href: "/admin", label: "admin.nav.dashboard" },
  { href: "/admin/policy", label: "admin.nav.policy" },
  { href: "/admin/users", label: "admin.nav.users" },
  { href: "/admin/groups", label: "admin.nav.groups" },
  { href: "/admin/outbox", label: "admin.nav.outbox" },
  { href: "/admin/audit", label: "admin.nav.audit" },
  { href: "/admin/settings", label: "admin.nav.settings" },
] as const;

/** The admin frame: the portal layout with the admin menu and a sign-out button. */
export function AdminLayout(props: {
  ctx: PageContext;
  title: string;
  /** Which menu entry is current. */
  section: (typeof ADMIN_SECTIONS)[number]["href"] | null;
  children?: ComponentChildren;
}): JSX.Element {
  const { t } = props.ctx;
  const nav =
    props.section === null ? undefined : (
      <nav aria-label={t("admin.nav.label")}>
        <ul>
          {ADMIN_SECTIONS.map((section) => (
            <li key={section.href}>
              <a href={section.href} aria-current={section.href === props.section ? "page" : undefined}>
                {t(section.label)}
              </a>
            </li>
          ))}
          <li>
            <PostForm action="/admin/sign-out" csrf={props.ctx.csrf} class="inline-form" label={t("layout.sign_out")}>
              <Button kind="link">{t("layout.sign_out")}</Button>
            </PostForm>
          </li>
        </ul>
      </nav>
    );
  return (
    <Layout ctx={props.ctx} title={props.title} nav={nav} wide={props.section !== null}>
      {props.children}
    </Layout>
  );
}

/** Formats a date for admin tables (UTC, to the minute). */
export function formatDate(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return "—";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
