/**
 * The ONE place that turns errors into HTTP responses (STYLE rule 3).
 *
 * - `AppError` → its catalog status; its message (translated) when `expose`, else the generic one.
 * - Fastify's own errors: body too large → 413, unsupported content type → 415, bad JSON / validation /
 *   prototype poisoning → 400. Anything else → 500 with no detail.
 * - JSON `{ error: { code, message, issues?, supportCode } }` for `/api/*` or clients asking for JSON;
 *   otherwise an HTML page in the layout with the message and the support code (= request id, which is on
 *   every log line of the request and is the audit records' correlation id).
 * Never a stack trace, never the raw error text of an unexpected error, never request input echoed back.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { AppError, type FieldIssue, isAppError } from "../errors/app-error.ts";
import type { ErrorCode } from "../errors/catalog.ts";
import { t } from "../messages/index.ts";
import type { Registry } from "../registry.types.ts";
import { renderPage } from "./render.tsx";
import { ErrorPage } from "./views/error-page.tsx";
import { pageContext } from "./views/page-context.ts";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: FieldIssue[]; supportCode: string };
}

/** Maps a Fastify framework error to a catalog code (null when it is not one of them). */
function frameworkCode(error: FastifyError): ErrorCode | null {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "BODY_TOO_LARGE";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST";
    case "FST_ERR_VALIDATION":
      return "VALIDATION_FAILED";
    default:
      break;
  }
  if (error.validation !== undefined) return "VALIDATION_FAILED";
  // JSON syntax errors, prototype poisoning, empty JSON body, bad URL...: all client errors without detail.
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    if (error.statusCode === 413) return "BODY_TOO_LARGE";
    if (error.statusCode === 415) return "UNSUPPORTED_MEDIA_TYPE";
    if (error.statusCode === 404) return "NOT_FOUND";
    return "BAD_REQUEST";
  }
  return null;
}

/** Converts anything thrown into an AppError (unknown errors become INTERNAL). */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error !== null && typeof error === "object" && "code" in error) {
    const code = frameworkCode(error as FastifyError);
    if (code !== null) return new AppError(code, { cause: error });
  }
  return new AppError("INTERNAL", { cause: error });
}

/** Whether the client should get JSON: the API, or an explicit JSON Accept header without HTML. */
export function wantsJSON(request: FastifyRequest): boolean {
  if (request.url.startsWith("/api/")) return true;
  const accept = request.headers.accept ?? "";
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

export async function sendError(
  registry: Registry,
  request: FastifyRequest,
  reply: FastifyReply,
  appError: AppError,
): Promise<FastifyReply> {
  const locale = request.locale ?? registry.config.i18n.defaultLocale;
  const message = appError.expose
    ? t(locale, appError.messageId, appError.params)
    : t(locale, appError.status === 503 ? appError.messageId : "error.internal");
  const supportCode = String(request.id);
  if (appError.code === "RATE_LIMITED" || appError.code === "BLOCKED") reply.header("retry-after", "3600");
  if (wantsJSON(request)) {
    const body: ErrorBody = {
      error: {
        code: appError.expose ? appError.code : appError.status === 503 ? appError.code : "INTERNAL",
        message,
        ...(appError.issues.length > 0 ? { issues: appError.issues } : {}),
        supportCode,
      },
    };
    return reply.code(appError.status).type("application/json; charset=utf-8").send(body);
  }
  const ctx = await pageContext(registry, request);
  const title = appError.status === 404 ? ctx.t("notfound.title") : ctx.t("errorpage.title");
  return renderPage(reply, h(ErrorPage, { ctx, title, message, issues: appError.issues, supportCode }), {
    status: appError.status,
  });
}

export function installErrorHandlers(app: FastifyInstance, registry: Registry): void {
  app.setErrorHandler(async (error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) {
      request.log.error({ err: error, code: appError.code }, "request failed");
    } else {
      request.log.info({ code: appError.code, status: appError.status }, "request refused");
    }
    try {
      return await sendError(registry, request, reply, appError);
    } catch (renderError) {
      request.log.error({ err: renderError }, "error page failed to render");
      return reply
        .code(appError.status)
        .type("text/plain; charset=utf-8")
        .send(`${t("en", "error.internal")} Support code: ${String(request.id)}`);
    }
  });
  app.setNotFoundHandler(async (request, reply) => sendError(registry, request, reply, new AppError("NOT_FOUND")));
}
