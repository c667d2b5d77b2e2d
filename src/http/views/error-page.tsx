import type { JSX } from "preact";
import type { FieldIssue } from "../../errors/app-error.ts";
import { ButtonLink, ErrorSummary } from "./components.tsx";
import { Layout } from "./layout.tsx";
import type { PageContext } from "./page-context.ts";

/** Error and "not found" page: the message, field issues if any, and the support code. */
export function ErrorPage(props: {
  ctx: PageContext;
  title: string;
  message: string;
  issues: readonly FieldIssue[];
  supportCode: string;
}): JSX.Element {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={props.title}>
      <h1>{props.title}</h1>
      <p class="lead">{props.message}</p>
      {props.issues.length > 0 ? <ErrorSummary t={ctx.t} issues={props.issues} /> : null}
      <div class="support-code">
        <p>
          {ctx.t("errorpage.support_code")}: <code class="support-code__value">{props.supportCode}</code>
        </p>
        <p class="field__hint">{ctx.t("errorpage.support_code_help")}</p>
      </div>
      <p>
        <ButtonLink href="/" kind="secondary">
          {ctx.t("errorpage.back_home")}
        </ButtonLink>
      </p>
    </Layout>
  );
}
