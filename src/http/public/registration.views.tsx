/**
 * Pages of the registration portal (`/register`, SPEC §6): sign-in, the overview (also the enforced
 * registration interrupt and the reconfirmation page, REG-01..03/06), and one page per method. Plain forms
 * with POST/redirect/GET: everything works without JavaScript. Text comes from
 * `messages/registration.messages.ts`; preact escapes every value.
 */
import type { JSX } from "preact";
import type { FieldIssue } from "../../errors/app-error.ts";
import type {
  EnrollmentView,
  MethodEntry,
  RegistrationOverview,
} from "../../flows/registration/registration.service.ts";
import type { MethodId } from "../../store/types.ts";
import { Button, ButtonLink, ErrorSummary, Field, issueFor, Notice, PostForm, Select } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";
import type { PageContext } from "../views/page-context.ts";

/** Methods whose registration page is a contact form (address or number confirmed with a code). */
export const CONTACT_METHODS = ["email-code", "sms-code", "voice-mobile"] as const;
/** Methods the pages can add (a passkey needs the browser's WebAuthn API: its page says so without JavaScript). */
export const HTML_ENROLLABLE: readonly MethodId[] = [
  "passkey",
  "email-code",
  "sms-code",
  "voice-mobile",
  "totp",
  "security-questions",
];

/** The WebAuthn library (served from our origin) and the small island that runs the ceremony. */
export const PASSKEY_SCRIPTS = ["/assets/vendor/simplewebauthn-browser.js", "/assets/passkey.js"];

export type FlashStatus = "added" | "registered" | "removed" | "removed_unregistered" | "reviewed";

const FLASH_MESSAGES: Record<FlashStatus, string> = {
  added: "registration.added",
  registered: "registration.became_registered",
  removed: "registration.removed",
  removed_unregistered: "registration.removed_unregistered",
  reviewed: "registration.review.done",
};

function SignOut(props: { ctx: PageContext }): JSX.Element {
  return (
    <PostForm
      action="/register/sign-out"
      csrf={props.ctx.csrf}
      class="form form--inline"
      label={props.ctx.t("registration.sign_out")}
    >
      <Button kind="link">{props.ctx.t("registration.sign_out")}</Button>
    </PostForm>
  );
}

function BackLink(props: { ctx: PageContext }): JSX.Element {
  return (
    <p>
      <a href="/register">{props.ctx.t("registration.back")}</a>
    </p>
  );
}

export function SignInPage(props: {
  ctx: PageContext;
  identifier: string;
  returnTo: string | null;
  issues: readonly FieldIssue[];
  /** A page-level message (wrong credentials, rate limit). */
  message?: string;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("registration.title")}>
      <h1>{t("registration.sign_in.heading")}</h1>
      <ErrorSummary t={t} issues={props.issues} message={props.message} />
      <p class="lead">{t("registration.sign_in.intro")}</p>
      <PostForm action="/register/sign-in" csrf={ctx.csrf}>
        {props.returnTo !== null ? <input type="hidden" name="return_to" value={props.returnTo} /> : null}
        <Field
          name="identifier"
          label={t("registration.sign_in.identifier")}
          value={props.identifier}
          autocomplete="username"
          required
          maxLength={256}
          spellcheck={false}
          error={issueFor(props.issues, "identifier")}
        />
        <Field
          name="password"
          type="password"
          label={t("registration.sign_in.password")}
          autocomplete="current-password"
          required
          maxLength={1024}
          error={issueFor(props.issues, "password")}
        />
        <Button>{t("registration.sign_in.submit")}</Button>
      </PostForm>
    </Layout>
  );
}

/** The method's short name on this page ("Authenticator app"), not the reset gate's sentence. */
export function methodName(ctx: PageContext, method: MethodId): string {
  return ctx.t(`registration.method_name.${method}`);
}

/** What identifies one registration: the masked address, the app's name, "3 questions answered". */
function enrollmentLabel(ctx: PageContext, enrollment: EnrollmentView): string {
  if (enrollment.method === "security-questions")
    return ctx.t("registration.questions.count_label", { count: enrollment.label });
  return enrollment.label;
}

