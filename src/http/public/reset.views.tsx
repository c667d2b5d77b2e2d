/**
 * Pages of the reset / unlock flow ("Get back into your account", reference §2.2). Each state of
 * `flows/reset/reset.states.ts` has one page; every form is a POST with the CSRF field, every page works
 * without JavaScript except the proof-of-work CAPTCHA on the identify page (which needs a script to solve)
 * and the live strength meter (a "Check strength" button gives the same server-side feedback without it).
 */
import type { JSX } from "preact";
import type { FieldIssue } from "../../errors/app-error.ts";
import type { HelpdeskContact, ResetView } from "../../flows/reset/reset.service.ts";
import type { ChallengeView } from "../../methods/method.ts";
import { CAPTCHA_ASSETS } from "../captcha.ts";
import { Button, ButtonLink, Choices, ErrorSummary, Field, issueFor, Notice, PostForm } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";
import type { PageContext } from "../views/page-context.ts";

/** Inline problems of the last submission, with the support code (FLOW-17) so the helpdesk can find it. */
export interface InlineError {
  message?: string;
  issues: FieldIssue[];
}

export interface StrengthFeedback {
  score: 0 | 1 | 2 | 3 | 4;
  feedback: string[];
}

function SupportCode(props: { ctx: PageContext }): JSX.Element {
  return (
    <p class="support-code field__hint">
      {props.ctx.t("errorpage.support_code")}: <code class="support-code__value">{props.ctx.requestId}</code>
    </p>
  );
}

function Problems(props: { ctx: PageContext; error: InlineError | null }): JSX.Element | null {
  if (props.error === null) return null;
  return (
    <>
      <ErrorSummary t={props.ctx.t} issues={props.error.issues} message={props.error.message} />
      <SupportCode ctx={props.ctx} />
    </>
  );
}

export function IdentifyPage(props: {
  ctx: PageContext;
  identifier: string;
  error: InlineError | null;
  helpdesk: HelpdeskContact;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("reset.identify.title")} scripts={[CAPTCHA_ASSETS.script, CAPTCHA_ASSETS.init]}>
      <link rel="stylesheet" href={CAPTCHA_ASSETS.css} />
      <h1>{t("reset.identify.title")}</h1>
      <p class="lead">{t("reset.identify.intro")}</p>
      <Problems ctx={ctx} error={props.error} />
      <PostForm action="/reset" csrf={ctx.csrf} label={t("reset.identify.title")}>
        <Field
          name="identifier"
          label={t("reset.identify.label")}
          hint={t("reset.identify.hint")}
          value={props.identifier}
          autocomplete="username"
          required
          maxLength={256}
          autofocus
          error={issueFor(props.error?.issues, "identifier")}
        />
        <div class={issueFor(props.error?.issues, "captcha") ? "field field--error" : "field"} id="f-captcha">
          <p class="field__label">{t("reset.captcha.label")}</p>
          {issueFor(props.error?.issues, "captcha") ? (
            <p class="field__error">{issueFor(props.error?.issues, "captcha")?.message}</p>
          ) : null}
          <altcha-widget challenge="/api/v1/reset/captcha" name="altcha" data-testid="captcha" />
          <noscript>
            <p class="field__hint">{t("reset.captcha.noscript")}</p>
          </noscript>
        </div>
        <Button>{t("reset.next")}</Button>
      </PostForm>
      <Helpdesk ctx={ctx} helpdesk={props.helpdesk} flowId={null} contacted={false} />
    </Layout>
  );
}

