/**
 * The HTTP server (ARCHITECTURE http/server.ts): Fastify 5 with request ids, body limits, form parsing,
 * cookies, strict security headers, CSRF, static assets, health/readiness/metrics, error handling, and the
 * route modules of every surface. Routes stay thin: parse → call a service → render.
 */
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { newUUID } from "../kernel/ids.ts";
import type { Registry } from "../registry.types.ts";
import { registerAdminRoutes } from "./admin/admin.routes.tsx";
import { registerAdminAPIRoutes } from "./api/admin.api.ts";
import { csrfOnRequest, csrfPreValidation, isHTTPS } from "./csrf.ts";
import { installErrorHandlers } from "./error-handler.ts";
import { createHTTPMetrics, outboxDepth } from "./metrics.ts";
import { registerChangeRoutes } from "./public/change.routes.tsx";
import { registerLandingRoutes } from "./public/landing.routes.tsx";
import { registerPasskeyAssetRoutes } from "./public/passkey-assets.routes.ts";
import { registerRegistrationRoutes } from "./public/registration.routes.tsx";
import { registerResetRoutes } from "./public/reset.routes.tsx";
import { LOCALE_COOKIE, resolveLocale } from "./request-context.ts";
import { brandCSS } from "./views/brand-css.ts";
import { loadBranding } from "./views/branding.ts";

export const ASSETS_DIR = join(import.meta.dirname, "views", "assets");

/** The Content-Security-Policy: our origin only, no inline script or style, no framing (REQ-090). */
export function contentSecurityPolicy(options: { https: boolean }): Record<string, string[]> {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
  };
  if (options.https) directives["upgrade-insecure-requests"] = [];
  return directives;
}

/** Query parameters whose values never reach a log line (setup/reset tokens, codes). */
const SECRET_QUERY = /token|code|secret|key|password|sig/i;

/** The URL as logged: path kept, secret-looking query values replaced. */
export function redactURL(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  for (const key of [...params.keys()]) if (SECRET_QUERY.test(key)) params.set(key, "[redacted]");
  return `${url.slice(0, at)}?${params.toString()}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export async function buildServer(registry: Registry): Promise<FastifyInstance> {
  const { config } = registry;
  const https = isHTTPS(config);
  const app = Fastify({
    loggerInstance: registry.log as FastifyBaseLogger,
    // Our own UUID for every request; a client-sent X-Request-Id is not trusted (it becomes the support code).
    genReqId: () => newUUID(registry.random),
    requestIdHeader: false,
    // Our own "request completed" line (onResponse below) logs the route and a redacted URL instead.
    logController: new LogController({ requestIdLogLabel: "reqId", disableRequestLogging: true }),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });

  app.decorateRequest("locale", "en");
  app.decorateRequest("csrfSecret", null);
  app.decorateRequest("csrfTokenValue", "");

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: config.server.bodyLimitBytes });
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy({ https }) },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "no-referrer" },
    crossOriginResourcePolicy: { policy: "same-origin" },
    crossOriginOpenerPolicy: { policy: "same-origin" },
    frameguard: { action: "deny" },
  });

  const metrics = createHTTPMetrics();
  const startedAt = new Date();

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", String(request.id));
    const { locale, fromQuery } = resolveLocale(request, config.i18n.defaultLocale);
    request.locale = locale;
    if (fromQuery)
      reply.setCookie(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", secure: https, httpOnly: true });
  });
  app.addHook("onRequest", csrfOnRequest(registry));
  app.addHook("preValidation", csrfPreValidation(registry));
  app.addHook("onSend", async (request, reply, payload) => {
    // Nothing an auth page shows may be cached (REQ-090); static assets are the only exception.
    if (!request.url.startsWith("/assets/")) reply.header("cache-control", "no-store");
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.observe({ method: request.method, route, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
    if (route === "/healthz" || route === "/metrics" || route.startsWith("/assets/")) return;
    request.log.info(
      {
        method: request.method,
        url: redactURL(request.url),
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ip: request.ip,
      },
      "request completed",
    );
  });

  installErrorHandlers(app, registry);

  // Brand colour as a stylesheet (no inline styles under the CSP); registered before the static wildcard.
  app.get("/assets/brand.css", async (_request, reply) => {
    const branding = await loadBranding(registry.stores);
    return reply.type("text/css; charset=utf-8").header("cache-control", "no-cache").send(brandCSS(branding));
  });
  await app.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: "/assets/",
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: "deny",
    maxAge: 3_600_000,
  });

  app.get("/healthz", async (_request, reply) => reply.send({ status: "ok" }));
  app.get("/readyz", async (request, reply) => {
    const checks: Record<string, "ok" | "fail"> = { store: "ok", directory: "ok" };
    try {
      await withTimeout(registry.stores.ping(), 3000);
    } catch (error) {
      checks["store"] = "fail";
      request.log.warn({ err: error }, "readiness: store unreachable");
    }
    try {
      const health = await withTimeout(registry.directory.health(), 5000);
      if (!health.ok) {
        checks["directory"] = "fail";
        // The detail (server names, DNs) goes to the log only (REQ-107).
        request.log.warn({ detail: health.detail }, "readiness: directory unhealthy");
      }
    } catch (error) {
      checks["directory"] = "fail";
      request.log.warn({ err: error }, "readiness: directory check failed");
    }
    const ready = Object.values(checks).every((value) => value === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", checks });
  });
  app.get("/metrics", async (_request, reply) => {
    const outbox = await outboxDepth(registry.stores);
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render({ outbox, startedAt }));
  });

  await registerLandingRoutes(app, registry);
  await registerPasskeyAssetRoutes(app);
  await registerRegistrationRoutes(app, registry);
  await registerResetRoutes(app, registry);
  await registerChangeRoutes(app, registry);
  await registerAdminRoutes(app, registry);
  await registerAdminAPIRoutes(app, registry);

  return app;
}
