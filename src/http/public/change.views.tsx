/** The change-password page (SPEC §6 "Change password"): user name, current password, new password twice. */
import type { JSX } from "preact";
import type { FieldIssue } from "../../errors/app-error.ts";
import { Button, ButtonLink, ErrorSummary, Field, issueFor, Notice, PostForm } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";
import type { PageContext } from "../views/page-context.ts";

export function ChangePage(props: {
  ctx: PageContext;
  userName: string;
  error: { message?: string; issues: FieldIssue[] } | null;
}): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const issues = props.error?.issues;
  return (
    <Layout ctx={ctx} title={t("change.title")}>
      <h1>{t("change.title")}</h1>
      <p class="lead">{t("change.intro")}</p>
      {props.error !== null ? (
        <>
          <ErrorSummary t={t} issues={props.error.issues} message={props.error.message} />
          <p class="support-code field__hint">
            {t("errorpage.support_code")}: <code class="support-code__value">{ctx.requestId}</code>
          </p>
        </>
      ) : null}
      <PostForm action="/change" csrf={ctx.csrf} label={t("change.title")}>
        <Field
          name="userName"
          label={t("change.user_name")}
          value={props.userName}
          autocomplete="username"
          required
          maxLength={256}
          autofocus
          error={issueFor(issues, "userName")}
        />
        <Field
          name="currentPassword"
          type="password"
          label={t("change.current")}
          autocomplete="current-password"
          required
          maxLength={1024}
          error={issueFor(issues, "currentPassword")}
        />
        <Field
          name="newPassword"
          type="password"
          label={t("change.new")}
          hint={t("reset.password.hint")}
          autocomplete="new-password"
          required
          maxLength={1024}
          error={issueFor(issues, "newPassword")}
        />
        <Field
          name="confirm"
          type="password"
          label={t("change.confirm")}
          autocomplete="new-password"
          required
          maxLength={1024}
          error={issueFor(issues, "confirm")}
        />
        <Button>{t("change.submit")}</Button>
      </PostForm>
      <p>
        <a href="/reset">{t("change.forgot")}</a>
      </p>
    </Layout>
  );
}

export function ChangeDonePage(props: { ctx: PageContext }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t("change.done.title")}>
      <Notice kind="success" title={t("change.done.title")}>
        <p>{t("change.done.body")}</p>
      </Notice>
      <ButtonLink href="/">{t("reset.done.home")}</ButtonLink>
    </Layout>
  );
}
