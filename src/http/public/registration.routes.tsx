/**
 * Routes of the registration portal (SPEC §6 "Registration"): HTML pages under `/register` (forms,
 * POST/redirect/GET, no JavaScript needed) and the same flow as JSON under `/api/v1/registration/...`, plus
 * `GET /api/v1/users/{id}/registration-status` for other sign-in systems. Thin: parse → service → render.
 *
 * Session data (portal session, `http/sessions.ts`):
 * - `returnTo`: an allow-listed absolute URL (see `flows/registration/return-to.ts`) to go back to after
 *   "Looks good" / completing registration, carried through sign-in and the interrupt;
 * - `interruptDismissed`: the user chose "Cancel" on the interrupt in this session (REG-02: asked again at
 *   the next sign-in, which creates a new session).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError, type FieldIssue, isAppError } from "../../errors/app-error.ts";
import {
  createRegistrationService,
  type RegistrationOverview,
  type RegistrationService,
  type StartOutcome,
} from "../../flows/registration/registration.service.ts";
import { RETURN_TO_MAX_LENGTH, safeReturnTo } from "../../flows/registration/return-to.ts";
import { t } from "../../messages/index.ts";
import { questionPool, questionText } from "../../methods/security-questions/questions.ts";
import type { PortalSession, Registry } from "../../registry.types.ts";
import type { MethodId } from "../../store/types.ts";
import { authenticateAdmin } from "../admin/admin-auth.ts";
import { field, parseForm, parseJSON, parseParams } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { createSession, destroySession, getSession, updateSessionData } from "../sessions.ts";
import { pageContext } from "../views/page-context.ts";
import {
  CONTACT_METHODS,
  ConfirmCodePage,
  ContactMethodPage,
  type FlashStatus,
  HTML_ENROLLABLE,
  LabelPage,
  OverviewPage,
  PasskeyCreatePage,
  SecurityQuestionsPage,
  SignInPage,
  TOTPSetupPage,
} from "./registration.views.tsx";

const METHOD_IDS = [
  "email-code",
  "sms-code",
  "voice-mobile",
  "voice-office",
  "totp",
  "security-questions",
  "passkey",
] as const;
const FLASHES: readonly FlashStatus[] = ["added", "registered", "removed", "removed_unregistered", "reviewed"];
/** Enrollment ids are our own `newId` values; anything else is a 404 before any lookup. */
const ENROLLMENT_ID = z.string().regex(/^[0-9a-z]{10,40}$/);
/** Most answers a single registration may carry (SQ-02: at most 5); more is refused as malformed. */
const MAX_QUESTION_ROWS = 5;

const signInForm = z.object({
  identifier: field.text({ max: 256 }),
  password: field.secret({ max: 1024 }),
  return_to: field.optionalText({ max: RETURN_TO_MAX_LENGTH }),
});
const signInJSON = z.strictObject({
  identifier: field.text({ max: 256 }),
  password: field.secret({ max: 1024 }),
  returnTo: z
    .string({ error: "validation.not_text" })
    .max(RETURN_TO_MAX_LENGTH, { error: "validation.too_long" })
    .optional(),
});
const codeBody = z.object({ code: field.text({ max: 32 }) });
/** The browser's WebAuthn registration response (JSON text put in the form by `passkey.js`). */
const passkeyForm = z.object({ response: field.text({ max: 20_000 }), label: field.optionalText({ max: 60 }) });
const codeJSON = z.strictObject({ code: field.text({ max: 32 }) });
const emptyJSON = z.strictObject({});
const methodParams = z.object({ method: z.enum(METHOD_IDS) });
const enrollmentParams = z.object({ id: ENROLLMENT_ID });

/** Per-method input: HTML form fields → the method's input shape (`methods/*`). */
const contactForm = {
  "email-code": z.object({ email: field.text({ max: 254 }) }),
  "sms-code": z.object({ phone: field.text({ max: 40 }) }),
  "voice-mobile": z.object({ phone: field.text({ max: 40 }) }),
} as const;
const contactJSON = {
  "email-code": z.strictObject({ email: field.text({ max: 254 }) }),
  "sms-code": z.strictObject({ phone: field.text({ max: 40 }) }),
  "voice-mobile": z.strictObject({ phone: field.text({ max: 40 }) }),
} as const;
const totpForm = z.object({ label: field.optionalText({ max: 64 }) });
const totpJSON = z.strictObject({ label: field.optionalText({ max: 64 }) });
/** Answers are not trimmed or length-checked here beyond a hard cap: SQ-06 (3–40) is the method's 422. */
const answerText = z
  .string({ error: (issue) => (issue.input === undefined ? "validation.required" : "validation.not_text") })
  .max(1000, { error: "validation.too_long" });
