/**
 * Reset / unlock routes (SPEC §6): the pages under `/reset` and the same flow as a JSON API under
 * `/api/v1/reset` (REQ-030: both call the same service functions, so both enforce the same controls).
 *
 * Pages: the flow id is in the path, but it is not enough by itself: the flow's secret token travels in an
 * HttpOnly, SameSite cookie (REQ-031, REQ-088: no token in any URL). API clients get the token in the
 * identify response and send it back in the `X-Flow-Token` header (the page's cookie also works, for the
 * strength meter's fetch).
 *
 * API walk-through for a headless client:
 *   GET  /api/v1/reset/captcha                      → altcha challenge; solve it (altcha-lib `solveChallenge`)
 *   POST /api/v1/reset {identifier, captcha}        → 201 {flowId, token, flow}
 *   POST /api/v1/reset/{id}/path {path}             (when flow.state = choosing_path)
 *   POST /api/v1/reset/{id}/method {method}         → flow.challenge says what to send next
 *   POST /api/v1/reset/{id}/send {email|phone}      (challenge.kind = ask-destination)
 *   POST /api/v1/reset/{id}/verify {code} | {answers: {id: answer}}
 *   POST /api/v1/reset/{id}/password {password, confirm}   or   POST /api/v1/reset/{id}/unlock {}
 *   POST /api/v1/reset/{id}/strength {password}     → {score, feedback}
 *   POST /api/v1/reset/{id}/contact {}              ("Contact your administrator")
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError, isAppError } from "../../errors/app-error.ts";
import { createResetService, type ResetService, type ResetView } from "../../flows/reset/reset.service.ts";
import { t } from "../../messages/index.ts";
import type { Registry } from "../../registry.types.ts";
import { createCaptchaService, registerCaptchaAssets } from "../captcha.ts";
import { isHTTPS } from "../csrf.ts";
import { field, parseForm, parseJSON } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { pageContext } from "../views/page-context.ts";
import { FlowPage, IdentifyPage, type InlineError, type StrengthFeedback } from "./reset.views.tsx";

export const FLOW_TOKEN_HEADER = "x-flow-token";

export function resetCookieName(config: Registry["config"]): string {
  // `__Host-`: Secure, Path=/, no Domain — the cookie cannot be planted by a sibling subdomain.
  return isHTTPS(config) ? "__Host-opensspr-reset" : "opensspr-reset";
}

const flowParams = z.object({ flowId: z.string().regex(/^[0-9a-z]{10,40}$/) });

/** Step input: flat string fields (email, phone, code, answer-<id>) or `answers: {id: answer}` (API). */
const MAX_INPUT_FIELDS = 20;
function challengeInput(body: unknown, locale: string): Record<string, string> & { answers?: Record<string, string> } {
  if (body === null || body === undefined) return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("VALIDATION_FAILED", { issues: [{ field: "", message: t(locale, "validation.invalid") }] });
  }
  const out: Record<string, string> = Object.create(null);
  const answers: Record<string, string> = Object.create(null);
  const entries = Object.entries(body as Record<string, unknown>).filter(([key]) => key !== "_csrf");
  if (entries.length > MAX_INPUT_FIELDS) {
    throw new AppError("VALIDATION_FAILED", {
      issues: [{ field: "", message: t(locale, "validation.too_long", { max: MAX_INPUT_FIELDS }) }],
    });
  }
  const bad = (name: string, id = "validation.not_text"): never => {
    throw new AppError("VALIDATION_FAILED", { issues: [{ field: name, message: t(locale, id, { max: 1024 }) }] });
  };
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key) || key === "__proto__" || key === "constructor" || key === "prototype") {
      bad(key, "validation.unknown_field");
    }
    if (key === "answers" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [id, answer] of Object.entries(value as Record<string, unknown>)) {
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) bad(`answers.${id}`, "validation.unknown_field");
        if (typeof answer !== "string") bad(`answers.${id}`);
        if ((answer as string).length > 1024) bad(`answers.${id}`, "validation.too_long");
        answers[id] = answer as string;
      }
      continue;
    }
    if (key === "response") {
      // A WebAuthn assertion (passkey gate): a JSON string from the page, or the object from an API client.
      const text =
        typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : null;
      if (text === null) bad(key);
      if ((text as string).length > 20_000) bad(key, "validation.too_long");
      out[key] = text as string;
      continue;
    }
    if (typeof value !== "string") bad(key);
    if ((value as string).length > 1024) bad(key, "validation.too_long");
    if (key.startsWith("answer-")) answers[key.slice("answer-".length)] = value as string;
    else out[key] = value as string;
  }
  return Object.keys(answers).length > 0 ? Object.assign(out, { answers }) : out;
}

