/**
 * Everything the layout needs to draw a page for one request: language, translator, branding, the CSRF
 * field for forms, the support code. Routes build it once per page with `pageContext(registry, request)`.
 */
import type { FastifyRequest } from "fastify";
import { isLocale, type Locale, type Translate, translator } from "../../messages/index.ts";
import type { Registry } from "../../registry.types.ts";
import { csrfField } from "../csrf.ts";
import { type Branding, DEFAULT_BRANDING, loadBranding } from "./branding.ts";

export interface PageContext {
  locale: Locale;
  t: Translate;
  branding: Branding;
  /** Footer contact: branding's support contact, else the policy's helpdesk contact. */
  supportContact: string;
  /** Path + query of this request (language switcher links keep the page). */
  url: string;
  requestId: string;
  csrf: { name: string; value: string };
  /** Which navigation to draw. */
  area: "portal" | "admin";
  /** Signed-in person shown in the header (admin area), if any. */
  signedInAs: string | null;
}

export async function pageContext(
  registry: Pick<Registry, "stores" | "keys" | "policy" | "log">,
  request: FastifyRequest,
  options: { area?: "portal" | "admin"; signedInAs?: string | null } = {},
): Promise<PageContext> {
  const locale: Locale = isLocale(request.locale) ? request.locale : "en";
  let branding = DEFAULT_BRANDING;
  let supportContact = "";
  try {
    branding = await loadBranding(registry.stores);
    supportContact = branding.supportContact;
    if (supportContact === "") supportContact = (await registry.policy.current()).policy.helpdesk.contact;
  } catch (error) {
    // An error page must still render when the store is down.
    request.log.warn({ err: error }, "branding unavailable; using defaults");
  }
  return {
    locale,
    t: translator(locale),
    branding,
    supportContact,
    url: request.url,
    requestId: String(request.id),
    csrf: csrfField(request, registry.keys),
    area: options.area ?? "portal",
    signedInAs: options.signedInAs ?? null,
  };
}

/** The current URL with `lang` set to `locale` (other query parameters kept). */
export function urlWithLang(url: string, locale: Locale): string {
  const parsed = new URL(url, "http://localhost");
  parsed.searchParams.set("lang", locale);
  return `${parsed.pathname}${parsed.search}`;
}
