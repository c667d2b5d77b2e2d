/**
 * Who is asking, from where, in which language: the `RequestContext` services receive for audit
 * (registry.types.ts). The locale comes from `?lang=` (remembered in a cookie so redirects keep it), then
 * that cookie, then `Accept-Language`, then the configured default.
 */
import type { FastifyRequest } from "fastify";
import { isLocale, LOCALES, type Locale } from "../messages/index.ts";
import type { RequestContext } from "../registry.types.ts";

export const LOCALE_COOKIE = "opensspr-lang";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the server's onRequest hook (`resolveLocale`). */
    locale: Locale;
  }
}

/** Picks the best supported locale from an `Accept-Language` header (q-values honoured). */
export function localeFromAcceptLanguage(header: string | undefined): Locale | null {
  if (header === undefined || header === "") return null;
  const ranges = header
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const quality = q === undefined ? 1 : Number.parseFloat(q.slice(2));
      return { tag: tag.toLowerCase(), quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((range) => range.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    const primary = range.tag.split("-")[0];
    if (isLocale(primary)) return primary;
  }
  return null;
}

/** `?lang=` → cookie → Accept-Language → default. */
export function resolveLocale(request: FastifyRequest, defaultLocale: Locale): { locale: Locale; fromQuery: boolean } {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.["lang"];
  if (isLocale(fromQuery)) return { locale: fromQuery, fromQuery: true };
  const fromCookie = request.cookies?.[LOCALE_COOKIE];
  if (isLocale(fromCookie)) return { locale: fromCookie, fromQuery: false };
  const accepted = localeFromAcceptLanguage(request.headers["accept-language"]);
  return { locale: accepted ?? defaultLocale, fromQuery: false };
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  return {
    // request.ip honours `server.trustProxy` only (REQ-119: never a client-chosen X-Forwarded-For otherwise).
    ip: request.ip ?? null,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, 512) : null,
    requestId: String(request.id),
    locale: isLocale(request.locale) ? request.locale : LOCALES[0],
  };
}