const identifySchemaForm = z.object({
  identifier: field.text({ max: 256 }),
  altcha: field.optionalText({ max: 4096 }),
});
const identifySchemaJSON = z.strictObject({
  identifier: field.text({ max: 256 }),
  captcha: field.text({ max: 4096 }),
});
const pathSchema = z.object({ path: field.choice(["reset", "unlock"] as const) });
const methodSchema = z.object({ method: field.text({ max: 64 }) });
const passwordSchema = z.object({
  password: field.secret({ max: 1024 }),
  // Optional so "Check strength" works with only the first field typed; the service compares them on "set".
  confirm: z
    .string({ error: "validation.not_text" })
    .max(1024, { error: "validation.too_long" })
    .optional()
    .transform((value) => value ?? ""),
  action: field.optionalText({ max: 16 }),
});
const passwordSchemaJSON = z.strictObject({
  password: field.secret({ max: 1024 }),
  confirm: field.secret({ max: 1024 }),
});
const strengthSchemaJSON = z.strictObject({
  password: z.string({ error: "validation.not_text" }).max(1024, { error: "validation.too_long" }),
});
const emptyJSON = z.strictObject({});

/** Errors a step page shows inline (with the support code) instead of the generic error page. */
const INLINE_CODES = new Set([
  "VALIDATION_FAILED",
  "PASSWORD_REJECTED",
  "METHOD_NOT_ALLOWED",
  "DIRECTORY_UNAVAILABLE",
  "UNLOCK_REFUSED",
]);