/** "Contact your administrator" (FLOW-04, POL-11/12): a link, a mailto, or a form that emails the admins. */
function Helpdesk(props: {
  ctx: PageContext;
  helpdesk: HelpdeskContact;
  flowId: string | null;
  contacted: boolean;
}): JSX.Element | null {
  const { t } = props.ctx;
  const { helpdesk } = props;
  if (helpdesk.kind === "url") {
    return (
      <p class="helpdesk">
        <a href={helpdesk.url} rel="noopener noreferrer">
          {t("reset.contact_admin")}
        </a>
      </p>
    );
  }
  if (helpdesk.kind === "email") {
    return (
      <p class="helpdesk">
        <a href={`mailto:${helpdesk.address}`}>{t("reset.contact_admin")}</a>
      </p>
    );
  }
  if (props.flowId === null) return null;
  if (props.contacted) return <Notice kind="success">{t("reset.contact_admin.sent")}</Notice>;
  return (
    <PostForm
      action={`/reset/${props.flowId}/contact`}
      csrf={props.ctx.csrf}
      class="form form--inline"
      label={t("reset.contact_admin")}
    >
      <Button kind="link">{t("reset.contact_admin")}</Button>
    </PostForm>
  );
}

function destinationField(method: string | null): { name: string; type: "email" | "tel"; autocomplete: string } {
  return method === "email-code"
    ? { name: "email", type: "email", autocomplete: "email" }
    : { name: "phone", type: "tel", autocomplete: "tel" };
}

function ChallengeForm(props: {
  ctx: PageContext;
  view: ResetView;
  challenge: ChallengeView;
  error: InlineError | null;
}): JSX.Element {
  const { ctx, view, challenge } = props;
  const { t } = ctx;
  const base = `/reset/${view.flowId}`;
  switch (challenge.kind) {
    case "ask-destination": {
      const dest = destinationField(view.method);
      return (
        <PostForm action={`${base}/send`} csrf={ctx.csrf}>
          <Field
            name={dest.name}
            type={dest.type}
            label={t(view.method === "email-code" ? "reset.challenge.email_label" : "reset.challenge.phone_label")}
            hint={t("reset.challenge.ask_destination", { hint: challenge.hint })}
            autocomplete={dest.autocomplete}
            required
            maxLength={254}
            autofocus
            error={issueFor(props.error?.issues, dest.name)}
          />
          <Button>
            {t(view.method === "email-code" ? "reset.challenge.send_email" : "reset.challenge.send_text")}
          </Button>
        </PostForm>
      );
    }
    case "enter-code":
    case "enter-totp":
      return (
        <>
          <PostForm action={`${base}/verify`} csrf={ctx.csrf}>
            <Field
              name="code"
              label={t(challenge.kind === "enter-totp" ? "reset.challenge.totp_label" : "reset.challenge.code_label")}
              hint={
                challenge.kind === "enter-code"
                  ? t("reset.challenge.code_hint", { hint: challenge.hint, digits: challenge.codeLength })
                  : t("reset.challenge.totp_hint")
              }
              inputMode="numeric"
              autocomplete="one-time-code"
              required
              maxLength={32}
              autofocus
              error={issueFor(props.error?.issues, "code")}
            />
            <Button>{t("reset.next")}</Button>
          </PostForm>
          {challenge.kind === "enter-code" ? (
            <PostForm
              action={`${base}/method`}
              csrf={ctx.csrf}
              class="form form--inline"
              label={t("reset.challenge.try_again")}
            >
              <input type="hidden" name="method" value={view.method ?? ""} />
              <p class="field__hint">{t("reset.challenge.not_arrived")}</p>
              <Button kind="secondary">{t("reset.challenge.try_again")}</Button>
            </PostForm>
          ) : null}
        </>
      );
    case "answer-questions":
      return (
        <PostForm action={`${base}/verify`} csrf={ctx.csrf}>
          {challenge.questions.map((question, index) => (
            <Field
              key={question.id}
              name={`answer-${question.id}`}
              label={question.text}
              autocomplete="off"
              required
              maxLength={200}
              autofocus={index === 0}
              spellcheck={false}
            />
          ))}
          <Button>{t("reset.next")}</Button>
        </PostForm>
      );
    case "webauthn":
      // Runs with /assets/passkey.js (progressive enhancement: without JS the hint says passkeys need it).
      return (
        <form
          method="post"
          action={`${base}/verify`}
          class="form"
          data-webauthn="get"
          data-options={JSON.stringify(challenge.options)}
          data-failed={t("reset.challenge.webauthn_failed")}
        >
          <input type="hidden" name={ctx.csrf.name} value={ctx.csrf.value} />
          <input type="hidden" name="response" value="" />
          <p>{t("method.passkey.prompt")}</p>
          <p data-needs-js="">{t("reset.challenge.webauthn_needs_js")}</p>
          <p data-webauthn-status="" role="status" />
          <button type="submit" class="button button--primary" data-webauthn-start="" hidden>
            {t("reset.challenge.webauthn_button")}
          </button>
        </form>
      );
  }
}

