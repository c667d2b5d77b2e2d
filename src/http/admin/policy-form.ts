/**
 * The policy page's form ↔ the SSPRPolicy document. Form field names ARE the policy's dotted paths, so the
 * validator's issues (`securityQuestions.toReset`, rule POL-05) land next to the right field.
 * Conversion is deliberately dumb: numbers that are not numbers are passed on as text so the policy
 * validator (the one authority) names the field and rule; only structural abuse (a repeated key where one
 * value belongs) is refused here with 400.
 */
import { AppError, type FieldIssue } from "../../errors/app-error.ts";
import type { SSPRPolicy } from "../../policy/policy.types.ts";
import type { MethodId } from "../../store/types.ts";

export const ALL_METHODS: readonly MethodId[] = [
  "email-code",
  "sms-code",
  "voice-mobile",
  "voice-office",
  "totp",
  "security-questions",
  "passkey",
];
export const ADMIN_METHODS: readonly MethodId[] = ALL_METHODS.filter((m) => m !== "security-questions");

const SCALAR_FIELDS = [
  "enabled",
  "methodsRequired",
  "securityQuestions.toRegister",
  "securityQuestions.toReset",
  "securityQuestions.custom",
  "securityQuestions.caseSensitive",
  "scopeGroups",
  "registration.required",
  "registration.reconfirmDays",
  "notifications.userOnReset",
  "notifications.adminsOnAdminReset",
  "helpdesk.contact",
  "helpdesk.mode",
  "writeback.enabled",
  "writeback.allowUnlockWithoutReset",
  "administrators.enabled",
  "passwords.minLength",
  "passwords.maxLength",
  "passwords.requiredClasses",
  "passwords.historyCount",
  "passwords.customBanned",
  "passwords.enforceCustomBanned",
  "passwords.organisationName",
  "expectedVersion",
] as const;
const LIST_FIELDS = ["methods", "securityQuestions.predefined", "administrators.methods"] as const;

function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === "string" ? value : "";
}

function list(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

function numberOrText(value: string): number | string {
  return /^\s*-?\d{1,9}\s*$/.test(value) ? Number.parseInt(value, 10) : value;
}

function checked(body: Record<string, unknown>, name: string): boolean {
  const value = body[name];
  return value === "on" || value === "true" || value === "1";
}

/** Refuses arrays/objects where one value belongs (400), before anything else looks at the form. */
export function assertFormShape(body: unknown, options: { locale: string; notText: string }): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("VALIDATION_FAILED", { issues: [{ field: "", message: options.notText }] });
  }
  const record = body as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const name of SCALAR_FIELDS) {
    const value = record[name];
    if (value !== undefined && typeof value !== "string") issues.push({ field: name, message: options.notText });
  }
  for (const name of LIST_FIELDS) {
    const value = record[name];
    if (value === undefined || typeof value === "string") continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string") || value.length > 100) {
      issues.push({ field: name, message: options.notText });
    }
  }
  if (issues.length > 0) throw new AppError("VALIDATION_FAILED", { issues });
  return record;
}