export async function registerResetRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const captcha = createCaptchaService(registry);
  const service: ResetService = createResetService({ ...registry, captcha });
  const cookieName = resetCookieName(registry.config);
  const secure = isHTTPS(registry.config);
  await registerCaptchaAssets(app);

  const setFlowCookie = (reply: FastifyReply, value: string): void => {
    reply.setCookie(cookieName, value, {
      path: "/",
      httpOnly: true,
      secure,
      sameSite: "lax",
      maxAge: registry.config.flows.resetTtlSeconds,
    });
  };
  const cookieToken = (request: FastifyRequest): string | undefined => {
    const value = request.cookies[cookieName];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const apiToken = (request: FastifyRequest): string | undefined => {
    const header = request.headers[FLOW_TOKEN_HEADER];
    return typeof header === "string" && header !== "" ? header : cookieToken(request);
  };
  const flowIdOf = (request: FastifyRequest): string => {
    const parsed = flowParams.safeParse(request.params);
    if (!parsed.success) throw new AppError("FLOW_NOT_FOUND");
    return parsed.data.flowId;
  };
  const inlineError = (error: AppError, locale: string): InlineError => ({
    message: t(locale, error.expose || error.status === 503 ? messageFor(error) : "error.internal", error.params),
    issues: error.issues,
  });

  // ---------- pages ----------
  app.get("/reset", async (request, reply) => {
    const ctx = await pageContext(registry, request);
    return renderPage(reply, <IdentifyPage ctx={ctx} identifier="" error={null} helpdesk={await service.helpdesk()} />);
  });

  app.post("/reset", async (request, reply) => {
    let identifier = "";
    try {
      const input = parseForm(identifySchemaForm, request);
      identifier = input.identifier;
      const started = await service.identify(
        { identifier: input.identifier, captcha: input.altcha },
        requestContext(request),
      );
      setFlowCookie(reply, started.token);
      return reply.code(303).header("location", `/reset/${started.flowId}`).send();
    } catch (error) {
      if (!isAppError(error) || error.code !== "VALIDATION_FAILED") throw error;
      const ctx = await pageContext(registry, request);
      return renderPage(
        reply,
        <IdentifyPage
          ctx={ctx}
          identifier={identifier.slice(0, 256)}
          error={inlineError(error, request.locale)}
          helpdesk={await service.helpdesk()}
        />,
        { status: error.status },
      );
    }
  });

  app.get("/reset/:flowId", async (request, reply) => {
    const view = await service.view(flowIdOf(request), cookieToken(request));
    const ctx = await pageContext(registry, request);
    return renderPage(reply, <FlowPage ctx={ctx} view={view} error={null} />);
  });

  /** Runs a page step: 303 back to the flow on success; inline problems re-render the step. */
  const pageStep = (
    run: (
      flowId: string,
      token: string | undefined,
      request: FastifyRequest,
    ) => Promise<(ResetView & { newToken?: string }) | { render: ResetView; strength: StrengthFeedback }>,
  ) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const flowId = flowIdOf(request);
      const token = cookieToken(request);
      try {
        const result = await run(flowId, token, request);
        if ("render" in result) {
          const ctx = await pageContext(registry, request);
          return renderPage(reply, <FlowPage ctx={ctx} view={result.render} error={null} strength={result.strength} />);
        }
        if (result.newToken !== undefined) setFlowCookie(reply, result.newToken);
        return reply.code(303).header("location", `/reset/${flowId}`).send();
      } catch (error) {
        if (!isAppError(error) || !INLINE_CODES.has(error.code)) throw error;
        if (error.status >= 500)
          request.log.error({ err: error.cause ?? error, code: error.code }, "reset step failed");
        const view = await service.view(flowId, token);
        const ctx = await pageContext(registry, request);
        return renderPage(reply, <FlowPage ctx={ctx} view={view} error={inlineError(error, request.locale)} />, {
          status: error.status,
        });
      }
    };
  };

  app.post(
    "/reset/:flowId/path",
    pageStep((id, token, request) =>
      service.choosePath(id, token, parseForm(pathSchema, request).path, requestContext(request)),
    ),
  );
  app.post(
    "/reset/:flowId/method",
    pageStep((id, token, request) =>
      service.chooseMethod(id, token, parseForm(methodSchema, request).method, requestContext(request)),
    ),
  );
  app.post(
    "/reset/:flowId/send",
    pageStep((id, token, request) =>
      service.begin(id, token, challengeInput(request.body, request.locale), requestContext(request)),
    ),
  );
  app.post(
    "/reset/:flowId/verify",
    pageStep((id, token, request) =>
      service.verify(id, token, challengeInput(request.body, request.locale), requestContext(request)),
    ),
  );
  app.post(
    "/reset/:flowId/password",
    pageStep(async (id, token, request) => {
      const input = parseForm(passwordSchema, request);
      if (input.action === "check") {
        // The strength meter without JavaScript: feedback only, nothing written.
        const strength = await service.strength(id, token, input.password);
        return { render: await service.view(id, token), strength };
      }
      return service.setPassword(id, token, input, requestContext(request));
    }),
  );
  app.post(
    "/reset/:flowId/unlock",
    pageStep((id, token, request) => service.unlock(id, token, requestContext(request))),
  );
  app.post(
    "/reset/:flowId/contact",
    pageStep((id, token, request) => service.contactAdmin(id, token, requestContext(request))),
  );

  // ---------- JSON API ----------
  app.get("/api/v1/reset/captcha", async (_request, reply) => reply.send(await captcha.challenge()));

  app.post("/api/v1/reset", async (request, reply) => {
    const input = parseJSON(identifySchemaJSON, request);
    const started = await service.identify(input, requestContext(request));
    return reply.code(201).send({ flowId: started.flowId, token: started.token, flow: started.view });
  });

  /** A step's JSON answer; after a passed gate the flow token is replaced (REQ-084) and returned as `token`. */
  const apiView = (reply: FastifyReply, result: ResetView & { newToken?: string }): FastifyReply => {
    const { newToken, ...view } = result;
    const status = view.messageKind === "error" && view.state === "in_challenge" ? 422 : 200;
    if (newToken === undefined) return reply.code(status).send({ flow: view });
    const request = reply.request;
    if (typeof request.headers[FLOW_TOKEN_HEADER] !== "string" && cookieToken(request) !== undefined) {
      setFlowCookie(reply, newToken);
    }
    return reply.code(status).send({ flow: view, token: newToken });
  };

  app.get("/api/v1/reset/:flowId", async (request, reply) =>
    reply.send({ flow: await service.view(flowIdOf(request), apiToken(request)) }),
  );
  app.post("/api/v1/reset/:flowId/path", async (request, reply) =>
    apiView(
      reply,
      await service.choosePath(
        flowIdOf(request),
        apiToken(request),
        parseJSON(z.strictObject(pathSchema.shape), request).path,
        requestContext(request),
      ),
    ),
  );
  app.post("/api/v1/reset/:flowId/method", async (request, reply) =>
    apiView(
      reply,
      await service.chooseMethod(
        flowIdOf(request),
        apiToken(request),
        parseJSON(z.strictObject(methodSchema.shape), request).method,
        requestContext(request),
      ),
    ),
  );
  app.post("/api/v1/reset/:flowId/send", async (request, reply) =>
    apiView(
      reply,
      await service.begin(
        flowIdOf(request),
        apiToken(request),
        challengeInput(request.body, request.locale),
        requestContext(request),
      ),
    ),
  );
  app.post("/api/v1/reset/:flowId/verify", async (request, reply) =>
    apiView(
      reply,
      await service.verify(
        flowIdOf(request),
        apiToken(request),
        challengeInput(request.body, request.locale),
        requestContext(request),
      ),
    ),
  );
  app.post("/api/v1/reset/:flowId/password", async (request, reply) => {
    const input = parseJSON(passwordSchemaJSON, request);
    return apiView(
      reply,
      await service.setPassword(flowIdOf(request), apiToken(request), input, requestContext(request)),
    );
  });
  app.post("/api/v1/reset/:flowId/strength", async (request, reply) => {
    const input = parseJSON(strengthSchemaJSON, request);
    const result = await service.strength(flowIdOf(request), apiToken(request), input.password);
    return reply.send({
      score: result.score,
      label: t(request.locale, `strength.score.${result.score}`),
      feedback: result.feedback.map((id) => t(request.locale, id)),
    });
  });
  app.post("/api/v1/reset/:flowId/unlock", async (request, reply) => {
    parseJSON(emptyJSON, request);
    return apiView(reply, await service.unlock(flowIdOf(request), apiToken(request), requestContext(request)));
  });
  app.post("/api/v1/reset/:flowId/contact", async (request, reply) => {
    parseJSON(emptyJSON, request);
    return apiView(reply, await service.contactAdmin(flowIdOf(request), apiToken(request), requestContext(request)));
  });
}

/** The message for an inline error: directory outages say "can't reset right now" (SPEC §3). */
function messageFor(error: AppError): string {
  if (error.code === "DIRECTORY_UNAVAILABLE") return "reset.error.directory_down";
  if (error.code === "PASSWORD_REJECTED") return "reset.password.rejected";
  return error.messageId;
}