function RemoveButton(props: { ctx: PageContext; enrollment: EnrollmentView; name: string }): JSX.Element {
  const { t } = props.ctx;
  return (
    <PostForm
      action={`/register/enrollments/${encodeURIComponent(props.enrollment.id)}/remove`}
      csrf={props.ctx.csrf}
      class="form form--inline"
      label={t("registration.method.remove_named", { name: props.name })}
    >
      <button
        type="submit"
        class="button button--secondary"
        aria-label={t("registration.method.remove_named", { name: props.name })}
      >
        {t("registration.method.remove")}
      </button>
    </PostForm>
  );
}

function MethodCard(props: { ctx: PageContext; entry: MethodEntry }): JSX.Element {
  const { ctx, entry } = props;
  const { t } = ctx;
  const name = methodName(ctx, entry.id);
  const headingId = `method-${entry.id}`;
  const registered = entry.enrollments.length > 0;
  const enrollableHere = entry.canEnroll && HTML_ENROLLABLE.includes(entry.id);
  return (
    <section class="card method" aria-labelledby={headingId} data-method={entry.id}>
      <h3 id={headingId}>{name}</h3>
      <p class="method__state">
        {registered
          ? t("registration.method.registered")
          : entry.hasData && entry.prepopulated !== null
            ? t("registration.prepopulated.heading", { value: entry.prepopulated.value })
            : t("registration.method.not_registered")}
      </p>
      {registered ? (
        <ul class="method__list">
          {entry.enrollments.map((enrollment) => (
            <li key={enrollment.id}>
              <span class="method__label">{enrollmentLabel(ctx, enrollment)}</span>{" "}
              <RemoveButton ctx={ctx} enrollment={enrollment} name={`${name}: ${enrollmentLabel(ctx, enrollment)}`} />
            </li>
          ))}
        </ul>
      ) : null}
      {entry.pending.length > 0 ? (
        <ul class="method__list method__list--pending">
          {entry.pending.map((enrollment) => (
            <li key={enrollment.id}>
              <span class="method__label">{enrollment.label}</span> ({t("registration.method.pending")}){" "}
              {entry.id !== "totp" && entry.id !== "passkey" ? (
                <a href={`/register/enrollments/${encodeURIComponent(enrollment.id)}/confirm`}>
                  {t("registration.method.enter_code")}
                </a>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {entry.prepopulated !== null && !registered ? (
        entry.prepopulated.confirmable && enrollableHere ? (
          <div class="method__prepopulated">
            <p class="field__hint">{t("registration.prepopulated.help")}</p>
            <PostForm action={`/register/methods/${entry.id}`} csrf={ctx.csrf} class="form form--inline">
              <input
                type="hidden"
                name={entry.id === "email-code" ? "email" : "phone"}
                value={entry.prepopulated.value}
              />
              <Button>{t("registration.prepopulated.confirm", { value: entry.prepopulated.value })}</Button>
            </PostForm>{" "}
            <ButtonLink href={`/register/methods/${entry.id}`} kind="secondary">
              {t("registration.method.change")}
            </ButtonLink>
          </div>
        ) : (
          <p class="field__hint">{t("registration.method.no_self_service")}</p>
        )
      ) : enrollableHere ? (
        entry.canAddAnother ? (
          <p>
            <a
              class={`button button--${registered ? "secondary" : "primary"}`}
              href={`/register/methods/${entry.id}`}
              aria-describedby={headingId}
            >
              {registered
                ? entry.maxPerUser > 1
                  ? t("registration.method.add_another")
                  : t("registration.method.change")
                : t("registration.method.add")}
            </a>
          </p>
        ) : (
          <p class="field__hint">{t("registration.method.limit", { max: entry.maxPerUser })}</p>
        )
      ) : !entry.canEnroll ? (
        <p class="field__hint">{t("registration.method.no_self_service")}</p>
      ) : (
        <p class="field__hint">{t("registration.method.needs_javascript")}</p>
      )}
    </section>
  );
}

export function OverviewPage(props: {
  ctx: PageContext;
  overview: RegistrationOverview;
  /** Interrupt mode (not dismissed this session). */
  interrupt: RegistrationOverview["interrupt"];
  reconfirmDays: number;
  flash: FlashStatus | null;
  /** A page-level error (e.g. "Looks good" before enough methods). */
  error?: string;
}): JSX.Element {
  const { ctx, overview } = props;
  const { t } = ctx;
  const { eligibility } = overview;
  const missing = Math.max(0, eligibility.methodsRequired - eligibility.usableMethods.length);
  return (
    <Layout ctx={ctx} title={t("registration.title")}>
      {props.error !== undefined ? <ErrorSummary t={t} issues={[]} message={props.error} /> : null}
      {props.flash !== null ? (
        <Notice kind={props.flash === "removed_unregistered" ? "warning" : "success"}>
          <p>{t(FLASH_MESSAGES[props.flash])}</p>
        </Notice>
      ) : null}
      {props.interrupt === "register" ? (
        <>
          <h1>{t("registration.interrupt.heading")}</h1>
          <p class="lead" data-testid="interrupt">
            {t("registration.interrupt.required")}
          </p>
        </>
      ) : props.interrupt === "reconfirm" ? (
        <>
          <h1>{t("registration.reconfirm.heading")}</h1>
          <p class="lead" data-testid="reconfirm">
            {t("registration.reconfirm.intro", { days: props.reconfirmDays })}
          </p>
        </>
      ) : (
        <h1>{t("registration.overview.heading")}</h1>
      )}
      <p>{t("registration.overview.greeting", { name: overview.user.displayName || overview.user.userName })}</p>
      {!eligibility.inScope ? <Notice kind="info">{t("registration.overview.not_in_scope")}</Notice> : null}
      <p>
        {t("registration.overview.requirement", { count: eligibility.methodsRequired })}{" "}
        <strong>
          {eligibility.registered
            ? t("registration.overview.registered")
            : t("registration.overview.not_registered", { count: missing })}
        </strong>
      </p>
      {overview.methods.length === 0 ? <p>{t("registration.overview.no_methods")}</p> : null}
      <div class="methods">
        {overview.methods.map((entry) => (
          <MethodCard key={entry.id} ctx={ctx} entry={entry} />
        ))}
      </div>
      {overview.otherEnrollments.length > 0 ? (
        <section class="card" aria-labelledby="other-info">
          <h2 id="other-info">{t("registration.overview.other_heading")}</h2>
          <p class="field__hint">{t("registration.overview.other_help")}</p>
          <ul class="method__list">
            {overview.otherEnrollments.map((enrollment) => (
              <li key={enrollment.id}>
                <span class="method__label">
                  {methodName(ctx, enrollment.method)}: {enrollmentLabel(ctx, enrollment)}
                </span>{" "}
                <RemoveButton ctx={ctx} enrollment={enrollment} name={enrollmentLabel(ctx, enrollment)} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <div class="actions">
        {eligibility.registered ? (
          <PostForm action="/register/review" csrf={ctx.csrf} class="form form--inline">
            <Button>{t("registration.review.submit")}</Button>
          </PostForm>
        ) : null}
        {props.interrupt !== null ? (
          <PostForm action="/register/cancel" csrf={ctx.csrf} class="form form--inline">
            <Button kind="secondary">{t("registration.interrupt.cancel")}</Button>
            <p class="field__hint">{t("registration.interrupt.cancel_help")}</p>
          </PostForm>
        ) : null}
      </div>
      <SignOut ctx={ctx} />
    </Layout>
  );
}

export function ContactMethodPage(props: {
  ctx: PageContext;
  method: (typeof CONTACT_METHODS)[number];
  value: string;
  issues: readonly FieldIssue[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const email = props.method === "email-code";
  const fieldName = email ? "email" : "phone";
  return (
    <Layout ctx={ctx} title={t(email ? "registration.email.heading" : "registration.phone.heading")}>
      <ErrorSummary t={t} issues={props.issues} />
      <h1>{t(email ? "registration.email.heading" : "registration.phone.heading")}</h1>
      <p class="lead">{t(email ? "registration.email.intro" : "registration.phone.intro")}</p>
      <PostForm action={`/register/methods/${props.method}`} csrf={ctx.csrf}>
        <Field
          name={fieldName}
          type={email ? "email" : "tel"}
          label={t(email ? "registration.email.field" : "registration.phone.field")}
          value={props.value}
          autocomplete={email ? "email" : "tel"}
          required
          maxLength={email ? 254 : 40}
          spellcheck={false}
          error={issueFor(props.issues, fieldName)}
        />
        <Button>{t(email ? "registration.email.submit" : "registration.phone.submit")}</Button>
      </PostForm>
      <BackLink ctx={ctx} />
    </Layout>
  );
}

export function ConfirmCodePage(props: {
  ctx: PageContext;
  enrollmentId: string;
  destination: string | null;
  codeLength: number;
  issues: readonly FieldIssue[];
  /** The code can no longer be used (expired, too many tries): offer to start again. */
  restartMethod?: MethodId;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("registration.confirm.heading")}>
      <ErrorSummary t={t} issues={props.issues} />
      <h1>{t("registration.confirm.heading")}</h1>
      <p class="lead">
        {props.destination !== null
          ? t("registration.confirm.intro", { destination: props.destination })
          : t("registration.confirm.intro_generic")}
      </p>
      {props.restartMethod !== undefined ? (
        <p>
          <ButtonLink href={`/register/methods/${props.restartMethod}`}>{t("registration.start_over")}</ButtonLink>
        </p>
      ) : (
        <PostForm action={`/register/enrollments/${encodeURIComponent(props.enrollmentId)}/confirm`} csrf={ctx.csrf}>
          <Field
            name="code"
            label={t("registration.confirm.field")}
            autocomplete="one-time-code"
            inputMode="numeric"
            required
            maxLength={Math.max(props.codeLength, 10) + 4}
            autofocus
            error={issueFor(props.issues, "code")}
          />
          <Button>{t("registration.confirm.submit")}</Button>
        </PostForm>
      )}
      <BackLink ctx={ctx} />
    </Layout>
  );
}

/** The first step of adding an app or a passkey: give it a name. */
export function LabelPage(props: {
  ctx: PageContext;
  method: "totp" | "passkey";
  label: string;
  issues: readonly FieldIssue[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const prefix = props.method === "totp" ? "registration.totp" : "registration.passkey";
  return (
    <Layout ctx={ctx} title={t(`${prefix}.heading`)}>
      <ErrorSummary t={t} issues={props.issues} />
      <h1>{t(`${prefix}.heading`)}</h1>
      <p class="lead">{t(`${prefix}.intro`)}</p>
      <PostForm action={`/register/methods/${props.method}`} csrf={ctx.csrf}>
        <Field
          name="label"
          label={t("registration.totp.label_field")}
          hint={t("registration.totp.label_hint")}
          value={props.label}
          maxLength={64}
          error={issueFor(props.issues, "label")}
        />
        <Button>{t("registration.totp.submit")}</Button>
      </PostForm>
      <BackLink ctx={ctx} />
    </Layout>
  );
}

/**
 * The passkey ceremony: `passkey.js` reads the options from `data-options`, asks the browser to create the
 * credential, puts the result in `response` and submits. Without JavaScript only the explanation shows.
 */
export function PasskeyCreatePage(props: {
  ctx: PageContext;
  enrollmentId: string;
  options: Record<string, unknown> | null;
  label: string;
  issues: readonly FieldIssue[];
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("registration.passkey.heading")} scripts={PASSKEY_SCRIPTS}>
      <ErrorSummary t={t} issues={props.issues} />
      <h1>{t("registration.passkey.heading")}</h1>
      {props.options === null ? (
        <p>
          <ButtonLink href="/register/methods/passkey">{t("registration.start_over")}</ButtonLink>
        </p>
      ) : (
        <form
          method="post"
          action={`/register/enrollments/${encodeURIComponent(props.enrollmentId)}/confirm`}
          class="form"
          data-webauthn="create"
          data-options={JSON.stringify(props.options)}
          data-failed={t("registration.passkey.failed")}
          data-unsupported={t("registration.passkey.unsupported")}
          novalidate
        >
          <input type="hidden" name={ctx.csrf.name} value={ctx.csrf.value} />
          <input type="hidden" name="response" value="" />
          <input type="hidden" name="label" value={props.label} />
          <p>{t("registration.passkey.ready")}</p>
          <p class="field__hint" data-needs-js>
            {t("registration.method.needs_javascript")}
          </p>
          <p class="field__hint" role="status" data-webauthn-status />
          <button type="submit" class="button button--primary" data-webauthn-start hidden>
            {t("registration.passkey.create")}
          </button>
        </form>
      )}
      <BackLink ctx={ctx} />
    </Layout>
  );
}

/** The QR code and the secret, shown once, with the confirmation form (REQ-063, REQ-069). */
export function TOTPSetupPage(props: {
  ctx: PageContext;
  enrollmentId: string;
  qrSVG: string | null;
  secretBase32: string | null;
  issues: readonly FieldIssue[];
  /** The setup can no longer be confirmed: offer to start again. */
  restart?: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const qrSrc =
    props.qrSVG === null ? null : `data:image/svg+xml;base64,${Buffer.from(props.qrSVG, "utf8").toString("base64")}`;
  return (
    <Layout ctx={ctx} title={t("registration.totp.heading")}>
      <ErrorSummary t={t} issues={props.issues} />
      <h1>{t("registration.totp.heading")}</h1>
      {qrSrc !== null ? (
        <>
          <p>{t("registration.totp.scan")}</p>
          <p class="totp-qr">
            <img src={qrSrc} alt={t("registration.totp.qr_alt")} width={200} height={200} data-testid="totp-qr" />
          </p>
        </>
      ) : null}
      {props.secretBase32 !== null ? (
        <>
          <p>{t("registration.totp.manual")}</p>
          <p>
            <code class="totp-secret" data-testid="totp-secret">
              {props.secretBase32.replace(/(.{4})/g, "$1 ").trim()}
            </code>
          </p>
          <p class="field__hint">{t("registration.totp.shown_once")}</p>
        </>
      ) : null}
      {props.restart === true ? (
        <p>
          <ButtonLink href="/register/methods/totp">{t("registration.start_over")}</ButtonLink>
        </p>
      ) : (
        <PostForm action={`/register/enrollments/${encodeURIComponent(props.enrollmentId)}/confirm`} csrf={ctx.csrf}>
          <Field
            name="code"
            label={t("registration.totp.code_field")}
            autocomplete="one-time-code"
            inputMode="numeric"
            required
            maxLength={10}
            error={issueFor(props.issues, "code")}
          />
          <Button>{t("registration.totp.code_submit")}</Button>
        </PostForm>
      )}
      <BackLink ctx={ctx} />
    </Layout>
  );
}

export interface QuestionChoice {
  id: string;
  text: string;
}

export function SecurityQuestionsPage(props: {
  ctx: PageContext;
  count: number;
  pool: readonly QuestionChoice[];
  /** What the user chose/typed before (re-shown after a rule violation; answers are never re-shown). */
  selected: readonly string[];
  issues: readonly FieldIssue[];
  hasExisting: boolean;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const options = [
    { value: "", label: t("registration.questions.choose") },
    ...props.pool.map((q) => ({ value: q.id, label: q.text })),
  ];
  const rows = Array.from({ length: props.count }, (_, i) => i + 1);
  return (
    <Layout ctx={ctx} title={t("registration.questions.heading")}>
      <ErrorSummary t={t} issues={props.issues} />
      <h1>{t("registration.questions.heading")}</h1>
      <p class="lead">{t("registration.questions.intro", { count: props.count })}</p>
      {props.hasExisting ? <Notice kind="info">{t("registration.questions.replace_warning")}</Notice> : null}
      <PostForm action="/register/methods/security-questions" csrf={ctx.csrf}>
        {rows.map((n) => (
          <div class="field question" key={n}>
            <Select
              name={`question${n}`}
              label={t("registration.questions.question_label", { number: n })}
              options={options}
              value={props.selected[n - 1] ?? ""}
              error={issueFor(props.issues, `question${n}`)}
            />
            <Field
              name={`answer${n}`}
              label={t("registration.questions.answer_label", { number: n })}
              autocomplete="off"
              maxLength={40}
              spellcheck={false}
              required
              error={issueFor(props.issues, `answer${n}`)}
            />
          </div>
        ))}
        <Button>{t("registration.questions.submit")}</Button>
      </PostForm>
      <BackLink ctx={ctx} />
    </Layout>
  );
}
