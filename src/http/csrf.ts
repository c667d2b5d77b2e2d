/**
 * CSRF protection for every state-changing request (REQ-089, SPEC §8).
 *
 * Threat: a page on another site auto-submits a form to `/reset`, `/change` or `/admin/*` with the victim's
 * cookies — mail/SMS bombing from unauthenticated forms, or admin changes made in an admin's browser.
 *
 * - HTML forms: synchronizer token. Each browser gets a random secret in an HttpOnly cookie
 *   (`__Host-` prefixed over https); the form carries `HMAC(keys.csrf, secret)` in `_csrf`. Another site can
 *   neither read the cookie nor compute the HMAC, so it cannot produce a matching field.
 * - Requests marked `Sec-Fetch-Site: cross-site` are refused on unsafe methods whatever they carry
 *   (Fetch Metadata, defence in depth).
 * - JSON API (`/api/*`): a body must be `Content-Type: application/json`. A cross-site form cannot send that
 *   content type, and a cross-site `fetch` that does needs a CORS preflight, which fails because this server
 *   sends no `Access-Control-Allow-*` headers at all (REQ-091: no CORS). So JSON requests need no token.
 * - Admin API with `Authorization: Bearer <api key>` uses no cookies, so there is nothing to forge.
 * Routes can opt out with `config: { csrf: false }` (none should need to).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors/app-error.ts";
import { token } from "../kernel/random.ts";
import { hmacHex, safeEqual } from "../kernel/secrets.ts";
import type { Registry } from "../registry.types.ts";

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyRequest {
    /** This browser's CSRF secret (from its cookie, or freshly issued on this response). */
    csrfSecret: string | null;
    /** The form token for this browser ("" without a CSRF cookie); set with `csrfSecret`. */
    csrfTokenValue: string;
  }
  interface FastifyContextConfig {
    /** `false` turns off the CSRF check for a route. @default true */
    csrf?: boolean;
  }
}

export type CSRFDeps = Pick<Registry, "keys" | "random" | "config">;

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isHTTPS(config: Registry["config"]): boolean {
  return config.server.publicUrl.startsWith("https:");
}

export function csrfCookieName(config: Registry["config"]): string {
  // `__Host-` needs Secure, which browsers only keep over https; plain http (development) gets a plain name.
  return isHTTPS(config) ? "__Host-opensspr-csrf" : "opensspr-csrf";
}

function tokenFor(keys: Registry["keys"], secret: string): string {
  return hmacHex(keys.csrf, "csrf", secret);
}

/**
 * onRequest hook: reads this browser's CSRF secret, or issues one (as a cookie on this response) for page
 * requests, so that the form rendered by this response can be submitted.
 */
export function csrfOnRequest(deps: CSRFDeps) {
  const cookieName = csrfCookieName(deps.config);
  const secure = isHTTPS(deps.config);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const existing = request.cookies[cookieName];
    if (typeof existing === "string" && /^[A-Za-z0-9_-]{43}$/.test(existing)) {
      request.csrfSecret = existing;
      request.csrfTokenValue = tokenFor(deps.keys, existing);
      return;
    }
    request.csrfSecret = null;
    request.csrfTokenValue = "";
    if (request.method !== "GET" && request.method !== "HEAD") return;
    const path = request.url;
    if (path.startsWith("/api/") || path.startsWith("/assets/") || /^\/(healthz|readyz|metrics)\b/.test(path)) return;
    const secret = token(deps.random, 32);
    request.csrfSecret = secret;
    request.csrfTokenValue = tokenFor(deps.keys, secret);
    reply.setCookie(cookieName, secret, { path: "/", httpOnly: true, secure, sameSite: "lax" });
  };
}

/** The token to put in a form's `_csrf` field (empty when this browser has no CSRF cookie). */
export function csrfToken(request: FastifyRequest, keys?: Registry["keys"]): string {
  if (request.csrfSecret === null || request.csrfSecret === undefined) return "";
  return keys === undefined ? (request.csrfTokenValue ?? "") : tokenFor(keys, request.csrfSecret);
}

/** `{ name, value }` of the hidden field for views (`<CsrfField field={csrfField(request)} />`). */
export function csrfField(request: FastifyRequest, keys?: Registry["keys"]): { name: string; value: string } {
  return { name: CSRF_FIELD, value: csrfToken(request, keys) };
}

function isJSONContentType(request: FastifyRequest): boolean {
  const type = request.headers["content-type"];
  return typeof type === "string" && /^application\/json\s*(;|$)/i.test(type);
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** The JSON API: by the matched route pattern (not the raw URL, which path tricks can disguise). */
export function isAPIRequest(request: FastifyRequest): boolean {
  return (request.routeOptions.url ?? request.url).startsWith("/api/");
}

/** True for `Authorization: Bearer ...` (admin API keys; checked by the admin API's auth hook). */
export function hasBearer(request: FastifyRequest): boolean {
  const header = request.headers.authorization;
  return typeof header === "string" && /^Bearer\s+\S+/i.test(header);
}

/**
 * preValidation hook: refuses unsafe requests that do not prove they come from our own pages.
 * Runs after the body is parsed, before the route handler.
 */
export function csrfPreValidation(deps: CSRFDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    if (request.routeOptions.config?.csrf === false) return;
    const isAPI = isAPIRequest(request);
    if (isAPI) {
      // A body must be JSON; a cookie-authenticated POST must say JSON even without a body, so that a
      // cross-site page can only make it after a CORS preflight (which this server never answers).
      // PUT/PATCH/DELETE are never "simple" requests: cross-site they always need that preflight.
      const cookiePost = request.method === "POST" && !hasBearer(request);
      if ((hasBody(request) || cookiePost) && !isJSONContentType(request)) {
        throw new AppError("UNSUPPORTED_MEDIA_TYPE");
      }
    }
    if (request.headers["sec-fetch-site"] === "cross-site") throw new AppError("CSRF_INVALID");
    if (isAPI) return;
    if (hasBearer(request)) throw new AppError("CSRF_INVALID");
    const body = request.body as Record<string, unknown> | null | undefined;
    const fromBody = body !== null && typeof body === "object" ? body[CSRF_FIELD] : undefined;
    const fromHeader = request.headers[CSRF_HEADER];
    const submitted = typeof fromBody === "string" ? fromBody : typeof fromHeader === "string" ? fromHeader : null;
    if (submitted === null || request.csrfSecret === null) throw new AppError("CSRF_INVALID");
    if (!safeEqual(submitted, tokenFor(deps.keys, request.csrfSecret))) throw new AppError("CSRF_INVALID");
  };
}
