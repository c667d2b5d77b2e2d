import type { MethodId } from "../store/types.ts";

/**
 * The SSPR policy document (SPEC §5, reference §1.1). Versioned in `PolicyStore`; validated by
 * `policy/validate.ts`; the only reader of "who may reset" is `policy/eligibility.ts`.
 */
export interface SSPRPolicy {
  /** POL-01. */
  enabled: "none" | "selected" | "all";
  /** Group names in scope when `enabled` is `selected` (nested groups count). */
  scopeGroups: string[];
  /** POL-02: 1 or 2 gates; with 2 the methods must differ. */
  methodsRequired: 1 | 2;
  /** POL-03: allowed methods. */
  methods: MethodId[];
  securityQuestions: {
    /** POL-04: 3–5. */
    toRegister: number;
    /** POL-05: 3–5, ≤ toRegister. */
    toReset: number;
    /** POL-06: ids of the predefined questions offered (1..35). */
    predefined: number[];
    /** POL-06/SQ-05: up to 20 admin questions, 3–200 chars, shown exactly as typed. */
    custom: string[];
    /** SQ-14: answers compared case-sensitively (default: case-folded). */
    caseSensitive: boolean;
  };
  registration: {
    /** POL-07. */
    required: boolean;
    /** POL-08: 0–730, 0 = never. */
    reconfirmDays: number;
  };
  notifications: {
    /** POL-09. */
    userOnReset: boolean;
    /** POL-10. */
    adminsOnAdminReset: boolean;
  };
  helpdesk: {
    /** POL-11/12: URL or email address; empty = "Contact your administrator" emails the admins. */
    contact: string;
    mode: "assist" | "sspr-only";
  };
  writeback: {
    /** POL-13 (directory modes). */
    enabled: boolean;
    /** POL-15. */
    allowUnlockWithoutReset: boolean;
  };
  /** ADM-01..07: the stricter policy for members of the admin groups. */
  administrators: {
    /** POL-16 `allowedToUseSSPR`. */
    enabled: boolean;
    /** Always 2 (ADM-02). */
    methodsRequired: 2;
    /** Never security questions (ADM-02). */
    methods: Exclude<MethodId, "security-questions">[];
  };
  passwords: {
    minLength: number;
    maxLength: number;
    /** Required character classes out of lower/upper/digit/symbol (0 = none, NIST). */
    requiredClasses: number;
    /** Builtin directory: how many previous passwords may not be reused. */
    historyCount: number;
    /** Admin's custom banned list (≤ 1000 terms, 4–16 chars). */
    customBanned: string[];
    /** Check the custom list. */
    enforceCustomBanned: boolean;
    /** Organisation name used in the banned-password substring check. */
    organisationName: string;
  };
}

export const DEFAULT_POLICY: SSPRPolicy = {
  enabled: "none",
  scopeGroups: [],
  methodsRequired: 1,
  methods: ["email-code", "totp"],
  securityQuestions: {
    toRegister: 3,
    toReset: 3,
    predefined: Array.from({ length: 35 }, (_, i) => i + 1),
    custom: [],
    caseSensitive: false,
  },
  registration: { required: false, reconfirmDays: 180 },
  notifications: { userOnReset: true, adminsOnAdminReset: true },
  helpdesk: { contact: "", mode: "assist" },
  writeback: { enabled: true, allowUnlockWithoutReset: true },
  administrators: { enabled: true, methodsRequired: 2, methods: ["email-code", "totp", "sms-code", "passkey"] },
  passwords: {
    minLength: 8,
    maxLength: 256,
    requiredClasses: 0,
    historyCount: 5,
    customBanned: [],
    enforceCustomBanned: true,
    organisationName: "",
  },
};

export interface PolicyVersion {
  version: number;
  policy: SSPRPolicy;
  createdAt: Date;
  createdBy: string;
}
