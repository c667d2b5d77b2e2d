/**
 * `/admin/policy`: every field of the SSPR policy in one form; a refused save shows each issue next to its
 * field with the rule id (POL-xx) and saves nothing; a save audits old → new values (policy service).
 * Below the form: the version history with what changed in each version.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import type { FieldIssue } from "../../errors/app-error.ts";
import { isAppError } from "../../errors/app-error.ts";
import { t as translate } from "../../messages/index.ts";
import { PREDEFINED_QUESTIONS } from "../../methods/security-questions/questions.ts";
import { diffPolicy, type PolicyChange } from "../../policy/policy.service.ts";
import { DEFAULT_POLICY, type PolicyVersion } from "../../policy/policy.types.ts";
import type { Registry } from "../../registry.types.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { Button, Checkbox, Choices, ErrorSummary, Field, Notice, PostForm } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { adminOf } from "./admin-auth.ts";
import {
  ADMIN_METHODS,
  ALL_METHODS,
  assertFormShape,
  formToPolicy,
  type PolicyFormValues,
  policyToForm,
  submittedForm,
} from "./policy-form.ts";
import { AdminLayout, formatDate } from "./views/admin-layout.tsx";

interface HistoryEntry {
  version: PolicyVersion;
  changes: PolicyChange[];
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.length === 0 ? "[]" : value.join(", ");
  return String(value);
}

function PolicyPage(props: {
  ctx: PageContext;
  values: PolicyFormValues;
  expectedVersion: number;
  current: PolicyVersion;
  issues: FieldIssue[];
  message?: string;
  saved: boolean;
  history: HistoryEntry[];
}): JSX.Element {
  const { t } = props.ctx;
  const v = props.values;
  const str = (name: string): string => {
    const value = v[name];
    return typeof value === "string" ? value : "";
  };
  const arr = (name: string): string[] => {
    const value = v[name];
    return Array.isArray(value) ? value : [];
  };
  const bool = (name: string): boolean => v[name] === true;
  const issue = (name: string): FieldIssue | undefined =>
    props.issues.find((i) => i.field === name || i.field.startsWith(`${name}.`));
  const err = (name: string) => {
    const found = issue(name);
    return found === undefined ? {} : { error: found };
  };
  const methodOptions = (ids: readonly string[]) => ids.map((id) => ({ value: id, label: t(`admin.method.${id}`) }));
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.policy.title")} section="/admin/policy">
      <h1>{t("admin.policy.title")}</h1>
      <p class="lead">
        {props.current.version === 0
          ? t("admin.policy.version_default")
          : t("admin.policy.version", {
              version: props.current.version,
              at: formatDate(props.current.createdAt),
              by: props.current.createdBy,
            })}
      </p>
      {props.saved ? (
        <Notice kind="success">
          <p>{t("admin.policy.saved")}</p>
        </Notice>
      ) : null}
      <ErrorSummary t={t} issues={props.issues} {...(props.message !== undefined ? { message: props.message } : {})} />
      <PostForm action="/admin/policy" csrf={props.ctx.csrf}>
        <input type="hidden" name="expectedVersion" value={String(props.expectedVersion)} />
        <section class="policy-section">
          <h2>{t("admin.policy.section.scope")}</h2>
          <Choices
            name="enabled"
            legend={t("admin.policy.enabled")}
            hint="POL-01"
            selected={[str("enabled")]}
            options={[
              { value: "none", label: t("admin.policy.enabled.none") },
              { value: "selected", label: t("admin.policy.enabled.selected") },
              { value: "all", label: t("admin.policy.enabled.all") },
            ]}
            {...err("enabled")}
          />
          <Field
            name="scopeGroups"
            label={t("admin.policy.scope_groups")}
            hint={t("admin.policy.scope_groups_hint")}
            multiline
            rows={3}
            value={str("scopeGroups")}
            {...err("scopeGroups")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.methods")}</h2>
          <Choices
            name="methodsRequired"
            legend={t("admin.policy.methods_required")}
            hint="POL-02"
            selected={[str("methodsRequired")]}
            options={[
              { value: "1", label: "1" },
              { value: "2", label: "2" },
            ]}
            {...err("methodsRequired")}
          />
          <Choices
            name="methods"
            legend={t("admin.policy.methods")}
            hint="POL-03"
            multiple
            selected={arr("methods")}
            options={methodOptions(ALL_METHODS)}
            {...err("methods")}
          />
          <Field
            name="securityQuestions.toRegister"
            type="number"
            label={t("admin.policy.sq_to_register")}
            hint="POL-04: 3–5"
            value={str("securityQuestions.toRegister")}
            {...err("securityQuestions.toRegister")}
          />
          <Field
            name="securityQuestions.toReset"
            type="number"
            label={t("admin.policy.sq_to_reset")}
            hint="POL-05: 3–5"
            value={str("securityQuestions.toReset")}
            {...err("securityQuestions.toReset")}
          />
          <details>
            <summary>{t("admin.policy.sq_predefined")}</summary>
            <Choices
              name="securityQuestions.predefined"
              legend={t("admin.policy.sq_predefined")}
              hint="POL-06"
              multiple
              selected={arr("securityQuestions.predefined")}
              options={PREDEFINED_QUESTIONS.map((q) => ({ value: String(q.id), label: `${q.id}. ${q.text}` }))}
              {...err("securityQuestions.predefined")}
            />
          </details>
          <Field
            name="securityQuestions.custom"
            label={t("admin.policy.sq_custom")}
            hint={t("admin.policy.one_per_line")}
            multiline
            rows={3}
            value={str("securityQuestions.custom")}
            {...err("securityQuestions.custom")}
          />
          <Checkbox
            name="securityQuestions.caseSensitive"
            label={t("admin.policy.sq_case_sensitive")}
            checked={bool("securityQuestions.caseSensitive")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.registration")}</h2>
          <Checkbox
            name="registration.required"
            label={t("admin.policy.registration_required")}
            hint="POL-07"
            checked={bool("registration.required")}
          />
          <Field
            name="registration.reconfirmDays"
            type="number"
            label={t("admin.policy.reconfirm_days")}
            hint="POL-08: 0–730"
            value={str("registration.reconfirmDays")}
            {...err("registration.reconfirmDays")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.notifications")}</h2>
          <Checkbox
            name="notifications.userOnReset"
            label={t("admin.policy.notify_user")}
            hint="POL-09"
            checked={bool("notifications.userOnReset")}
          />
          <Checkbox
            name="notifications.adminsOnAdminReset"
            label={t("admin.policy.notify_admins")}
            hint="POL-10"
            checked={bool("notifications.adminsOnAdminReset")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.helpdesk")}</h2>
          <Field
            name="helpdesk.contact"
            label={t("admin.policy.helpdesk_contact")}
            hint={t("admin.policy.helpdesk_contact_hint")}
            value={str("helpdesk.contact")}
            {...err("helpdesk.contact")}
          />
          <Choices
            name="helpdesk.mode"
            legend={t("admin.policy.helpdesk_mode")}
            selected={[str("helpdesk.mode")]}
            options={[
              { value: "assist", label: t("admin.policy.helpdesk_mode.assist") },
              { value: "sspr-only", label: t("admin.policy.helpdesk_mode.sspr_only") },
            ]}
            {...err("helpdesk.mode")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.writeback")}</h2>
          <Checkbox
            name="writeback.enabled"
            label={t("admin.policy.writeback_enabled")}
            hint="POL-13"
            checked={bool("writeback.enabled")}
          />
          <Checkbox
            name="writeback.allowUnlockWithoutReset"
            label={t("admin.policy.unlock_without_reset")}
            hint="POL-15"
            checked={bool("writeback.allowUnlockWithoutReset")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.administrators")}</h2>
          <Checkbox
            name="administrators.enabled"
            label={t("admin.policy.admins_enabled")}
            hint="POL-16"
            checked={bool("administrators.enabled")}
          />
          <Choices
            name="administrators.methods"
            legend={t("admin.policy.admin_methods")}
            hint={t("admin.policy.admin_methods_hint")}
            multiple
            selected={arr("administrators.methods")}
            options={methodOptions(ADMIN_METHODS)}
            {...err("administrators.methods")}
          />
        </section>
        <section class="policy-section">
          <h2>{t("admin.policy.section.passwords")}</h2>
          <Field
            name="passwords.minLength"
            type="number"
            label={t("admin.policy.pw_min")}
            value={str("passwords.minLength")}
            {...err("passwords.minLength")}
          />
          <Field
            name="passwords.maxLength"
            type="number"
            label={t("admin.policy.pw_max")}
            value={str("passwords.maxLength")}
            {...err("passwords.maxLength")}
          />
          <Field
            name="passwords.requiredClasses"
            type="number"
            label={t("admin.policy.pw_classes")}
            hint={t("admin.policy.pw_classes_hint")}
            value={str("passwords.requiredClasses")}
            {...err("passwords.requiredClasses")}
          />
          <Field
            name="passwords.historyCount"
            type="number"
            label={t("admin.policy.pw_history")}
            value={str("passwords.historyCount")}
            {...err("passwords.historyCount")}
          />
          <Field
            name="passwords.customBanned"
            label={t("admin.policy.pw_banned")}
            hint={t("admin.policy.pw_banned_hint")}
            multiline
            rows={4}
            value={str("passwords.customBanned")}
            {...err("passwords.customBanned")}
          />
          <Checkbox
            name="passwords.enforceCustomBanned"
            label={t("admin.policy.pw_enforce_banned")}
            checked={bool("passwords.enforceCustomBanned")}
          />
          <Field
            name="passwords.organisationName"
            label={t("admin.policy.pw_org")}
            value={str("passwords.organisationName")}
            {...err("passwords.organisationName")}
          />
        </section>
        <Button>{t("admin.policy.save")}</Button>
      </PostForm>
      <h2>{t("admin.policy.history")}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.policy.history.version")}</th>
              <th scope="col">{t("admin.policy.history.when")}</th>
              <th scope="col">{t("admin.policy.history.by")}</th>
              <th scope="col">{t("admin.policy.history.changes")}</th>
            </tr>
          </thead>
          <tbody>
            {props.history.map((entry) => (
              <tr key={entry.version.version}>
                <td>{entry.version.version}</td>
                <td>{formatDate(entry.version.createdAt)}</td>
                <td>{entry.version.createdBy}</td>
                <td class="diff">
                  <ul>
                    {entry.changes.map((change) => (
                      <li key={change.property}>
                        <code>{change.property}</code>: <del>{valueText(change.oldValue)}</del> →{" "}
                        <ins>{valueText(change.newValue)}</ins>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminLayout>
  );
}

export async function policyHistory(registry: Registry, limit: number): Promise<HistoryEntry[]> {
  const versions = await registry.policy.history(limit + 1);
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  return sorted.slice(0, limit).map((version, index) => {
    // Version 1 is compared with the built-in defaults (version 0, never stored).
    const before = sorted[index + 1]?.policy ?? DEFAULT_POLICY;
    return { version, changes: diffPolicy(before, version.policy) };
  });
}

export async function registerAdminPolicyRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      values?: PolicyFormValues;
      expectedVersion?: number;
      issues?: FieldIssue[];
      message?: string;
      status?: number;
      saved?: boolean;
    },
  ) => {
    const admin = adminOf(request);
    const ctx = await pageContext(registry, request, { area: "admin", signedInAs: admin.actor.name });
    const current = await registry.policy.current();
    const history = await policyHistory(registry, 20);
    return renderPage(
      reply,
      <PolicyPage
        ctx={ctx}
        values={options.values ?? policyToForm(current.policy)}
        expectedVersion={options.expectedVersion ?? current.version}
        current={current}
        issues={options.issues ?? []}
        saved={options.saved ?? false}
        history={history}
        {...(options.message !== undefined ? { message: options.message } : {})}
      />,
      { status: options.status ?? 200 },
    );
  };

  app.get("/admin/policy", async (request, reply) => {
    const saved = (request.query as Record<string, unknown> | undefined)?.["saved"] === "1";
    return render(request, reply, { saved });
  });

  app.post("/admin/policy", async (request, reply) => {
    const admin = adminOf(request);
    const body = assertFormShape(request.body, {
      locale: request.locale,
      notText: translate(request.locale, "validation.not_text"),
    });
    const expected =
      typeof body["expectedVersion"] === "string" ? Number.parseInt(body["expectedVersion"], 10) : Number.NaN;
    if (!Number.isInteger(expected) || expected < 0) {
      return render(request, reply, {
        values: submittedForm(body),
        issues: [{ field: "expectedVersion", message: translate(request.locale, "validation.not_number") }],
        status: 400,
      });
    }
    try {
      await registry.policy.save(formToPolicy(body) as never, {
        expectedVersion: expected,
        actor: admin.actor,
        ctx: requestContext(request),
      });
    } catch (error) {
      if (isAppError(error) && (error.code === "POLICY_INVALID" || error.code === "VERSION_CONFLICT")) {
        return render(request, reply, {
          values: submittedForm(body),
          expectedVersion: expected,
          issues: error.issues,
          message: translate(request.locale, error.messageId),
          status: error.status,
        });
      }
      throw error;
    }
    return reply.redirect("/admin/policy?saved=1", 303);
  });
}
