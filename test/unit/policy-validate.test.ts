/**
 * Policy validation (SPEC §5, reference §1.1 VAL-01..03, POL-01..08, ADM-02, SPEC §7): an invalid policy is
 * never saved and the error names the field and the rule. Each rule has a failing and a passing case.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_POLICY, type SSPRPolicy } from "../../src/policy/policy.types.ts";
import { methodFamily, validatePolicy } from "../../src/policy/validate.ts";

type Patch = (p: SSPRPolicy) => void;
function policyWith(patch: Patch): SSPRPolicy {
  const p = structuredClone(DEFAULT_POLICY);
  patch(p);
  return p;
}

function rulesOf(input: unknown): string[] {
  const result = validatePolicy(input);
  return result.ok ? [] : result.issues.map((i) => `${i.rule ?? "-"}@${i.field}`);
}

function assertRejected(patch: Patch, rule: string, field: string): void {
  const found = rulesOf(policyWith(patch));
  assert.ok(found.includes(`${rule}@${field}`), `expected ${rule}@${field}, got ${JSON.stringify(found)}`);
}

function assertAccepted(patch: Patch): void {
  const result = validatePolicy(policyWith(patch));
  assert.deepEqual(result.ok ? [] : result.issues, []);
}

describe("validatePolicy", () => {
  test("the default policy is valid", () => {
    const result = validatePolicy(DEFAULT_POLICY);
    assert.equal(result.ok, true);
  });

  test("VAL-01: no method at all is refused, one method is fine", () => {
    assertRejected(
      (p) => {
        p.enabled = "all";
        p.methods = [];
      },
      "VAL-01",
      "methods",
    );
    assertAccepted((p) => {
      p.enabled = "all";
      p.methods = ["email-code"];
    });
  });

  test("VAL-02: with 1 method required the authenticator app may not be the only method", () => {
    assertRejected(
      (p) => {
        p.methods = ["totp"];
      },
      "VAL-02",
      "methods",
    );
    assertAccepted((p) => {
      p.methods = ["totp", "sms-code"];
    });
  });

  test("VAL-03: with 2 methods required, the app plus only one other method is refused", () => {
    assertRejected(
      (p) => {
        p.methodsRequired = 2;
        p.methods = ["totp", "email-code"];
      },
      "VAL-03",
      "methods",
    );
    // SMS and voice to the same mobile are one family: still only one other method.
    assertRejected(
      (p) => {
        p.methodsRequired = 2;
        p.methods = ["totp", "sms-code", "voice-mobile"];
      },
      "VAL-03",
      "methods",
    );
    assertAccepted((p) => {
      p.methodsRequired = 2;
      p.methods = ["totp", "email-code", "sms-code"];
    });
  });

  test("POL-02: 2 required needs 2 different method families", () => {
    assertRejected(
      (p) => {
        p.methodsRequired = 2;
        p.methods = ["sms-code", "voice-mobile"];
      },
      "POL-02",
      "methodsRequired",
    );
    assertAccepted((p) => {
      p.methodsRequired = 2;
      p.methods = ["sms-code", "email-code"];
    });
    assert.deepEqual(rulesOf({ ...DEFAULT_POLICY, methodsRequired: 3 }), ["POL-02@methodsRequired"]);
  });

  test("POL-03: a duplicated or unknown method is refused", () => {
    assertRejected(
      (p) => {
        p.methods = ["email-code", "email-code"];
      },
      "POL-03",
      "methods",
    );
    assert.deepEqual(rulesOf({ ...DEFAULT_POLICY, methods: ["carrier-pigeon"] }), ["POL-03@methods.0"]);
  });

  test("POL-04: questions to register must be 3–5", () => {
    for (const bad of [2, 6]) {
      assertRejected(
        (p) => {
          p.securityQuestions.toRegister = bad;
          p.securityQuestions.toReset = 3;
        },
        "POL-04",
        "securityQuestions.toRegister",
      );
    }
    assertAccepted((p) => {
      p.securityQuestions.toRegister = 5;
    });
  });

  test("POL-05: questions to reset must be 3–5 and not more than to register", () => {
    assertRejected(
      (p) => {
        p.securityQuestions.toReset = 2;
      },
      "POL-05",
      "securityQuestions.toReset",
    );
    assertRejected(
      (p) => {
        p.securityQuestions.toRegister = 3;
        p.securityQuestions.toReset = 4;
      },
      "POL-05",
      "securityQuestions.toReset",
    );
    assertAccepted((p) => {
      p.securityQuestions.toRegister = 4;
      p.securityQuestions.toReset = 4;
    });
  });

  test("POL-06: the question pool must cover the questions to register", () => {
    assertRejected(
      (p) => {
        p.methods = ["email-code", "security-questions"];
        p.securityQuestions.predefined = [1, 2];
        p.securityQuestions.custom = [];
      },
      "POL-06",
      "securityQuestions",
    );
    assertAccepted((p) => {
      p.methods = ["email-code", "security-questions"];
      p.securityQuestions.predefined = [1, 2];
      p.securityQuestions.custom = ["What was the name of our first office?"];
    });
    assertRejected(
      (p) => {
        p.securityQuestions.predefined = [1, 1, 2];
      },
      "POL-06",
      "securityQuestions.predefined",
    );
  });

  test("SQ-05: custom questions are 3–200 characters, at most 20, no duplicates", () => {
    assertRejected(
      (p) => {
        p.securityQuestions.custom = ["ab"];
      },
      "SQ-05",
      "securityQuestions.custom.0",
    );
    assertRejected(
      (p) => {
        p.securityQuestions.custom = ["x".repeat(201)];
      },
      "SQ-05",
      "securityQuestions.custom.0",
    );
    assertRejected(
      (p) => {
        p.securityQuestions.custom = Array.from({ length: 21 }, (_, i) => `Custom question number ${i}?`);
      },
      "SQ-05",
      "securityQuestions.custom",
    );
    assertRejected(
      (p) => {
        p.securityQuestions.custom = ["Favourite canteen dish?", "favourite canteen dish? "];
      },
      "SQ-05",
      "securityQuestions.custom",
    );
    assertAccepted((p) => {
      p.securityQuestions.custom = ["abc", "x".repeat(200), ...Array.from({ length: 18 }, (_, i) => `Question ${i}?`)];
    });
  });

  test("POL-08: reconfirmation days are 0–730", () => {
    for (const bad of [-1, 731, 1.5]) {
      assertRejected(
        (p) => {
          p.registration.reconfirmDays = bad;
        },
        "POL-08",
        "registration.reconfirmDays",
      );
    }
    for (const good of [0, 730]) {
      assertAccepted((p) => {
        p.registration.reconfirmDays = good;
      });
    }
  });

  test("POL-01: `selected` needs at least one scope group", () => {
    assertRejected(
      (p) => {
        p.enabled = "selected";
        p.scopeGroups = [];
      },
      "POL-01",
      "scopeGroups",
    );
    assertAccepted((p) => {
      p.enabled = "selected";
      p.scopeGroups = ["pilot"];
    });
    assertRejected(
      (p) => {
        p.enabled = "selected";
        p.scopeGroups = ["pilot", "PILOT"];
      },
      "POL-01",
      "scopeGroups",
    );
  });

  test("ADM-02: administrators never use security questions and need 2 method families", () => {
    assertRejected(
      (p) => {
        (p.administrators.methods as string[]) = ["email-code", "totp", "security-questions"];
      },
      "ADM-02",
      "administrators.methods",
    );
    assertRejected(
      (p) => {
        p.administrators.methods = ["sms-code", "voice-mobile"];
      },
      "ADM-02",
      "administrators.methods",
    );
    assert.ok(
      rulesOf({ ...DEFAULT_POLICY, administrators: { ...DEFAULT_POLICY.administrators, methodsRequired: 1 } }).includes(
        "ADM-02@administrators.methodsRequired",
      ),
    );
    assertAccepted((p) => {
      p.administrators.methods = ["email-code", "sms-code"];
    });
  });

  test("POL-12: the helpdesk contact is empty, an email address or an http(s) URL", () => {
    assertRejected(
      (p) => {
        p.helpdesk.contact = "javascript:alert(1)";
      },
      "POL-12",
      "helpdesk.contact",
    );
    for (const good of ["", "helpdesk@example.test", "mailto:helpdesk@example.test", "https://support.example.test/"]) {
      assertAccepted((p) => {
        p.helpdesk.contact = good;
      });
    }
  });

  test("password settings: min 8..256, max 64..256 and ≥ min, custom list ≤ 1000 terms of 4–16 chars", () => {
    assertRejected(
      (p) => {
        p.passwords.minLength = 7;
      },
      "PWD",
      "passwords.minLength",
    );
    assertRejected(
      (p) => {
        p.passwords.maxLength = 257;
      },
      "PWD",
      "passwords.maxLength",
    );
    assertRejected(
      (p) => {
        p.passwords.minLength = 100;
        p.passwords.maxLength = 64;
      },
      "PWD",
      "passwords.maxLength",
    );
    assertRejected(
      (p) => {
        p.passwords.customBanned = ["abc"];
      },
      "PWD",
      "passwords.customBanned.0",
    );
    assertRejected(
      (p) => {
        p.passwords.customBanned = ["x".repeat(17)];
      },
      "PWD",
      "passwords.customBanned.0",
    );
    assertRejected(
      (p) => {
        p.passwords.customBanned = Array.from({ length: 1001 }, (_, i) => `term${i}`);
      },
      "PWD",
      "passwords.customBanned",
    );
    assertRejected(
      (p) => {
        p.passwords.customBanned = ["contoso", "Contoso"];
      },
      "PWD",
      "passwords.customBanned",
    );
    assertAccepted((p) => {
      p.passwords.customBanned = Array.from({ length: 1000 }, (_, i) => `term${i}`);
    });
  });

  test("unknown keys are rejected wherever they appear, with the field named", () => {
    assert.deepEqual(rulesOf({ ...DEFAULT_POLICY, hint: "x" }), ["-@hint"]);
    const nested = rulesOf({ ...DEFAULT_POLICY, registration: { ...DEFAULT_POLICY.registration, isAdmin: true } });
    assert.deepEqual(nested, ["-@registration.isAdmin"]);
  });

  test("wrong types and non-objects give issues, never a throw", () => {
    for (const input of [null, 42, "policy", [], { enabled: ["all"] }]) {
      const result = validatePolicy(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.issues.length > 0);
    }
    assert.ok(rulesOf({ ...DEFAULT_POLICY, enabled: "everyone" }).includes("POL-01@enabled"));
  });

  test("sms-code and voice-mobile are one family", () => {
    assert.equal(methodFamily("sms-code"), methodFamily("voice-mobile"));
    assert.notEqual(methodFamily("sms-code"), methodFamily("voice-office"));
  });
});
