/**
 * Validation of the SSPR policy document (SPEC §5, reference §1.1 VAL/POL rules, ADM-02, SPEC §7).
 * A validation error names the field and the rule; an invalid policy is never saved. Messages are admin-facing
 * plain English (FieldIssue allows it); `rule` carries the reference id so tests and the UI can point at it.
 */
import { z } from "zod";
import type { FieldIssue } from "../errors/app-error.ts";
import { familyCount, METHOD_IDS, methodFamily } from "./families.ts";
import type { SSPRPolicy } from "./policy.types.ts";

const methodId = z.enum(METHOD_IDS);
const groupName = z.string().trim().min(1, "Group names may not be empty.").max(256);

const policySchema = z.strictObject({
  enabled: z.enum(["none", "selected", "all"]),
  scopeGroups: z.array(groupName).max(100),
  methodsRequired: z.union([z.literal(1), z.literal(2)]),
  methods: z.array(methodId).max(METHOD_IDS.length * 2),
  securityQuestions: z.strictObject({
    toRegister: z.number().int().min(3, "Between 3 and 5 questions.").max(5, "Between 3 and 5 questions."),
    toReset: z.number().int().min(3, "Between 3 and 5 questions.").max(5, "Between 3 and 5 questions."),
    predefined: z.array(z.number().int().min(1).max(35)).max(35),
    custom: z
      .array(
        z.string().trim().min(3, "Questions need 3 to 200 characters.").max(200, "Questions need 3 to 200 characters."),
      )
      .max(20, "At most 20 custom questions."),
    caseSensitive: z.boolean(),
  }),
  registration: z.strictObject({
    required: z.boolean(),
    reconfirmDays: z.number().int().min(0, "Between 0 and 730 days.").max(730, "Between 0 and 730 days."),
  }),
  notifications: z.strictObject({ userOnReset: z.boolean(), adminsOnAdminReset: z.boolean() }),
  helpdesk: z.strictObject({
    contact: z.string().trim().max(2048),
    mode: z.enum(["assist", "sspr-only"]),
  }),
  writeback: z.strictObject({ enabled: z.boolean(), allowUnlockWithoutReset: z.boolean() }),
  administrators: z.strictObject({
    enabled: z.boolean(),
    methodsRequired: z.literal(2, "Administrators always need 2 methods."),
    methods: z.array(methodId).max(METHOD_IDS.length * 2),
  }),
  passwords: z.strictObject({
    minLength: z.number().int().min(8, "At least 8.").max(256, "At most 256."),
    maxLength: z.number().int().min(64, "At least 64 (REQ-039).").max(256, "At most 256."),
    requiredClasses: z.number().int().min(0).max(4),
    historyCount: z.number().int().min(0).max(24),
    customBanned: z.array(z.string()).max(1000, "At most 1000 banned terms."),
    enforceCustomBanned: z.boolean(),
    organisationName: z.string().trim().max(256),
  }),
});

/** Which reference rule a schema-level problem at this path breaks (longest prefix wins). */
const RULE_BY_PATH: [string, string][] = [
  ["enabled", "POL-01"],
  ["scopeGroups", "POL-01"],
  ["methodsRequired", "POL-02"],
  ["methods", "POL-03"],
  ["securityQuestions.toRegister", "POL-04"],
  ["securityQuestions.toReset", "POL-05"],
  ["securityQuestions.predefined", "POL-06"],
  ["securityQuestions.custom", "SQ-05"],
  ["securityQuestions.caseSensitive", "SQ-14"],
  ["registration.required", "POL-07"],
  ["registration.reconfirmDays", "POL-08"],
  ["notifications.userOnReset", "POL-09"],
  ["notifications.adminsOnAdminReset", "POL-10"],
  ["helpdesk.contact", "POL-12"],
  ["writeback.enabled", "POL-13"],
  ["writeback.allowUnlockWithoutReset", "POL-15"],
  ["administrators", "ADM-02"],
  ["administrators.enabled", "POL-16"],
  ["passwords", "PWD"],
];

function ruleFor(field: string): string | undefined {
  let best: [string, string] | undefined;
  for (const entry of RULE_BY_PATH) {
    if (
      (field === entry[0] || field.startsWith(`${entry[0]}.`)) &&
      (best === undefined || entry[0].length > best[0].length)
    ) {
      best = entry;
    }
  }
  return best?.[1];
}

function issue(field: string, message: string, rule: string | undefined): FieldIssue {
  return rule === undefined ? { field, message } : { field, message, rule };
}

function duplicates(values: readonly string[], key: (v: string) => string = (v) => v): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) {
    const k = key(v);
    if (seen.has(k)) dup.add(v);
    seen.add(k);
  }
  return [...dup];
}

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/u;

