/**
 * Administrator sign-in (REQ-093: admins always prove a second factor) and first-run setup.
 *
 * 1. `POST /admin/sign-in`: directory password, rate limited per account+IP and per IP (hitKey); the same
 *    answer and comparable work for an unknown account (dummy hash).
 * 2. An administrator with registered methods gets an admin session in the `mfa` stage (no privileges) and
 *    proves one method through the methods' own challenge contract (TOTP code, emailed code...).
 *    On success the session is replaced by a new one in the `active` stage (REQ-084 rotation).
 * 3. An administrator with nothing registered yet is sent to `/register` (portal session) to set up methods
 *    first; the admin portal stays closed until then.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { z } from "zod";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError, type FieldIssue, isAppError } from "../../errors/app-error.ts";
import { MINUTE_MS } from "../../kernel/clock.ts";
import { newId } from "../../kernel/ids.ts";
import { dummyPasswordHash } from "../../kernel/passwords.ts";
import { t as translate } from "../../messages/index.ts";
import type { ChallengeContext, ChallengeView } from "../../methods/method.ts";
import type { PortalSession, Registry, RequestContext } from "../../registry.types.ts";
import type { MethodId } from "../../store/types.ts";
import { field, parseForm } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { createSession, destroySession, getSession, updateSessionData } from "../sessions.ts";
import { Button, ErrorSummary, Field, Notice, PostForm } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { adminStage } from "./admin-auth.ts";
import { completeFirstRun, isValidSetupToken } from "./first-run.ts";
import { AdminLayout } from "./views/admin-layout.tsx";

/** Methods whose challenge views this page can show (no questions for admins, ADM-02; passkeys need JS). */
const SECOND_FACTOR_METHODS: readonly MethodId[] = ["totp", "email-code", "sms-code", "voice-mobile"];
const SIGN_IN_WINDOW_MS = 15 * MINUTE_MS;
const SIGN_IN_PER_IP = 50;

const signInForm = z.object({ userName: field.text({ max: 256 }), password: field.secret({ max: 1024 }) });
const methodForm = z.object({ method: field.text({ max: 40 }) });
const verifyForm = z.object({ code: field.optionalText({ max: 20 }), email: field.optionalText({ max: 254 }) });
const setupForm = z.object({
  token: field.text({ max: 100 }),
  userName: field.text({ max: 64 }),
  displayName: field.text({ max: 256 }),
  email: field.email(),
  password: field.secret({ max: 1024 }),
  confirm: field.secret({ max: 1024 }),
});

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

function rawField(request: FastifyRequest, name: string, max = 256): string {
  const body = request.body as Record<string, unknown> | null | undefined;
  const value = body !== null && typeof body === "object" ? body[name] : undefined;
  return typeof value === "string" ? value.slice(0, max) : "";
}

// ---------------------------------------------------------------- views

function SignInPage(props: {
  ctx: PageContext;
  userName: string;
  issues: FieldIssue[];
  message?: string;
}): JSX.Element {
  const { t } = props.ctx;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.signin.title")} section={null}>
      <h1>{t("admin.signin.title")}</h1>
      <p class="lead">{t("admin.signin.intro")}</p>
      <ErrorSummary t={t} issues={props.issues} {...(props.message !== undefined ? { message: props.message } : {})} />
      <PostForm action="/admin/sign-in" csrf={props.ctx.csrf}>
        <Field
          name="userName"
          label={t("admin.signin.user_name")}
          value={props.userName}
          autocomplete="username"
          required
          error={props.issues.find((i) => i.field === "userName")}
        />
        <Field
          name="password"
          type="password"
          label={t("admin.signin.password")}
          autocomplete="current-password"
          required
          error={props.issues.find((i) => i.field === "password")}
        />
        <Button>{t("admin.signin.submit")}</Button>
      </PostForm>
    </AdminLayout>
  );
}

function methodLabel(registry: Registry, ctx: PageContext, id: string): string {
  const method = registry.methods.get(id as MethodId);
  return method === undefined ? id : ctx.t(method.labelMessage);
}