const questionsJSON = z.strictObject({
  answers: z
    .array(
      z.strictObject({
        questionId: z.union([z.string().max(64), z.number().int().min(1).max(1000)], { error: "validation.not_text" }),
        answer: answerText,
      }),
      { error: "validation.invalid" },
    )
    .max(MAX_QUESTION_ROWS, { error: "validation.too_long" }),
});
const passkeyJSON = z.record(z.string(), z.unknown());

function questionsForm(count: number): z.ZodType<Record<string, string>> {
  const shape: Record<string, z.ZodType<string>> = {};
  for (let n = 1; n <= count; n++) {
    shape[`question${n}`] = field.text({ max: 64 });
    shape[`answer${n}`] = answerText;
  }
  return z.object(shape) as unknown as z.ZodType<Record<string, string>>;
}

interface Signed {
  session: PortalSession;
  user: DirectoryUser;
}

function sessionReturnTo(session: PortalSession): string | null {
  const value = session.data["returnTo"];
  return typeof value === "string" ? value : null;
}

function interruptDismissed(session: PortalSession): boolean {
  return session.data["interruptDismissed"] === true;
}

/** Translates method/service issue message ids into the request's language. */
function translateIssues(
  issues: readonly FieldIssue[],
  locale: string,
  params?: Record<string, string | number>,
): FieldIssue[] {
  return issues.map((issue) => ({ ...issue, message: t(locale, issue.message, params) }));
}

/** Method issue fields (`answers.2.answer`) → HTML form field names (`answer3`). */
function formFieldOf(methodId: MethodId, issueField: string): string {
  if (methodId !== "security-questions") return issueField;
  const match = /^answers\.(\d+)\.(questionId|answer)$/.exec(issueField);
  if (match === null) return issueField === "answers" ? "" : issueField;
  const n = Number(match[1]) + 1;
  return match[2] === "questionId" ? `question${n}` : `answer${n}`;
}

