/**
 * Eligibility (SPEC §5; reference §1.2 method-count table, §1.3, §1.5 ADM-01/02, §2.2 S2). The one function
 * every surface uses: if it says yes wrongly, out-of-scope or unregistered accounts can be reset; if it says
 * no wrongly, users are locked out of the service.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AccountStatus, DirectoryUser } from "../../src/directory/connector.ts";
import { computeEligibility, type EligibilityFacts, hasMethodData } from "../../src/policy/eligibility.ts";
import { DEFAULT_POLICY, type SSPRPolicy } from "../../src/policy/policy.types.ts";
import type { EnrollmentRow, MethodId } from "../../src/store/types.ts";

const bare: DirectoryUser = {
  id: "u1",
  userName: "bob",
  displayName: "Bob",
  email: null,
  mobile: null,
  officePhone: null,
};
const enabledStatus: AccountStatus = {
  enabled: true,
  locked: false,
  mustChangePassword: false,
  expired: false,
  protectedAccount: false,
};

function enrollment(
  method: MethodId,
  options: { status?: "active" | "pending"; data?: Record<string, unknown> } = {},
): EnrollmentRow {
  return {
    id: `e-${method}`,
    userId: "u1",
    method,
    label: method,
    data: options.data ?? {},
    secret: null,
    status: options.status ?? "active",
    source: "user",
    createdAt: new Date(0),
    confirmedAt: new Date(0),
    lastUsedAt: null,
  };
}

function facts(
  overrides: Partial<EligibilityFacts> & { policyPatch?: (p: SSPRPolicy) => void } = {},
): EligibilityFacts {
  const policy = structuredClone(DEFAULT_POLICY);
  policy.enabled = "all";
  overrides.policyPatch?.(policy);
  return {
    policy,
    user: bare,
    isAdmin: false,
    groupNames: [],
    status: enabledStatus,
    enrollments: [],
    externalDirectory: false,
    ...overrides,
  };
}

describe("reference §1.2: methods registered vs methods required", () => {
  const methods: MethodId[] = ["email-code", "sms-code", "totp"];

  test("≥1 registered, 1 required → able", () => {
    const e = computeEligibility(
      facts({
        user: { ...bare, email: "bob@example.test" },
        policyPatch: (p) => {
          p.methods = methods;
        },
      }),
    );
    assert.equal(e.eligible, true);
    assert.equal(e.registered, true);
    assert.deepEqual(e.usableMethods, ["email-code"]);
  });

  test("1 registered, 2 required → unable (not registered)", () => {
    const e = computeEligibility(
      facts({
        user: { ...bare, email: "bob@example.test" },
        policyPatch: (p) => {
          p.methods = methods;
          p.methodsRequired = 2;
        },
      }),
    );
    assert.equal(e.eligible, false);
    assert.deepEqual(e.reasons, ["not_registered"]);
  });

  test("≥2 registered, 2 required → able", () => {
    const e = computeEligibility(
      facts({
        user: { ...bare, email: "bob@example.test" },
        enrollments: [enrollment("totp")],
        policyPatch: (p) => {
          p.methods = methods;
          p.methodsRequired = 2;
        },
      }),
    );
    assert.equal(e.eligible, true);
    assert.deepEqual(e.usableMethods, ["totp", "email-code"]);
  });

  test("only currently enabled methods count (office phone + questions, policy switched to mobile + email)", () => {
    const user = { ...bare, officePhone: "+14255550100" };
    const questions = enrollment("security-questions", { data: { questionIds: ["1", "2", "3"] } });
    const before = computeEligibility(
      facts({
        user,
        enrollments: [questions],
        policyPatch: (p) => {
          p.methods = ["voice-office", "security-questions"];
          p.methodsRequired = 2;
        },
      }),
    );
    assert.equal(before.eligible, true);
    const after = computeEligibility(
      facts({
        user,
        enrollments: [questions],
        policyPatch: (p) => {
          p.methods = ["sms-code", "email-code"];
          p.methodsRequired = 2;
        },
      }),
    );
    assert.equal(after.eligible, false);
    assert.deepEqual(after.usableMethods, []);
  });

  test("SMS and voice to the same mobile are one family: they do not make 2 methods", () => {
    const e = computeEligibility(
      facts({
        user: { ...bare, mobile: "+14255550101" },
        policyPatch: (p) => {
          p.methods = ["sms-code", "voice-mobile", "email-code"];
          p.methodsRequired = 2;
        },
      }),
    );
    assert.deepEqual(e.usableMethods, ["sms-code", "voice-mobile"]);
    assert.equal(e.registered, false);
  });
});

describe("what counts as data for a method", () => {
  const policy = DEFAULT_POLICY;
  test("pending enrollments do not count; active ones do", () => {
    assert.equal(hasMethodData(bare, "totp", [enrollment("totp", { status: "pending" })], policy), false);
    assert.equal(hasMethodData(bare, "totp", [enrollment("totp")], policy), true);
  });

  test("directory contact data counts before registration (pre-populated)", () => {
    const user = { ...bare, email: "b@example.test", mobile: "+14255550101", officePhone: "+14255550100" };
    for (const m of ["email-code", "sms-code", "voice-mobile", "voice-office"] as const) {
      assert.equal(hasMethodData(user, m, [], policy), true, m);
      assert.equal(hasMethodData(bare, m, [], policy), false, m);
    }
  });

  test("security questions need at least `toReset` answers", () => {
    const p = structuredClone(DEFAULT_POLICY);
    p.securityQuestions.toReset = 4;
    const three = enrollment("security-questions", { data: { questionIds: ["1", "2", "3"] } });
    assert.equal(hasMethodData(bare, "security-questions", [three], p), false);
    const four = enrollment("security-questions", { data: { questionIds: ["1", "2", "3", "4"] } });
    assert.equal(hasMethodData(bare, "security-questions", [four], p), true);
  });
});

describe("scope and account state (reference §2.2 S2)", () => {
  const withEmail = { ...bare, email: "bob@example.test" };

  test("policy `none` → not eligible for users (policy_none), data kept", () => {
    const e = computeEligibility(
      facts({
        user: withEmail,
        policyPatch: (p) => {
          p.enabled = "none";
        },
      }),
    );
    assert.deepEqual(e.reasons, ["policy_none"]);
    assert.equal(e.inScope, false);
    assert.equal(e.registered, true);
  });

  test("`selected`: a member (nested groups arrive already resolved) is in scope; a non-member is not", () => {
    const patch = (p: SSPRPolicy) => {
      p.enabled = "selected";
      p.scopeGroups = ["Pilot"];
    };
    const member = computeEligibility(
      facts({ user: withEmail, groupNames: ["pilot-sub", "pilot"], policyPatch: patch }),
    );
    assert.equal(member.eligible, true);
    const outsider = computeEligibility(facts({ user: withEmail, groupNames: ["staff"], policyPatch: patch }));
    assert.deepEqual(outsider.reasons, ["not_in_scope"]);
  });

  test("a disabled account is never eligible", () => {
    const e = computeEligibility(facts({ user: withEmail, status: { ...enabledStatus, enabled: false } }));
    assert.deepEqual(e.reasons, ["account_disabled"]);
  });

  test("a protected account is never eligible", () => {
    const e = computeEligibility(facts({ user: withEmail, status: { ...enabledStatus, protectedAccount: true } }));
    assert.deepEqual(e.reasons, ["protected_account"]);
  });

  test("write-back switched off blocks external directories only (POL-13)", () => {
    const patch = (p: SSPRPolicy) => {
      p.writeback.enabled = false;
    };
    assert.deepEqual(
      computeEligibility(facts({ user: withEmail, externalDirectory: true, policyPatch: patch })).reasons,
      ["writeback_disabled"],
    );
    assert.equal(
      computeEligibility(facts({ user: withEmail, externalDirectory: false, policyPatch: patch })).eligible,
      true,
    );
  });
});

describe("administrator policy (reference §1.5)", () => {
  const admin = { ...bare, email: "root@example.test", mobile: "+14255550199" };
  const userPolicy = (p: SSPRPolicy) => {
    p.methods = ["security-questions", "email-code"];
    p.methodsRequired = 1;
  };
  const questions = enrollment("security-questions", { data: { questionIds: ["1", "2", "3"] } });

  test("ADM-02: 2 methods, never security questions, whatever the user policy says", () => {
    const e = computeEligibility(
      facts({ user: admin, isAdmin: true, enrollments: [questions], policyPatch: userPolicy }),
    );
    assert.equal(e.methodsRequired, 2);
    assert.ok(!e.allowedMethods.includes("security-questions"));
    assert.ok(!e.usableMethods.includes("security-questions"));
    assert.deepEqual(e.usableMethods, ["email-code", "sms-code"]);
    assert.equal(e.eligible, true);
  });

  test("an admin with only email + questions is not registered under the admin policy", () => {
    const e = computeEligibility(
      facts({ user: { ...admin, mobile: null }, isAdmin: true, enrollments: [questions], policyPatch: userPolicy }),
    );
    assert.deepEqual(e.reasons, ["not_registered"]);
  });

  test("ADM-01: admins are enabled even when the policy is `none`", () => {
    const e = computeEligibility(
      facts({
        user: admin,
        isAdmin: true,
        policyPatch: (p) => {
          p.enabled = "none";
        },
      }),
    );
    assert.equal(e.eligible, true);
    assert.equal(e.inScope, true);
  });

  test("ADM-06: administrators.enabled = false switches admin self-service off, even with `all`", () => {
    const e = computeEligibility(
      facts({
        user: admin,
        isAdmin: true,
        policyPatch: (p) => {
          p.administrators.enabled = false;
        },
      }),
    );
    assert.equal(e.eligible, false);
    assert.ok(e.reasons.includes("admin_sspr_disabled"));
  });
});