function VerifyPage(props: {
  ctx: PageContext;
  registry: Registry;
  methods: string[];
  method: string | null;
  view: ChallengeView | null;
  message?: string;
  attemptsLeft?: number | null;
}): JSX.Element {
  const { t } = props.ctx;
  const view = props.view;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.verify.title")} section={null}>
      <h1>{t("admin.verify.title")}</h1>
      <p class="lead">{t("admin.verify.intro")}</p>
      {props.message !== undefined ? (
        <Notice kind="error">
          <p>
            {props.message}
            {props.attemptsLeft !== undefined && props.attemptsLeft !== null
              ? ` ${t("admin.verify.attempts_left", { count: props.attemptsLeft })}`
              : ""}
          </p>
        </Notice>
      ) : null}
      {props.method !== null && view !== null ? (
        <section aria-labelledby="gate-title">
          <h2 id="gate-title">{methodLabel(props.registry, props.ctx, props.method)}</h2>
          <PostForm action="/admin/sign-in/verify" csrf={props.ctx.csrf}>
            {view.kind === "ask-destination" ? (
              <Field
                name="email"
                type="email"
                label={t("admin.verify.type_email")}
                hint={t("admin.verify.type_email_hint", { hint: view.hint })}
                autocomplete="email"
                required
              />
            ) : view.kind === "enter-code" || view.kind === "enter-totp" ? (
              <Field
                name="code"
                label={view.kind === "enter-totp" ? t("admin.verify.totp_code") : t("admin.verify.code")}
                {...(view.kind === "enter-code" ? { hint: t("admin.verify.code_hint", { hint: view.hint }) } : {})}
                autocomplete="one-time-code"
                inputMode="numeric"
                maxLength={12}
                required
                autofocus
              />
            ) : (
              <Notice kind="warning">
                <p>{t("admin.verify.unsupported")}</p>
              </Notice>
            )}
            <Button>{t("common.submit")}</Button>
          </PostForm>
        </section>
      ) : null}
      {props.methods.length > 1 || props.method === null ? (
        <section aria-labelledby="methods-title">
          <h2 id="methods-title">{props.method === null ? t("admin.verify.choose") : t("admin.verify.other")}</h2>
          <ul class="button-row">
            {props.methods
              .filter((m) => m !== props.method)
              .map((m) => (
                <li key={m}>
                  <PostForm action="/admin/sign-in/method" csrf={props.ctx.csrf} class="inline-form">
                    <input type="hidden" name="method" value={m} />
                    <Button kind="secondary">{methodLabel(props.registry, props.ctx, m)}</Button>
                  </PostForm>
                </li>
              ))}
          </ul>
        </section>
      ) : null}
    </AdminLayout>
  );
}