export async function registerRegistrationRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const service: RegistrationService = createRegistrationService(registry);
  const returnToPolicy = {
    publicUrl: registry.config.server.publicUrl,
    allowedReturnOrigins: registry.config.server.allowedReturnOrigins,
  };
  const registerURL = new URL("/register", registry.config.server.publicUrl).href;

  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<Signed | null> {
    const session = await getSession(registry, request, "portal");
    if (session === null) return null;
    const user = await service.loadUser(session.userId);
    if (user === null) {
      // Account deleted or disabled since sign-in: the session is worthless.
      await destroySession(registry, request, reply, "portal");
      return null;
    }
    return { session, user };
  }

  /** JSON routes: 401 without a live session. */
  async function requireJSON(request: FastifyRequest, reply: FastifyReply): Promise<Signed> {
    const signed = await signedIn(request, reply);
    if (signed === null) throw new AppError("UNAUTHENTICATED");
    return signed;
  }

  /** HTML routes: back to the sign-in page without a live session. */
  async function requireHTML(request: FastifyRequest, reply: FastifyReply): Promise<Signed | null> {
    const signed = await signedIn(request, reply);
    if (signed === null) {
      reply.redirect("/register", 303);
      return null;
    }
    return signed;
  }

  function effectiveInterrupt(
    overview: RegistrationOverview,
    session: PortalSession,
  ): RegistrationOverview["interrupt"] {
    return interruptDismissed(session) ? null : overview.interrupt;
  }

  async function reconfirmDays(): Promise<number> {
    return (await registry.policy.current()).policy.registration.reconfirmDays;
  }

  async function renderOverview(
    request: FastifyRequest,
    reply: FastifyReply,
    signed: Signed,
    options: { flash: FlashStatus | null; status?: number; error?: string },
  ): Promise<FastifyReply> {
    const overview = await service.overview(signed.user);
    const ctx = await pageContext(registry, request);
    return renderPage(
      reply,
      h(OverviewPage, {
        ctx,
        overview,
        interrupt: effectiveInterrupt(overview, signed.session),
        reconfirmDays: await reconfirmDays(),
        flash: options.flash,
        ...(options.error !== undefined ? { error: options.error } : {}),
      }),
      { status: options.status ?? 200 },
    );
  }

  async function renderSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { identifier: string; returnTo: string | null; issues: FieldIssue[]; message?: string; status: number },
  ): Promise<FastifyReply> {
    const ctx = await pageContext(registry, request);
    return renderPage(
      reply,
      h(SignInPage, {
        ctx,
        identifier: options.identifier,
        returnTo: options.returnTo,
        issues: options.issues,
        ...(options.message !== undefined ? { message: options.message } : {}),
      }),
      { status: options.status },
    );
  }

  /**
   * After a change that completed the registration, or "Looks good": go back to the allow-listed
   * `return_to` (once), else to `fallback`.
   */
  async function leaveTo(signed: Signed, fallback: string): Promise<string> {
    const target = sessionReturnTo(signed.session);
    if (target === null) return fallback;
    await updateSessionData(registry, signed.session, { ...signed.session.data, returnTo: null });
    return target;
  }

  async function questionCount(): Promise<number> {
    const policy = (await registry.policy.current()).policy;
    return Math.min(MAX_QUESTION_ROWS, Math.max(1, policy.securityQuestions.toRegister));
  }

  async function renderQuestions(
    request: FastifyRequest,
    reply: FastifyReply,
    signed: Signed,
    options: { selected: string[]; issues: FieldIssue[]; status: number },
  ): Promise<FastifyReply> {
    const policy = (await registry.policy.current()).policy;
    const overview = await service.overview(signed.user);
    const entry = overview.methods.find((m) => m.id === "security-questions");
    const ctx = await pageContext(registry, request);
    return renderPage(
      reply,
      h(SecurityQuestionsPage, {
        ctx,
        count: Math.min(MAX_QUESTION_ROWS, Math.max(1, policy.securityQuestions.toRegister)),
        pool: questionPool(policy).map((q) => ({ id: q.id, text: questionText(q, ctx.locale) })),
        selected: options.selected,
        issues: options.issues,
        hasExisting: (entry?.enrollments.length ?? 0) > 0,
      }),
      { status: options.status },
    );
  }

  async function renderMethodForm(
    request: FastifyRequest,
    reply: FastifyReply,
    signed: Signed,
    methodId: MethodId,
    options: { value: string; selected: string[]; issues: FieldIssue[]; status: number },
  ): Promise<FastifyReply> {
    if (methodId === "security-questions") return renderQuestions(request, reply, signed, options);
    const ctx = await pageContext(registry, request);
    if (methodId === "totp" || methodId === "passkey") {
      return renderPage(reply, h(LabelPage, { ctx, method: methodId, label: options.value, issues: options.issues }), {
        status: options.status,
      });
    }
    const contact = CONTACT_METHODS.find((m) => m === methodId);
    if (contact === undefined) throw new AppError("NOT_FOUND");
    return renderPage(
      reply,
      h(ContactMethodPage, { ctx, method: contact, value: options.value, issues: options.issues }),
      {
        status: options.status,
      },
    );
  }

  /** An enrollable-in-HTML method the policy allows for this user, else 404/422. */
  async function htmlMethod(request: FastifyRequest, user: DirectoryUser): Promise<MethodId> {
    const { method } = parseParams(methodParams, request);
    if (!HTML_ENROLLABLE.includes(method)) throw new AppError("NOT_FOUND");
    const overview = await service.overview(user);
    const entry = overview.methods.find((m) => m.id === method);
    if (entry === undefined || !entry.canEnroll) throw new AppError("METHOD_NOT_ALLOWED", { params: { method } });
    return method;
  }

  /** Parses a form, turning VALIDATION_FAILED into `null` + issues so the page can be shown again (400). */
  function tryForm<T>(
    schema: z.ZodType<T>,
    request: FastifyRequest,
  ): { ok: true; value: T } | { ok: false; issues: FieldIssue[] } {
    try {
      return { ok: true, value: parseForm(schema, request) };
    } catch (error) {
      if (isAppError(error) && error.code === "VALIDATION_FAILED") return { ok: false, issues: error.issues };
      throw error;
    }
  }

  function rawString(request: FastifyRequest, name: string): string {
    const body = request.body as Record<string, unknown> | null | undefined;
    const value = body !== null && typeof body === "object" ? body[name] : undefined;
    return typeof value === "string" ? value.slice(0, 256) : "";
  }

  // ------------------------------------------------------------------ HTML: sign-in and overview

  app.get("/register", async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnTo(query["return_to"], returnToPolicy);
    const signed = await signedIn(request, reply);
    if (signed === null) {
      return renderSignIn(request, reply, { identifier: "", returnTo, issues: [], status: 200 });
    }
    if (returnTo !== null && returnTo !== sessionReturnTo(signed.session)) {
      signed.session = await updateSessionData(registry, signed.session, { ...signed.session.data, returnTo });
    }
    const status = query["status"];
    const flash = FLASHES.find((f) => f === status) ?? null;
    return renderOverview(request, reply, signed, { flash });
  });

  app.post("/register/sign-in", async (request, reply) => {
    const parsed = tryForm(signInForm, request);
    const ctx = requestContext(request);
    if (!parsed.ok) {
      return renderSignIn(request, reply, {
        identifier: rawString(request, "identifier"),
        returnTo: safeReturnTo(rawString(request, "return_to"), returnToPolicy),
        issues: parsed.issues,
        status: 400,
      });
    }
    const { identifier, password } = parsed.value;
    const returnTo = safeReturnTo(parsed.value.return_to, returnToPolicy);
    const outcome = await service.signIn({ identifier, password }, ctx);
    if (outcome.kind === "throttled") {
      reply.header("retry-after", "900");
      return renderSignIn(request, reply, {
        identifier,
        returnTo,
        issues: [],
        message: t(ctx.locale, "registration.error.sign_in_rate_limited"),
        status: 429,
      });
    }
    if (outcome.kind === "invalid") {
      return renderSignIn(request, reply, {
        identifier,
        returnTo,
        issues: [],
        message: t(ctx.locale, "registration.sign_in.invalid"),
        status: 401,
      });
    }
    await createSession(registry, request, reply, {
      kind: "portal",
      userId: outcome.user.id,
      data: { returnTo, interruptDismissed: false },
    });
    return reply.redirect("/register", 303);
  });

  app.post("/register/sign-out", async (request, reply) => {
    await destroySession(registry, request, reply, "portal");
    return reply.redirect("/register", 303);
  });

  app.post("/register/review", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    try {
      await service.review(signed.user, requestContext(request));
    } catch (error) {
      if (isAppError(error) && error.code === "REGISTRATION_INCOMPLETE") {
        return renderOverview(request, reply, signed, {
          flash: null,
          status: error.status,
          error: t(request.locale, error.messageId, error.params),
        });
      }
      throw error;
    }
    return reply.redirect(await leaveTo(signed, "/register?status=reviewed"), 303);
  });

  app.post("/register/cancel", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    const overview = await service.overview(signed.user);
    if (effectiveInterrupt(overview, signed.session) !== null)
      await service.cancelInterrupt(signed.user, requestContext(request));
    signed.session = await updateSessionData(registry, signed.session, {
      ...signed.session.data,
      interruptDismissed: true,
    });
    return reply.redirect(await leaveTo(signed, "/register"), 303);
  });

  // ------------------------------------------------------------------ HTML: methods

  app.get("/register/methods/:method", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    const method = await htmlMethod(request, signed.user);
    let value = "";
    if (method === "email-code") value = signed.user.email ?? "";
    if (method === "sms-code" || method === "voice-mobile") value = signed.user.mobile ?? "";
    return renderMethodForm(request, reply, signed, method, { value, selected: [], issues: [], status: 200 });
  });

  app.post("/register/methods/:method", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    const method = await htmlMethod(request, signed.user);
    const ctx = requestContext(request);
    let input: unknown;
    let value = "";
    let selected: string[] = [];
    if (method === "security-questions") {
      const count = await questionCount();
      for (let n = 1; n <= count; n++) selected.push(rawString(request, `question${n}`));
      const parsed = tryForm(questionsForm(count), request);
      if (!parsed.ok)
        return renderMethodForm(request, reply, signed, method, {
          value,
          selected,
          issues: parsed.issues,
          status: 400,
        });
      selected = [];
      const answers: { questionId: string; answer: string }[] = [];
      for (let n = 1; n <= count; n++) {
        const questionId = parsed.value[`question${n}`] ?? "";
        selected.push(questionId);
        answers.push({ questionId, answer: parsed.value[`answer${n}`] ?? "" });
      }
      input = { answers };
    } else if (method === "totp" || method === "passkey") {
      const parsed = tryForm(totpForm, request);
      if (!parsed.ok)
        return renderMethodForm(request, reply, signed, method, {
          value,
          selected,
          issues: parsed.issues,
          status: 400,
        });
      value = parsed.value.label;
      input = parsed.value.label === "" ? {} : { label: parsed.value.label };
    } else {
      const contact = CONTACT_METHODS.find((m) => m === method);
      if (contact === undefined) throw new AppError("NOT_FOUND");
      const schema = contactForm[contact];
      const parsed = tryForm<Record<string, string>>(schema, request);
      const fieldName = contact === "email-code" ? "email" : "phone";
      value = rawString(request, fieldName);
      if (!parsed.ok)
        return renderMethodForm(request, reply, signed, method, {
          value,
          selected,
          issues: parsed.issues,
          status: 400,
        });
      input = parsed.value;
    }

    const outcome: StartOutcome = await service.start(signed.user, method, input, ctx);
    switch (outcome.kind) {
      case "invalid": {
        const issues = translateIssues(outcome.issues, ctx.locale).map((issue) => ({
          ...issue,
          field: formFieldOf(method, issue.field),
        }));
        return renderMethodForm(request, reply, signed, method, { value, selected, issues, status: 422 });
      }
      case "code-sent":
        return reply.redirect(`/register/enrollments/${encodeURIComponent(outcome.enrollmentId)}/confirm`, 303);
      case "webauthn-create": {
        const pageCtx = await pageContext(registry, request);
        return renderPage(
          reply,
          h(PasskeyCreatePage, {
            ctx: pageCtx,
            enrollmentId: outcome.enrollmentId,
            options: outcome.options,
            label: value,
            issues: [],
          }),
        );
      }
      case "totp-setup": {
        const pageCtx = await pageContext(registry, request);
        return renderPage(
          reply,
          h(TOTPSetupPage, {
            ctx: pageCtx,
            enrollmentId: outcome.enrollmentId,
            qrSVG: outcome.qrSVG,
            secretBase32: outcome.secretBase32,
            issues: [],
          }),
        );
      }
      case "active":
        if (outcome.becameRegistered) return reply.redirect(await leaveTo(signed, "/register?status=registered"), 303);
        return reply.redirect("/register?status=added", 303);
    }
  });

  app.get("/register/enrollments/:id/confirm", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    const { id } = parseParams(enrollmentParams, request);
    const pending = await service.pendingEnrollment(signed.user, id);
    const pageCtx = await pageContext(registry, request);
    if (pending.method === "totp") {
      return renderPage(
        reply,
        h(TOTPSetupPage, { ctx: pageCtx, enrollmentId: id, qrSVG: null, secretBase32: null, issues: [] }),
      );
    }
    if (pending.method === "passkey") {
      // The ceremony's options are not kept: a passkey setup left half-way is started again.
      return renderPage(
        reply,
        h(PasskeyCreatePage, { ctx: pageCtx, enrollmentId: id, options: null, label: "", issues: [] }),
      );
    }
    return renderPage(
      reply,
      h(ConfirmCodePage, {
        ctx: pageCtx,
        enrollmentId: id,
        destination: pending.label === "" ? null : pending.label,
        codeLength: registry.config.flows.codeDigits,
        issues: [],
      }),
    );
  });

  app.post("/register/enrollments/:id/confirm", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    const { id } = parseParams(enrollmentParams, request);
    const pending = await service.pendingEnrollment(signed.user, id);
    const ctx = requestContext(request);
    const pageCtx = await pageContext(registry, request);
    const show = (issues: FieldIssue[], status: number, restart: boolean): FastifyReply =>
      pending.method === "passkey"
        ? renderPage(
            reply,
            h(PasskeyCreatePage, { ctx: pageCtx, enrollmentId: id, options: null, label: "", issues }),
            {
              status,
            },
          )
        : pending.method === "totp"
          ? renderPage(
              reply,
              h(TOTPSetupPage, { ctx: pageCtx, enrollmentId: id, qrSVG: null, secretBase32: null, issues, restart }),
              { status },
            )
          : renderPage(
              reply,
              h(ConfirmCodePage, {
                ctx: pageCtx,
                enrollmentId: id,
                destination: pending.label === "" ? null : pending.label,
                codeLength: registry.config.flows.codeDigits,
                issues,
                ...(restart ? { restartMethod: pending.method } : {}),
              }),
              { status },
            );
    let input: Record<string, string>;
    if (pending.method === "passkey") {
      const parsed = tryForm(passkeyForm, request);
      if (!parsed.ok) return show(parsed.issues, 400, true);
      input = parsed.value;
    } else {
      const parsed = tryForm(codeBody, request);
      if (!parsed.ok) return show(parsed.issues, 400, false);
      input = { code: parsed.value.code };
    }
    const outcome = await service.confirm(signed.user, id, input, ctx);
    switch (outcome.kind) {
      case "rejected":
        return show(
          [{ field: "code", message: t(ctx.locale, outcome.message, { attemptsLeft: outcome.attemptsLeft }) }],
          422,
          false,
        );
      case "exhausted":
        return show([{ field: "code", message: t(ctx.locale, outcome.message) }], 422, true);
      case "active":
        if (outcome.becameRegistered) return reply.redirect(await leaveTo(signed, "/register?status=registered"), 303);
        return reply.redirect("/register?status=added", 303);
    }
  });

  app.post("/register/enrollments/:id/remove", async (request, reply) => {
    const signed = await requireHTML(request, reply);
    if (signed === null) return reply;
    const { id } = parseParams(enrollmentParams, request);
    const outcome = await service.remove(signed.user, id, requestContext(request));
    return reply.redirect(`/register?status=${outcome.noLongerRegistered ? "removed_unregistered" : "removed"}`, 303);
  });

  // ------------------------------------------------------------------ JSON API

  async function overviewJSON(signed: Signed): Promise<Record<string, unknown>> {
    const overview = await service.overview(signed.user);
    return {
      ...overview,
      interrupt: effectiveInterrupt(overview, signed.session),
      returnTo: sessionReturnTo(signed.session),
    };
  }

  app.post("/api/v1/registration/sign-in", async (request, reply) => {
    const body = parseJSON(signInJSON, request);
    const ctx = requestContext(request);
    const returnTo = safeReturnTo(body.returnTo, returnToPolicy);
    const outcome = await service.signIn({ identifier: body.identifier, password: body.password }, ctx);
    if (outcome.kind === "throttled") {
      reply.header("retry-after", "900");
      throw new AppError("SIGN_IN_RATE_LIMITED");
    }
    if (outcome.kind === "invalid") throw new AppError("INVALID_CREDENTIALS");
    const session = await createSession(registry, request, reply, {
      kind: "portal",
      userId: outcome.user.id,
      data: { returnTo, interruptDismissed: false },
    });
    return reply.send(await overviewJSON({ session, user: outcome.user }));
  });

  app.post("/api/v1/registration/sign-out", async (request, reply) => {
    parseJSON(emptyJSON, request);
    await destroySession(registry, request, reply, "portal");
    return reply.code(204).send();
  });

  app.get("/api/v1/registration", async (request, reply) => {
    const signed = await requireJSON(request, reply);
    return reply.send(await overviewJSON(signed));
  });

  app.post("/api/v1/registration/methods/:method", async (request, reply) => {
    const signed = await requireJSON(request, reply);
    const { method } = parseParams(methodParams, request);
    let input: unknown;
    switch (method) {
      case "email-code":
      case "sms-code":
      case "voice-mobile":
        input = parseJSON<Record<string, string>>(contactJSON[method], request);
        break;
      case "totp": {
        const body = parseJSON(totpJSON, request);
        input = body.label === "" ? {} : { label: body.label };
        break;
      }
      case "security-questions":
        input = parseJSON(questionsJSON, request);
        break;
      default:
        // Passkeys carry the browser's WebAuthn response; the method validates it.
        input = parseJSON(passkeyJSON, request);
        break;
    }
    const ctx = requestContext(request);
    const outcome = await service.start(signed.user, method, input, ctx);
    switch (outcome.kind) {
      case "invalid":
        throw new AppError("SECURITY_INFO_INVALID", { issues: translateIssues(outcome.issues, ctx.locale) });
      case "code-sent":
        return reply.code(201).send({
          status: "pending",
          enrollmentId: outcome.enrollmentId,
          destination: outcome.destinationMasked,
          codeLength: outcome.codeLength,
        });
      case "totp-setup":
        return reply.code(201).send({
          status: "pending",
          enrollmentId: outcome.enrollmentId,
          otpauthURI: outcome.otpauthURI,
          qrSVG: outcome.qrSVG,
          secret: outcome.secretBase32,
        });
      case "webauthn-create":
        return reply
          .code(201)
          .send({ status: "pending", enrollmentId: outcome.enrollmentId, options: outcome.options });
      case "active":
        return reply.code(201).send({
          status: "active",
          enrollmentId: outcome.enrollmentId,
          becameRegistered: outcome.becameRegistered,
          redirectTo: outcome.becameRegistered ? await leaveTo(signed, registerURL) : null,
        });
    }
  });

  app.post("/api/v1/registration/enrollments/:id/confirm", async (request, reply) => {
    const signed = await requireJSON(request, reply);
    const { id } = parseParams(enrollmentParams, request);
    const pending = await service.pendingEnrollment(signed.user, id);
    // A passkey is confirmed with the browser's WebAuthn response (checked by the method), others with a code.
    const input = pending.method === "passkey" ? parseJSON(passkeyJSON, request) : parseJSON(codeJSON, request);
    const ctx = requestContext(request);
    const outcome = await service.confirm(signed.user, id, input, ctx);
    switch (outcome.kind) {
      case "rejected":
        throw new AppError("CODE_INVALID", {
          issues: [{ field: "code", message: t(ctx.locale, outcome.message, { attemptsLeft: outcome.attemptsLeft }) }],
          params: { attemptsLeft: outcome.attemptsLeft },
        });
      case "exhausted":
        throw new AppError("CODE_INVALID", {
          issues: [{ field: "code", message: t(ctx.locale, outcome.message) }],
          params: { attemptsLeft: 0 },
        });
      case "active":
        return reply.send({
          status: "active",
          enrollmentId: outcome.enrollmentId,
          becameRegistered: outcome.becameRegistered,
          redirectTo: outcome.becameRegistered ? await leaveTo(signed, registerURL) : null,
        });
    }
  });

  app.delete("/api/v1/registration/enrollments/:id", async (request, reply) => {
    const signed = await requireJSON(request, reply);
    const { id } = parseParams(enrollmentParams, request);
    parseJSON(emptyJSON, request);
    const outcome = await service.remove(signed.user, id, requestContext(request));
    return reply.send({ removed: true, noLongerRegistered: outcome.noLongerRegistered });
  });

  app.post("/api/v1/registration/review", async (request, reply) => {
    const signed = await requireJSON(request, reply);
    parseJSON(emptyJSON, request);
    await service.review(signed.user, requestContext(request));
    return reply.send({ reviewed: true, redirectTo: await leaveTo(signed, registerURL) });
  });

  app.post("/api/v1/registration/cancel", async (request, reply) => {
    const signed = await requireJSON(request, reply);
    parseJSON(emptyJSON, request);
    const overview = await service.overview(signed.user);
    const interrupt = effectiveInterrupt(overview, signed.session);
    if (interrupt !== null) await service.cancelInterrupt(signed.user, requestContext(request));
    signed.session = await updateSessionData(registry, signed.session, {
      ...signed.session.data,
      interruptDismissed: true,
    });
    return reply.send({ canceled: interrupt !== null, redirectTo: await leaveTo(signed, registerURL) });
  });

  // ------------------------------------------------------------------ other sign-in systems

  app.get("/api/v1/users/:id/registration-status", async (request, reply) => {
    // Other sign-in systems call this with an administrator API key (Bearer); an admin portal session works too.
    await authenticateAdmin(registry, request, { allowAPIKey: true });
    const { id } = parseParams(z.object({ id: z.string().min(1).max(256) }), request);
    const status = await service.status(id);
    if (status === null) throw new AppError("USER_NOT_FOUND");
    return reply.send({
      userId: status.userId,
      userName: status.userName,
      inScope: status.inScope,
      registered: status.registered,
      methodsRequired: status.methodsRequired,
      registeredMethods: status.registeredMethods,
      reconfirmDue: status.reconfirmDue,
      registrationRequired: status.interrupt !== null,
      registerUrl: registerURL,
    });
  });
}