function messageText(ctx: PageContext, view: ResetView): string | null {
  if (view.message === null) return null;
  return ctx.t(view.message, { attemptsLeft: view.attemptsLeft ?? 0 });
}

function MethodChoice(props: { ctx: PageContext; view: ResetView; switching: boolean }): JSX.Element {
  const { ctx, view } = props;
  const { t } = ctx;
  return (
    <PostForm action={`/reset/${view.flowId}/method`} csrf={ctx.csrf} label={t("reset.method.legend")}>
      <Choices
        name="method"
        legend={t(props.switching ? "reset.method.switch" : "reset.method.legend")}
        options={view.methods
          // While switching, the method in use is not offered again.
          .filter((m) => !props.switching || m.id !== view.method)
          .map((m) => ({ value: m.id, label: t(m.label) }))}
        selected={props.switching || view.methods.length !== 1 ? [] : [view.methods[0]?.id ?? ""]}
      />
      <Button kind={props.switching ? "secondary" : "primary"}>
        {t(props.switching ? "reset.method.switch_button" : "reset.next")}
      </Button>
    </PostForm>
  );
}

export function FlowPage(props: {
  ctx: PageContext;
  view: ResetView;
  error: InlineError | null;
  strength?: StrengthFeedback | null;
  status?: number;
}): JSX.Element {
  const { ctx, view } = props;
  const { t } = ctx;
  const base = `/reset/${view.flowId}`;
  const message = messageText(ctx, view);
  const scripts =
    view.state === "awaiting_new_password"
      ? ["/assets/strength.js"]
      : view.challenge?.kind === "webauthn" && view.state === "in_challenge"
        ? ["/assets/vendor/simplewebauthn-browser.js", "/assets/passkey.js"]
        : [];
  const title = t(`reset.state.${view.state}.title`);
  let body: JSX.Element;
  switch (view.state) {
    case "choosing_path":
      body = (
        <PostForm action={`${base}/path`} csrf={ctx.csrf} label={t("reset.path.legend")}>
          <Choices
            name="path"
            legend={t("reset.path.legend")}
            options={[
              { value: "reset", label: t("reset.path.reset"), hint: t("reset.path.reset_hint") },
              { value: "unlock", label: t("reset.path.unlock"), hint: t("reset.path.unlock_hint") },
            ]}
            selected={["reset"]}
          />
          <Button>{t("reset.next")}</Button>
        </PostForm>
      );
      break;
    case "choosing_method":
      body = <MethodChoice ctx={ctx} view={view} switching={false} />;
      break;
    case "in_challenge":
      body = (
        <>
          {view.challenge !== null ? (
            <ChallengeForm ctx={ctx} view={view} challenge={view.challenge} error={props.error} />
          ) : null}
          {view.methods.some((m) => m.id !== view.method) ? (
            <MethodChoice ctx={ctx} view={view} switching={true} />
          ) : null}
        </>
      );
      break;
    case "awaiting_new_password":
      body = <PasswordForm ctx={ctx} view={view} error={props.error} strength={props.strength ?? null} />;
      break;
    case "awaiting_unlock":
      body = (
        <PostForm action={`${base}/unlock`} csrf={ctx.csrf}>
          <p>{t("reset.unlock.intro")}</p>
          <Button>{t("reset.unlock.button")}</Button>
        </PostForm>
      );
      break;
    case "writing_password":
    case "writing_unlock":
      body = (
        <>
          <p>{t("reset.writing")}</p>
          <ButtonLink href={base} kind="secondary">
            {t("reset.refresh")}
          </ButtonLink>
        </>
      );
      break;
    case "done":
      body = (
        <>
          <Notice kind="success" title={t(`reset.done.${view.result ?? "password_reset"}`)}>
            <p>{t("reset.done.sign_in")}</p>
          </Notice>
          <ButtonLink href="/">{t("reset.done.home")}</ButtonLink>
        </>
      );
      break;
    case "refused":
      body = (
        <>
          <Notice kind="error" title={t("reset.refusal.title")}>
            <p>{view.refusal !== null ? t(view.refusal.message) : t("error.internal")}</p>
            {view.refusal !== null ? (
              <p class="field__hint">
                {t("reset.refusal.technical")}: <code>{view.refusal.code}</code>
              </p>
            ) : null}
          </Notice>
          <SupportCode ctx={ctx} />
        </>
      );
      break;
    case "failed":
      body = (
        <>
          <Notice kind="error" title={t("reset.failed.title")}>
            <p>{message ?? t("reset.failed.body")}</p>
          </Notice>
          <SupportCode ctx={ctx} />
          <ButtonLink href="/reset">{t("reset.start_again")}</ButtonLink>
        </>
      );
      break;
  }
  const showMessage = message !== null && view.state !== "failed";
  const showHelpdesk = ["choosing_method", "in_challenge", "refused", "failed", "awaiting_unlock"].includes(view.state);
  return (
    <Layout ctx={ctx} title={title} scripts={scripts}>
      <h1>{title}</h1>
      {view.gate !== null ? <p class="lead">{t("reset.gate", { gate: view.gate })}</p> : null}
      {showMessage ? (
        <Notice kind={view.messageKind === "error" ? "error" : "info"}>
          <p>{message}</p>
          {view.messageKind === "error" ? <SupportCode ctx={ctx} /> : null}
        </Notice>
      ) : null}
      {view.state !== "awaiting_new_password" ? <Problems ctx={ctx} error={props.error} /> : null}
      {body}
      {showHelpdesk ? (
        <Helpdesk ctx={ctx} helpdesk={view.helpdesk} flowId={view.flowId} contacted={view.contactedAdmin} />
      ) : null}
      {["done", "refused", "failed"].includes(view.state) ? null : (
        <p class="field__hint">{t("reset.expires", { time: view.expiresAt.slice(11, 16) })}</p>
      )}
    </Layout>
  );
}