function SetupPage(props: {
  ctx: PageContext;
  token: string;
  values: { userName: string; displayName: string; email: string };
  issues: FieldIssue[];
  message?: string;
}): JSX.Element {
  const { t } = props.ctx;
  const issue = (name: string) => props.issues.find((i) => i.field === name);
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.setup.title")} section={null}>
      <h1>{t("admin.setup.title")}</h1>
      <p class="lead">{t("admin.setup.intro")}</p>
      <ErrorSummary t={t} issues={props.issues} {...(props.message !== undefined ? { message: props.message } : {})} />
      <PostForm action="/admin/setup" csrf={props.ctx.csrf}>
        <input type="hidden" name="token" value={props.token} />
        <Field
          name="userName"
          label={t("admin.user.user_name")}
          value={props.values.userName}
          autocomplete="username"
          required
          error={issue("userName")}
        />
        <Field
          name="displayName"
          label={t("admin.user.display_name")}
          value={props.values.displayName}
          autocomplete="name"
          required
          error={issue("displayName")}
        />
        <Field
          name="email"
          type="email"
          label={t("admin.user.email")}
          value={props.values.email}
          autocomplete="email"
          required
          error={issue("email")}
        />
        <Field
          name="password"
          type="password"
          label={t("admin.setup.password")}
          hint={t("admin.setup.password_hint")}
          autocomplete="new-password"
          required
          error={issue("password")}
        />
        <Field
          name="confirm"
          type="password"
          label={t("admin.setup.confirm")}
          autocomplete="new-password"
          required
          error={issue("confirm")}
        />
        <Button>{t("admin.setup.submit")}</Button>
      </PostForm>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- routes

export async function registerAdminSignInRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const publicRoute = { config: { adminPublic: true } } as const;

  const mfaSession = async (
    request: FastifyRequest,
  ): Promise<{ session: PortalSession; user: DirectoryUser } | null> => {
    const session = await getSession(registry, request, "admin");
    if (session === null || adminStage(session) !== "mfa") return null;
    const user = await registry.directory.getUser(session.userId);
    return user === null ? null : { session, user };
  };

  const challengeContext = async (
    session: PortalSession,
    user: DirectoryUser,
    ctx: RequestContext,
  ): Promise<ChallengeContext> => ({
    flowId: String(session.data["gateId"]),
    user,
    decoySeed: user.id,
    enrollments: await registry.stores.enrollments.listForUser(user.id),
    policy: (await registry.policy.current()).policy,
    state: (session.data["gate"] as Record<string, unknown> | undefined) ?? {},
    request: ctx,
  });

  const renderVerify = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: PortalSession,
    options: { message?: string; attemptsLeft?: number | null; status?: number } = {},
  ) => {
    const ctx = await pageContext(registry, request, { area: "admin" });
    return renderPage(
      reply,
      <VerifyPage
        ctx={ctx}
        registry={registry}
        methods={(session.data["methods"] as string[] | undefined) ?? []}
        method={(session.data["method"] as string | null | undefined) ?? null}
        view={(session.data["view"] as ChallengeView | null | undefined) ?? null}
        {...(options.message !== undefined ? { message: options.message } : {})}
        {...(options.attemptsLeft !== undefined ? { attemptsLeft: options.attemptsLeft } : {})}
      />,
      { status: options.status ?? 200 },
    );
  };

  const renderSignIn = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { userName: string; issues: FieldIssue[]; message?: string; status: number },
  ) => {
    const ctx = await pageContext(registry, request, { area: "admin" });
    return renderPage(
      reply,
      <SignInPage
        ctx={ctx}
        userName={options.userName}
        issues={options.issues}
        {...(options.message !== undefined ? { message: options.message } : {})}
      />,
      { status: options.status },
    );
  };

  /** Starts the gate of `method` and stores its view in the session. */
  const beginGate = async (
    session: PortalSession,
    user: DirectoryUser,
    method: string,
    ctx: RequestContext,
    input: unknown,
  ): Promise<{ session: PortalSession; throttled: boolean }> => {
    const challenge = registry.methods.get(method as MethodId)?.challenge;
    if (challenge === undefined) throw new AppError("METHOD_NOT_ALLOWED");
    const base = { ...session.data, method, gate: method === session.data["method"] ? session.data["gate"] : {} };
    const outcome = await challenge.begin(await challengeContext({ ...session, data: base }, user, ctx), input);
    if (outcome.kind === "throttled") {
      return { session: await updateSessionData(registry, session, { ...base, gate: outcome.state }), throttled: true };
    }
    return {
      session: await updateSessionData(registry, session, { ...base, gate: outcome.state, view: outcome.view }),
      throttled: false,
    };
  };

  app.get("/admin/sign-in", publicRoute, async (request, reply) => {
    const session = await getSession(registry, request, "admin");
    if (adminStage(session) === "active") return reply.redirect("/admin", 303);
    return renderSignIn(request, reply, { userName: "", issues: [], status: 200 });
  });

  app.post("/admin/sign-in", publicRoute, async (request, reply) => {
    const parsed = tryForm(signInForm, request);
    if (!parsed.ok)
      return renderSignIn(request, reply, {
        userName: rawField(request, "userName"),
        issues: parsed.issues,
        status: 400,
      });
    const { userName, password } = parsed.value;
    const ctx = requestContext(request);
    const ip = ctx.ip ?? "unknown";
    const perAccount = await registry.throttles.hitKey(`admin-sign-in:${userName.toLowerCase()}:${ip}`, {
      limit: registry.config.security.signInMaxAttempts,
      windowMs: SIGN_IN_WINDOW_MS,
    });
    const perIP = await registry.throttles.hitKey(`admin-sign-in-ip:${ip}`, {
      limit: SIGN_IN_PER_IP,
      windowMs: SIGN_IN_WINDOW_MS,
    });
    if (!perAccount.allowed || !perIP.allowed) {
      await registry.audit.record({
        activity: "adminSignIn",
        outcome: "failure",
        reason: "Too many sign-in attempts",
        target: { id: null, name: userName },
        ctx,
      });
      reply.header("retry-after", String(SIGN_IN_WINDOW_MS / 1000));
      return renderSignIn(request, reply, {
        userName,
        issues: [],
        message: ctxMessage(ctx, "error.rate_limited"),
        status: 429,
      });
    }
    const user = await registry.directory.findUser(userName);
    const verify = registry.directory.passwords?.verify;
    let valid = false;
    if (user === null || verify === undefined) {
      // Same work as a real check, so timing does not reveal which accounts exist.
      await registry.hasher.verify(await dummyPasswordHash(registry.hasher), password);
    } else {
      valid = await verify(user, password);
      if (valid && registry.directory.status !== undefined) valid = (await registry.directory.status(user)).enabled;
    }
    if (!valid || user === null) {
      await registry.audit.record({
        activity: "adminSignIn",
        outcome: "failure",
        reason: "Invalid user name or password",
        target: { id: user?.id ?? null, name: userName },
        ctx,
      });
      return renderSignIn(request, reply, {
        userName,
        issues: [],
        message: ctxMessage(ctx, "error.invalid_credentials"),
        status: 401,
      });
    }
    if (!(await registry.policy.isAdmin(user))) {
      await registry.audit.record({
        activity: "adminSignIn",
        outcome: "failure",
        reason: "Not a member of an administrator group",
        target: { id: user.id, name: user.userName },
        ctx,
      });
      return renderSignIn(request, reply, {
        userName,
        issues: [],
        message: ctxMessage(ctx, "admin.signin.not_admin"),
        status: 403,
      });
    }
    const policy = (await registry.policy.current()).policy;
    const allowed = new Set<string>(policy.administrators.methods);
    const enrolled = (await registry.stores.enrollments.listForUser(user.id)).filter((e) => e.status === "active");
    const methods = SECOND_FACTOR_METHODS.filter(
      (m) => allowed.has(m) && enrolled.some((e) => e.method === m) && registry.methods.get(m)?.challenge !== undefined,
    );
    if (methods.length === 0) {
      // Nothing registered yet: the password alone never opens the admin portal (REQ-093).
      await registry.audit.record({
        activity: "adminSignIn",
        outcome: "failure",
        reason: "No registered method for the second step; sent to register security info",
        actor: { id: user.id, name: user.userName },
        target: { id: user.id, name: user.userName },
        ctx,
      });
      await createSession(registry, request, reply, {
        kind: "portal",
        userId: user.id,
        data: { returnTo: null, interruptDismissed: false },
      });
      return reply.redirect("/register?return_to=%2Fadmin", 303);
    }
    let session = await createSession(registry, request, reply, {
      kind: "admin",
      userId: user.id,
      data: {
        stage: "mfa",
        methods,
        method: null,
        gate: {},
        gateId: newId(registry.random, registry.clock.now()),
        view: null,
      },
    });
    if (methods.length === 1 && methods[0] !== undefined) {
      session = (await beginGate(session, user, methods[0], ctx, {})).session;
    }
    return reply.redirect("/admin/sign-in/verify", 303);
  });

  app.get("/admin/sign-in/verify", publicRoute, async (request, reply) => {
    const signed = await mfaSession(request);
    if (signed === null) return reply.redirect("/admin/sign-in", 303);
    return renderVerify(request, reply, signed.session);
  });

  app.post("/admin/sign-in/method", publicRoute, async (request, reply) => {
    const signed = await mfaSession(request);
    if (signed === null) throw new AppError("UNAUTHENTICATED");
    const { method } = parseForm(methodForm, request);
    const methods = (signed.session.data["methods"] as string[] | undefined) ?? [];
    if (!methods.includes(method)) throw new AppError("METHOD_NOT_ALLOWED");
    const ctx = requestContext(request);
    const started = await beginGate(signed.session, signed.user, method, ctx, {});
    if (started.throttled)
      return renderVerify(request, reply, started.session, {
        message: ctxMessage(ctx, "error.rate_limited"),
        status: 429,
      });
    return reply.redirect("/admin/sign-in/verify", 303);
  });

  app.post("/admin/sign-in/verify", publicRoute, async (request, reply) => {
    const signed = await mfaSession(request);
    if (signed === null) throw new AppError("UNAUTHENTICATED");
    const { session, user } = signed;
    const input = parseForm(verifyForm, request);
    const ctx = requestContext(request);
    const method = session.data["method"];
    const view = session.data["view"] as ChallengeView | null | undefined;
    if (typeof method !== "string" || view === null || view === undefined)
      return reply.redirect("/admin/sign-in/verify", 303);
    if (view.kind === "ask-destination") {
      const started = await beginGate(session, user, method, ctx, { email: input.email });
      if (started.throttled)
        return renderVerify(request, reply, started.session, {
          message: ctxMessage(ctx, "error.rate_limited"),
          status: 429,
        });
      return reply.redirect("/admin/sign-in/verify", 303);
    }
    const challenge = registry.methods.get(method as MethodId)?.challenge;
    if (challenge === undefined) throw new AppError("METHOD_NOT_ALLOWED");
    const outcome = await challenge.verify(await challengeContext(session, user, ctx), { code: input.code });
    switch (outcome.kind) {
      case "proved": {
        // New token for the privileged session (REQ-084); the mfa-stage session is deleted by createSession.
        await createSession(registry, request, reply, {
          kind: "admin",
          userId: user.id,
          data: { stage: "active", signedInAt: registry.clock.now().toISOString() },
        });
        await registry.audit.record({
          activity: "adminSignIn",
          outcome: "success",
          reason: "Administrator signed in with password and a second method",
          actor: { id: user.id, name: user.userName },
          target: { id: user.id, name: user.userName },
          ctx,
          details: { method },
        });
        return reply.redirect("/admin", 303);
      }
      case "view": {
        const updated = await updateSessionData(registry, session, {
          ...session.data,
          gate: outcome.state,
          view: outcome.view,
        });
        return renderVerify(request, reply, updated, {
          message: ctxMessage(ctx, outcome.message),
          attemptsLeft: outcome.attemptsLeft,
          status: 422,
        });
      }
      case "exhausted": {
        await destroySession(registry, request, reply, "admin");
        await registry.audit.record({
          activity: "adminSignIn",
          outcome: "failure",
          reason: "Second step failed too many times",
          actor: { id: user.id, name: user.userName },
          target: { id: user.id, name: user.userName },
          ctx,
          details: { method },
        });
        return renderSignIn(request, reply, {
          userName: user.userName,
          issues: [],
          message: ctxMessage(ctx, outcome.message),
          status: 429,
        });
      }
    }
  });

  app.post("/admin/sign-out", publicRoute, async (request, reply) => {
    await destroySession(registry, request, reply, "admin");
    return reply.redirect("/admin/sign-in", 303);
  });

  // ---------------------------------------------------------------- first-run setup

  const renderSetup = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      token: string;
      values: { userName: string; displayName: string; email: string };
      issues: FieldIssue[];
      message?: string;
      status: number;
    },
  ) => {
    const ctx = await pageContext(registry, request, { area: "admin" });
    return renderPage(
      reply,
      <SetupPage
        ctx={ctx}
        token={options.token}
        values={options.values}
        issues={options.issues}
        {...(options.message !== undefined ? { message: options.message } : {})}
      />,
      { status: options.status },
    );
  };

  app.get("/admin/setup", publicRoute, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (!(await isValidSetupToken(registry, query["token"]))) throw new AppError("FORBIDDEN");
    return renderSetup(request, reply, {
      token: String(query["token"]),
      values: { userName: "", displayName: "", email: "" },
      issues: [],
      status: 200,
    });
  });

  app.post("/admin/setup", publicRoute, async (request, reply) => {
    const values = {
      userName: rawField(request, "userName"),
      displayName: rawField(request, "displayName"),
      email: rawField(request, "email"),
    };
    const presentedToken = rawField(request, "token", 100);
    if (!(await isValidSetupToken(registry, presentedToken))) throw new AppError("FORBIDDEN");
    const parsed = tryForm(setupForm, request);
    if (!parsed.ok)
      return renderSetup(request, reply, { token: presentedToken, values, issues: parsed.issues, status: 400 });
    const ctx = requestContext(request);
    if (parsed.value.password !== parsed.value.confirm) {
      return renderSetup(request, reply, {
        token: presentedToken,
        values,
        issues: [{ field: "confirm", message: ctxMessage(ctx, "admin.setup.mismatch") }],
        status: 400,
      });
    }
    let user: DirectoryUser;
    try {
      user = await completeFirstRun(registry, parsed.value, ctx);
    } catch (error) {
      if (isAppError(error) && error.status < 500 && error.code !== "FORBIDDEN") {
        return renderSetup(request, reply, {
          token: presentedToken,
          values,
          issues: error.issues,
          message: ctxMessage(ctx, error.messageId),
          status: error.status,
        });
      }
      throw error;
    }
    await createSession(registry, request, reply, {
      kind: "portal",
      userId: user.id,
      data: { returnTo: null, interruptDismissed: false },
    });
    return reply.redirect("/register?return_to=%2Fadmin", 303);
  });
}

function ctxMessage(ctx: RequestContext, id: string): string {
  return translate(ctx.locale, id);
}
