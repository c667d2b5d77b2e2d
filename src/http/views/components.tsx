/**
 * Shared form and page components. Accessible by construction: every input has a <label>, an error is
 * linked with `aria-describedby` and `aria-invalid`, the error summary links to the fields and takes focus
 * order first (GOV.UK design-system pattern). Everything is escaped by preact.
 */
import type { ComponentChildren, JSX } from "preact";
import type { FieldIssue } from "../../errors/app-error.ts";
import type { Translate } from "../../messages/index.ts";

/** `id` attribute used for a field name (dots and brackets are not friendly in fragment links). */
export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** The first issue for `name` (issues are keyed by dotted field path). */
export function issueFor(issues: readonly FieldIssue[] | undefined, name: string): FieldIssue | undefined {
  return issues?.find((issue) => issue.field === name);
}

export function CsrfField(props: { field: { name: string; value: string } }): JSX.Element {
  return <input type="hidden" name={props.field.name} value={props.field.value} />;
}

export interface FieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "tel" | "number" | "url" | "search" | "date" | "datetime-local";
  value?: string | number;
  hint?: string;
  /** The problem with this field, if any (shown under the label). */
  error?: FieldIssue | string;
  required?: boolean;
  autocomplete?: string;
  inputMode?: "numeric" | "text" | "email" | "tel";
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
  autofocus?: boolean;
  /** Multi-line text. */
  multiline?: boolean;
  rows?: number;
  spellcheck?: boolean;
}