/** The semantic rules, on a structurally valid document. */
function semanticIssues(p: SSPRPolicy): FieldIssue[] {
  const out: FieldIssue[] = [];
  // VAL-01 (and REQ-026: a policy with no verification method is refused outright).
  if (p.methods.length === 0) out.push(issue("methods", "Select at least one method.", "VAL-01"));
  for (const d of duplicates(p.methods)) out.push(issue("methods", `"${d}" is listed twice.`, "POL-03"));

  const others = p.methods.filter((m) => m !== "totp");
  if (p.methods.includes("totp")) {
    if (p.methodsRequired === 1 && others.length === 0) {
      out.push(issue("methods", "The authenticator app may not be the only method: add another one.", "VAL-02"));
    }
    if (p.methodsRequired === 2 && familyCount(others) < 2) {
      out.push(
        issue("methods", "With 2 methods required, the authenticator app needs at least 2 other methods.", "VAL-03"),
      );
    }
  }
  if (p.methodsRequired === 2 && familyCount(p.methods) < 2) {
    out.push(
      issue("methodsRequired", "Two methods are required but fewer than 2 different methods are allowed.", "POL-02"),
    );
  }

  if (p.enabled === "selected" && p.scopeGroups.length === 0) {
    out.push(issue("scopeGroups", "Choose at least one group when reset is enabled for selected groups.", "POL-01"));
  }
  for (const d of duplicates(p.scopeGroups, (g) => g.toLowerCase())) {
    out.push(issue("scopeGroups", `Group "${d}" is listed twice.`, "POL-01"));
  }

  const sq = p.securityQuestions;
  if (sq.toReset > sq.toRegister) {
    out.push(
      issue(
        "securityQuestions.toReset",
        "Questions required to reset may not exceed questions required to register.",
        "POL-05",
      ),
    );
  }
  for (const d of duplicates(sq.predefined.map(String))) {
    out.push(issue("securityQuestions.predefined", `Question ${d} is listed twice.`, "POL-06"));
  }
  for (const d of duplicates(sq.custom, (q) => q.trim().toLowerCase())) {
    out.push(issue("securityQuestions.custom", `The question "${d}" is listed twice.`, "SQ-05"));
  }
  if (p.methods.includes("security-questions") && sq.predefined.length + sq.custom.length < sq.toRegister) {
    out.push(issue("securityQuestions", "Offer at least as many questions as users must register.", "POL-06"));
  }

  const contact = p.helpdesk.contact.trim();
  if (contact !== "" && !EMAIL.test(contact.replace(/^mailto:/iu, ""))) {
    let valid = false;
    try {
      const url = new URL(contact);
      valid = url.protocol === "https:" || url.protocol === "http:";
    } catch {
      valid = false;
    }
    if (!valid) out.push(issue("helpdesk.contact", "Enter an email address or an http(s) URL.", "POL-12"));
  }

  const admin = p.administrators;
  if ((admin.methods as string[]).includes("security-questions")) {
    out.push(issue("administrators.methods", "Administrators may never use security questions.", "ADM-02"));
  }
  for (const d of duplicates(admin.methods))
    out.push(issue("administrators.methods", `"${d}" is listed twice.`, "ADM-02"));
  if (admin.enabled && familyCount(admin.methods.filter((m) => (m as string) !== "security-questions")) < 2) {
    out.push(issue("administrators.methods", "Administrators need at least 2 different methods.", "ADM-02"));
  }

  const pw = p.passwords;
  if (pw.maxLength < pw.minLength) {
    out.push(issue("passwords.maxLength", "The maximum length may not be below the minimum length.", "PWD"));
  }
  pw.customBanned.forEach((term, index) => {
    const length = Array.from(term.trim()).length;
    if (length < 4 || length > 16) {
      out.push(issue(`passwords.customBanned.${index}`, "Banned terms need 4 to 16 characters.", "PWD"));
    }
  });
  for (const d of duplicates(pw.customBanned, (t) => t.trim().toLowerCase())) {
    out.push(issue("passwords.customBanned", `"${d}" is listed twice.`, "PWD"));
  }
  return out;
}

export type PolicyValidation = { ok: true; policy: SSPRPolicy } | { ok: false; issues: FieldIssue[] };

/** Validates an untrusted policy document (admin UI, API, CLI, stored versions). Unknown keys are rejected. */
export function validatePolicy(input: unknown): PolicyValidation {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    const issues: FieldIssue[] = [];
    for (const zi of parsed.error.issues) {
      const base = zi.path.map(String).join(".");
      if (zi.code === "unrecognized_keys") {
        for (const key of zi.keys) {
          const field = base === "" ? key : `${base}.${key}`;
          issues.push(issue(field, "Unknown setting.", ruleFor(base)));
        }
        continue;
      }
      const field = base === "" ? "(document)" : base;
      issues.push(issue(field, zi.message, ruleFor(base)));
    }
    return { ok: false, issues };
  }
  const policy = parsed.data as SSPRPolicy;
  const issues = semanticIssues(policy);
  return issues.length === 0 ? { ok: true, policy } : { ok: false, issues };
}

/** The family check, re-exported for the UI's hint next to "methods required". */
export { methodFamily };
