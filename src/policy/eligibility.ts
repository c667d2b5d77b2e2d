/**
 * THE eligibility decision (SPEC §5; reference §1.2, §1.3, §1.5, §2.2 S2). The reset flow, the registration
 * interrupt, the reports and the admin "why can't this user reset?" page all call `computeEligibility` (through
 * `PolicyService.eligibility`) so they give the same answer.
 *
 * Pure: the caller gathers the facts (policy, groups, status, enrollments) and this decides.
 */
import type { AccountStatus, DirectoryUser } from "../directory/connector.ts";
import type { Eligibility, EligibilityReason } from "../registry.types.ts";
import type { EnrollmentRow, MethodId } from "../store/types.ts";
import { familyCount, METHOD_IDS, methodFamily } from "./families.ts";
import type { SSPRPolicy } from "./policy.types.ts";

export { familyCount, methodFamily };

function nonEmpty(value: string | null | undefined): boolean {
  return typeof value === "string" && value.trim().length > 0;
}

function active(enrollments: readonly EnrollmentRow[], ...methods: MethodId[]): EnrollmentRow[] {
  return enrollments.filter((e) => e.status === "active" && methods.includes(e.method));
}

/**
 * How many answered questions an active security-questions enrollment holds: one row holding a list
 * (`data.questionIds` / `data.questions`) or one row per question.
 */
function answeredQuestions(enrollments: readonly EnrollmentRow[]): number {
  let count = 0;
  for (const row of active(enrollments, "security-questions")) {
    const list = row.data["questionIds"] ?? row.data["questions"];
    count += Array.isArray(list) ? list.length : 1;
  }
  return count;
}

/**
 * Whether the user has data for `method` now (reference §1.3: admin/directory data counts without registration;
 * DATA-09: unverified directory data is usable). Methods' `hasData` should delegate here so every caller agrees.
 * - email-code ← active email enrollment OR directory email
 * - sms-code / voice-mobile ← active mobile enrollment (either) OR directory mobile
 * - voice-office ← directory office phone (or an admin-set voice-office enrollment)
 * - totp / passkey ← an active enrollment
 * - security-questions ← active answers ≥ `securityQuestions.toReset`
 */
export function hasMethodData(
  user: DirectoryUser,
  method: MethodId,
  enrollments: readonly EnrollmentRow[],
  policy: SSPRPolicy,
): boolean {
  switch (method) {
    case "email-code":
      return nonEmpty(user.email) || active(enrollments, "email-code").length > 0;
    case "sms-code":
    case "voice-mobile":
      return nonEmpty(user.mobile) || active(enrollments, "sms-code", "voice-mobile").length > 0;
    case "voice-office":
      return nonEmpty(user.officePhone) || active(enrollments, "voice-office").length > 0;
    case "totp":
      return active(enrollments, "totp").length > 0;
    case "passkey":
      return active(enrollments, "passkey").length > 0;
    case "security-questions":
      return answeredQuestions(enrollments) >= policy.securityQuestions.toReset;
  }
}

/** The facts `computeEligibility` decides on. */
export interface EligibilityFacts {
  policy: SSPRPolicy;
  user: DirectoryUser;
  /** Member (nested) of one of `config.directory.adminGroups`. */
  isAdmin: boolean;
  /** Names of every group the user is in, nested resolved. */
  groupNames: readonly string[];
  /** `null` when the directory cannot tell (no `status` capability). */
  status: AccountStatus | null;
  enrollments: readonly EnrollmentRow[];
  /** Passwords live in an external directory (ldap / AD): POL-13 write-back applies. */
  externalDirectory: boolean;
}

/** Methods the user has data for among `allowed`, in display order (most secure first). */
export function usableMethods(
  facts: Pick<EligibilityFacts, "user" | "enrollments" | "policy">,
  allowed: readonly MethodId[],
): MethodId[] {
  return METHOD_IDS.filter((m) => allowed.includes(m) && hasMethodData(facts.user, m, facts.enrollments, facts.policy));
}

export function computeEligibility(facts: EligibilityFacts): Eligibility {
  const { policy } = facts;
  const reasons: EligibilityReason[] = [];
  let inScope: boolean;
  let methodsRequired: 1 | 2;
  let allowedMethods: MethodId[];

  if (facts.isAdmin) {
    // ADM-01/02: admins use the stricter administrator policy whatever `enabled` says; never security questions.
    methodsRequired = 2;
    allowedMethods = policy.administrators.methods.filter((m) => (m as MethodId) !== "security-questions");
    inScope = policy.administrators.enabled;
    if (!inScope) reasons.push("admin_sspr_disabled");
  } else {
    methodsRequired = policy.methodsRequired;
    allowedMethods = [...policy.methods];
    if (policy.enabled === "none") {
      inScope = false;
      reasons.push("policy_none");
    } else if (policy.enabled === "selected") {
      const mine = new Set(facts.groupNames.map((g) => g.toLowerCase()));
      inScope = policy.scopeGroups.some((g) => mine.has(g.toLowerCase()));
      if (!inScope) reasons.push("not_in_scope");
    } else {
      inScope = true;
    }
  }

  if (facts.status !== null && !facts.status.enabled) reasons.push("account_disabled");
  if (facts.status?.protectedAccount === true) reasons.push("protected_account");
  if (facts.externalDirectory && !policy.writeback.enabled) reasons.push("writeback_disabled");

  const usable = usableMethods(facts, allowedMethods);
  // §1.3 and POL-02: data for at least `methodsRequired` methods, and with 2 they must be different families.
  const registered = usable.length >= methodsRequired && familyCount(usable) >= methodsRequired;
  if (!registered) reasons.push("not_registered");

  return {
    eligible: reasons.length === 0,
    inScope,
    registered,
    isAdmin: facts.isAdmin,
    methodsRequired,
    allowedMethods: METHOD_IDS.filter((m) => allowedMethods.includes(m)),
    usableMethods: usable,
    reasons,
  };
}
