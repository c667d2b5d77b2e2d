/**
 * Change password (SPEC §6, REQ-080..083): the `/change` page and `POST /api/v1/change`. POST only, CSRF
 * protected (server hook), every field a single string; the service does the rest.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isAppError } from "../../errors/app-error.ts";
import { createChangePasswordService } from "../../flows/change-password/change-password.service.ts";
import { t } from "../../messages/index.ts";
import type { Registry } from "../../registry.types.ts";
import { field, parseForm, parseJSON } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { pageContext } from "../views/page-context.ts";
import { ChangeDonePage, ChangePage } from "./change.views.tsx";

const shape = {
  userName: field.text({ max: 256 }),
  currentPassword: field.secret({ max: 1024 }),
  newPassword: field.secret({ max: 1024 }),
  confirm: field.secret({ max: 1024 }),
};
const formSchema = z.object(shape);
const jsonSchema = z.strictObject(shape);

/** Refusals shown on the form itself (with the support code) rather than on an error page. */
const INLINE_CODES = new Set([
  "VALIDATION_FAILED",
  "PASSWORD_REJECTED",
  "INVALID_CREDENTIALS",
  "RATE_LIMITED",
  "DIRECTORY_UNAVAILABLE",
]);

export async function registerChangeRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const service = createChangePasswordService(registry);

  app.get("/change", async (request, reply) => {
    const ctx = await pageContext(registry, request);
    return renderPage(reply, <ChangePage ctx={ctx} userName="" error={null} />);
  });

  app.post("/change", async (request, reply) => {
    const body = request.body as Record<string, unknown> | null;
    const typedName = typeof body?.userName === "string" ? body.userName.slice(0, 256) : "";
    try {
      const input = parseForm(formSchema, request);
      await service.change(input, requestContext(request));
      return reply.code(303).header("location", "/change/done").send();
    } catch (error) {
      if (!isAppError(error) || !INLINE_CODES.has(error.code)) throw error;
      if (error.code === "RATE_LIMITED") reply.header("retry-after", "900");
      const ctx = await pageContext(registry, request);
      const message =
        error.code === "DIRECTORY_UNAVAILABLE"
          ? t(request.locale, "error.directory_unavailable")
          : t(request.locale, error.messageId, error.params);
      return renderPage(
        reply,
        <ChangePage ctx={ctx} userName={typedName} error={{ message, issues: error.issues }} />,
        {
          status: error.status,
        },
      );
    }
  });

  app.get("/change/done", async (request, reply) => {
    const ctx = await pageContext(registry, request);
    return renderPage(reply, <ChangeDonePage ctx={ctx} />);
  });

  app.post("/api/v1/change", async (request, reply) => {
    const input = parseJSON(jsonSchema, request);
    await service.change(input, requestContext(request));
    return reply.send({ changed: true });
  });
}
