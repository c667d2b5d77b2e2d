/**
 * The page frame: skip link, branded header (organisation name + logo), language switcher, one `main`
 * landmark, footer with the support contact. No inline script or style anywhere (strict CSP): the brand
 * colour comes from `/assets/brand.css`.
 */
import type { ComponentChildren, JSX } from "preact";
import { LOCALES, type Locale } from "../../messages/index.ts";
import { contactHref } from "./branding.ts";
import { type PageContext, urlWithLang } from "./page-context.ts";

const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", fr: "Français", de: "Deutsch" };

/** Puts `node` where the NUL placeholder sits in a translated string (links inside sentences). */
export function withSlot(text: string, node: JSX.Element): ComponentChildren {
  const at = text.indexOf("\u0000");
  if (at < 0) return text;
  return (
    <>
      {text.slice(0, at)}
      {node}
      {text.slice(at + 1)}
    </>
  );
}

export interface LayoutProps {
  ctx: PageContext;
  /** The page's own title (the organisation name is appended). */
  title: string;
  /** Extra header navigation (admin menu). */
  nav?: ComponentChildren;
  /** Wider main column (admin tables). */
  wide?: boolean;
  /** Extra stylesheet/script paths under /assets (e.g. a page's small island of code). */
  scripts?: string[];
  children?: ComponentChildren;
}

export function Layout(props: LayoutProps): JSX.Element {
  const { ctx } = props;
  const { t, branding } = ctx;
  const href = ctx.supportContact === "" ? null : contactHref(ctx.supportContact);
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · ${branding.organisationName}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/portal.css" />
        <link rel="stylesheet" href="/assets/brand.css" />
        {(props.scripts ?? []).map((src) => (
          <script key={src} src={src} defer />
        ))}
      </head>
      <body class={ctx.area === "admin" ? "area-admin" : "area-portal"}>
        <a class="skip-link" href="#main">
          {t("layout.skip_to_content")}
        </a>
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href={ctx.area === "admin" ? "/admin" : "/"}>
              {branding.logoDataUrl !== null ? <img class="brand__logo" src={branding.logoDataUrl} alt="" /> : null}
              <span class="brand__name">{branding.organisationName}</span>
            </a>
            <nav class="lang-switch" aria-label={t("layout.language")}>
              <ul>
                {LOCALES.map((locale) => (
                  <li key={locale}>
                    <a
                      href={urlWithLang(ctx.url, locale)}
                      hreflang={locale}
                      lang={locale}
                      aria-current={locale === ctx.locale ? "true" : undefined}
                    >
                      {LANGUAGE_NAMES[locale]}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          {props.nav !== undefined ? <div class="site-nav">{props.nav}</div> : null}
        </header>
        <main id="main" class={props.wide === true ? "main main--wide" : "main"} tabIndex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <p>
            {ctx.supportContact === ""
              ? t("layout.support_default")
              : href !== null
                ? withSlot(t("layout.support", { contact: "\u0000" }), <a href={href}>{ctx.supportContact}</a>)
                : t("layout.support", { contact: ctx.supportContact })}
          </p>
          <p class="site-footer__small">{t("layout.powered_by")}</p>
        </footer>
      </body>
    </html>
  );
}