function PasswordForm(props: {
  ctx: PageContext;
  view: ResetView;
  error: InlineError | null;
  strength: StrengthFeedback | null;
}): JSX.Element {
  const { ctx, view, strength } = props;
  const { t } = ctx;
  return (
    <>
      <Problems ctx={ctx} error={props.error} />
      <PostForm action={`/reset/${view.flowId}/password`} csrf={ctx.csrf} label={t("reset.password.legend")}>
        <Field
          name="password"
          type="password"
          label={t("reset.password.new")}
          hint={t("reset.password.hint")}
          autocomplete="new-password"
          required
          maxLength={1024}
          autofocus
          error={issueFor(props.error?.issues, "password")}
        />
        <div class="strength" id="strength" data-flow={view.flowId} aria-live="polite">
          <label for="strength-meter">{t("reset.strength.label")}</label>{" "}
          <meter id="strength-meter" min={0} max={4} low={2} high={3} optimum={4} value={strength?.score ?? 0} />{" "}
          <span id="strength-text">{strength !== null ? t(`strength.score.${strength.score}`) : ""}</span>
          <ul id="strength-feedback">
            {(strength?.feedback ?? []).map((id) => (
              <li key={id}>{t(id)}</li>
            ))}
          </ul>
        </div>
        <Field
          name="confirm"
          type="password"
          label={t("reset.password.confirm")}
          autocomplete="new-password"
          required
          maxLength={1024}
          error={issueFor(props.error?.issues, "confirm")}
        />
        <div class="button-row">
          <Button name="action" value="set">
            {t("reset.password.finish")}
          </Button>
          <Button name="action" value="check" kind="secondary">
            {t("reset.strength.check")}
          </Button>
        </div>
      </PostForm>
    </>
  );
}

declare module "preact" {
  namespace JSX {
    interface IntrinsicElements {
      "altcha-widget": { challenge?: string; name?: string; "data-testid"?: string };
    }
  }
}