/** The policy document the form describes (validated afterwards by the policy service). */
export function formToPolicy(body: Record<string, unknown>): unknown {
  return {
    enabled: text(body, "enabled"),
    scopeGroups: lines(text(body, "scopeGroups")),
    methodsRequired: numberOrText(text(body, "methodsRequired")),
    methods: list(body, "methods"),
    securityQuestions: {
      toRegister: numberOrText(text(body, "securityQuestions.toRegister")),
      toReset: numberOrText(text(body, "securityQuestions.toReset")),
      predefined: list(body, "securityQuestions.predefined").map(numberOrText),
      custom: lines(text(body, "securityQuestions.custom")),
      caseSensitive: checked(body, "securityQuestions.caseSensitive"),
    },
    registration: {
      required: checked(body, "registration.required"),
      reconfirmDays: numberOrText(text(body, "registration.reconfirmDays")),
    },
    notifications: {
      userOnReset: checked(body, "notifications.userOnReset"),
      adminsOnAdminReset: checked(body, "notifications.adminsOnAdminReset"),
    },
    helpdesk: { contact: text(body, "helpdesk.contact").trim(), mode: text(body, "helpdesk.mode") },
    writeback: {
      enabled: checked(body, "writeback.enabled"),
      allowUnlockWithoutReset: checked(body, "writeback.allowUnlockWithoutReset"),
    },
    administrators: {
      enabled: checked(body, "administrators.enabled"),
      methodsRequired: 2,
      methods: list(body, "administrators.methods"),
    },
    passwords: {
      minLength: numberOrText(text(body, "passwords.minLength")),
      maxLength: numberOrText(text(body, "passwords.maxLength")),
      requiredClasses: numberOrText(text(body, "passwords.requiredClasses")),
      historyCount: numberOrText(text(body, "passwords.historyCount")),
      customBanned: lines(text(body, "passwords.customBanned")),
      enforceCustomBanned: checked(body, "passwords.enforceCustomBanned"),
      organisationName: text(body, "passwords.organisationName").trim(),
    },
  };
}

/** What the form shows: the policy's values as form strings (also used to redisplay a refused submission). */
export interface PolicyFormValues {
  [name: string]: string | string[] | boolean;
}

export function policyToForm(policy: SSPRPolicy): PolicyFormValues {
  return {
    enabled: policy.enabled,
    scopeGroups: policy.scopeGroups.join("\n"),
    methodsRequired: String(policy.methodsRequired),
    methods: [...policy.methods],
    "securityQuestions.toRegister": String(policy.securityQuestions.toRegister),
    "securityQuestions.toReset": String(policy.securityQuestions.toReset),
    "securityQuestions.predefined": policy.securityQuestions.predefined.map(String),
    "securityQuestions.custom": policy.securityQuestions.custom.join("\n"),
    "securityQuestions.caseSensitive": policy.securityQuestions.caseSensitive,
    "registration.required": policy.registration.required,
    "registration.reconfirmDays": String(policy.registration.reconfirmDays),
    "notifications.userOnReset": policy.notifications.userOnReset,
    "notifications.adminsOnAdminReset": policy.notifications.adminsOnAdminReset,
    "helpdesk.contact": policy.helpdesk.contact,
    "helpdesk.mode": policy.helpdesk.mode,
    "writeback.enabled": policy.writeback.enabled,
    "writeback.allowUnlockWithoutReset": policy.writeback.allowUnlockWithoutReset,
    "administrators.enabled": policy.administrators.enabled,
    "administrators.methods": [...policy.administrators.methods],
    "passwords.minLength": String(policy.passwords.minLength),
    "passwords.maxLength": String(policy.passwords.maxLength),
    "passwords.requiredClasses": String(policy.passwords.requiredClasses),
    "passwords.historyCount": String(policy.passwords.historyCount),
    "passwords.customBanned": policy.passwords.customBanned.join("\n"),
    "passwords.enforceCustomBanned": policy.passwords.enforceCustomBanned,
    "passwords.organisationName": policy.passwords.organisationName,
  };
}

/** Redisplays exactly what the admin submitted (after a refusal). */
export function submittedForm(body: Record<string, unknown>): PolicyFormValues {
  const out: PolicyFormValues = {};
  for (const name of SCALAR_FIELDS) out[name] = text(body, name);
  for (const name of LIST_FIELDS) out[name] = list(body, name);
  for (const name of [
    "securityQuestions.caseSensitive",
    "registration.required",
    "notifications.userOnReset",
    "notifications.adminsOnAdminReset",
    "writeback.enabled",
    "writeback.allowUnlockWithoutReset",
    "administrators.enabled",
    "passwords.enforceCustomBanned",
  ]) {
    out[name] = checked(body, name);
  }
  return out;
}