export function Field(props: FieldProps): JSX.Element {
  const id = fieldId(props.name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const error = typeof props.error === "string" ? props.error : props.error?.message;
  const rule = typeof props.error === "object" ? props.error.rule : undefined;
  const describedBy = [props.hint !== undefined ? hintId : null, error !== undefined ? errorId : null]
    .filter((x) => x !== null)
    .join(" ");
  const common = {
    id,
    name: props.name,
    required: props.required,
    "aria-invalid": error !== undefined ? ("true" as const) : undefined,
    "aria-describedby": describedBy === "" ? undefined : describedBy,
    maxLength: props.maxLength,
    autoFocus: props.autofocus,
    spellcheck: props.spellcheck,
  };
  return (
    <div class={error !== undefined ? "field field--error" : "field"}>
      <label class="field__label" for={id}>
        {props.label}
      </label>
      {props.hint !== undefined ? (
        <p class="field__hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {error !== undefined ? (
        <p class="field__error" id={errorId}>
          {rule !== undefined ? <span class="rule-id">{rule}</span> : null} {error}
        </p>
      ) : null}
      {props.multiline === true ? (
        <textarea {...common} rows={props.rows ?? 5} class="field__input">
          {props.value ?? ""}
        </textarea>
      ) : (
        <input
          {...common}
          class="field__input"
          type={props.type ?? "text"}
          value={props.type === "password" ? undefined : props.value}
          autoComplete={props.autocomplete}
          inputMode={props.inputMode}
          min={props.min}
          max={props.max}
          pattern={props.pattern}
        />
      )}
    </div>
  );
}

export interface ChoiceOption {
  value: string;
  label: string;
  hint?: string;
}

/** A group of radios (one value) or checkboxes (several) inside a fieldset with a legend. */
export function Choices(props: {
  name: string;
  legend: string;
  options: ChoiceOption[];
  selected: readonly string[];
  multiple?: boolean;
  hint?: string;
  error?: FieldIssue | string;
}): JSX.Element {
  const id = fieldId(props.name);
  const error = typeof props.error === "string" ? props.error : props.error?.message;
  const rule = typeof props.error === "object" ? props.error.rule : undefined;
  const describedBy = [props.hint !== undefined ? `${id}-hint` : null, error !== undefined ? `${id}-error` : null]
    .filter((x) => x !== null)
    .join(" ");
  return (
    <fieldset
      class={error !== undefined ? "field choices field--error" : "field choices"}
      id={id}
      aria-describedby={describedBy === "" ? undefined : describedBy}
    >
      <legend class="field__label">{props.legend}</legend>
      {props.hint !== undefined ? (
        <p class="field__hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {error !== undefined ? (
        <p class="field__error" id={`${id}-error`}>
          {rule !== undefined ? <span class="rule-id">{rule}</span> : null} {error}
        </p>
      ) : null}
      {props.options.map((option, index) => {
        const optionId = `${id}-${index}`;
        return (
          <div class="choice" key={option.value}>
            <input
              type={props.multiple === true ? "checkbox" : "radio"}
              id={optionId}
              name={props.name}
              value={option.value}
              checked={props.selected.includes(option.value)}
            />
            <label for={optionId}>
              {option.label}
              {option.hint !== undefined ? <span class="choice__hint">{option.hint}</span> : null}
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

/** A single checkbox with its label. */
export function Checkbox(props: { name: string; label: string; checked: boolean; hint?: string }): JSX.Element {
  const id = fieldId(props.name);
  return (
    <div class="field choice">
      <input type="checkbox" id={id} name={props.name} value="on" checked={props.checked} />
      <label for={id}>
        {props.label}
        {props.hint !== undefined ? <span class="choice__hint">{props.hint}</span> : null}
      </label>
    </div>
  );
}

export function Select(props: {
  name: string;
  label: string;
  options: ChoiceOption[];
  value: string;
  error?: FieldIssue | string;
}): JSX.Element {
  const id = fieldId(props.name);
  const error = typeof props.error === "string" ? props.error : props.error?.message;
  return (
    <div class={error !== undefined ? "field field--error" : "field"}>
      <label class="field__label" for={id}>
        {props.label}
      </label>
      {error !== undefined ? (
        <p class="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <select
        id={id}
        name={props.name}
        class="field__input"
        aria-invalid={error !== undefined ? "true" : undefined}
        aria-describedby={error !== undefined ? `${id}-error` : undefined}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Lists every problem with links to the fields; placed first in the main content. */
export function ErrorSummary(props: {
  t: Translate;
  issues: readonly FieldIssue[];
  message?: string;
}): JSX.Element | null {
  if (props.issues.length === 0 && props.message === undefined) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title" class="error-summary__title">
        {props.t("validation.summary_title")}
      </h2>
      {props.message !== undefined ? <p>{props.message}</p> : null}
      {props.issues.length > 0 ? (
        <ul>
          {props.issues.map((issue) => (
            <li key={`${issue.field}:${issue.message}`}>
              <a href={`#${fieldId(issue.field)}`}>
                {issue.rule !== undefined ? <span class="rule-id">{issue.rule}</span> : null}
                {issue.field !== "" ? <code>{issue.field}</code> : null} {issue.message}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Button(props: {
  children: ComponentChildren;
  kind?: "primary" | "secondary" | "danger" | "link";
  name?: string;
  value?: string;
  type?: "submit" | "button";
}): JSX.Element {
  return (
    <button
      type={props.type ?? "submit"}
      class={`button button--${props.kind ?? "primary"}`}
      name={props.name}
      value={props.value}
    >
      {props.children}
    </button>
  );
}

/** A link styled as a button (navigation, not a state change). */
export function ButtonLink(props: {
  href: string;
  children: ComponentChildren;
  kind?: "primary" | "secondary";
}): JSX.Element {
  return (
    <a class={`button button--${props.kind ?? "primary"}`} href={props.href}>
      {props.children}
    </a>
  );
}

export function Notice(props: {
  kind: "info" | "success" | "warning" | "error";
  title?: string;
  children?: ComponentChildren;
}): JSX.Element {
  return (
    <div
      class={`notice notice--${props.kind}`}
      role={props.kind === "error" || props.kind === "warning" ? "alert" : "status"}
    >
      {props.title !== undefined ? <p class="notice__title">{props.title}</p> : null}
      {props.children}
    </div>
  );
}

/** A POST form with the CSRF field (every state change is a POST with a token, REQ-089). */
export function PostForm(props: {
  action: string;
  csrf: { name: string; value: string };
  children: ComponentChildren;
  class?: string;
  /** A short label for the form (landmark), when there are several forms on a page. */
  label?: string;
}): JSX.Element {
  return (
    <form method="post" action={props.action} class={props.class ?? "form"} aria-label={props.label} novalidate>
      <CsrfField field={props.csrf} />
      {props.children}
    </form>
  );
}
