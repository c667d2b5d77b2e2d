/**
 * The method registry: a literal list of plain method objects (ARCHITECTURE principle 2), in display order
 * (most to least secure, REG-04 — the same order as `policy/families.ts` METHOD_IDS). Flows ask it for a
 * method by id and narrow on its capabilities; the policy decides which ones are offered.
 */
import type { MethodRegistry } from "../registry.types.ts";
import type { MethodId } from "../store/types.ts";
import type { MethodDeps } from "./deps.ts";
import { createEmailCodeMethod } from "./email-code/email-code.method.ts";
import type { Method } from "./method.ts";
import { createPasskeyMethod } from "./passkey/passkey.method.ts";
import { createPhoneCodeMethod } from "./phone/phone-code.method.ts";
import { createSecurityQuestionsMethod } from "./security-questions/security-questions.method.ts";
import { createTOTPMethod } from "./totp/totp.method.ts";

export type { MethodDeps };

export function createMethodRegistry(deps: MethodDeps): MethodRegistry {
  const all = [
    createPasskeyMethod(deps),
    createTOTPMethod(deps),
    createEmailCodeMethod(deps),
    createPhoneCodeMethod(deps, "sms-code"),
    createPhoneCodeMethod(deps, "voice-mobile"),
    createPhoneCodeMethod(deps, "voice-office"),
    createSecurityQuestionsMethod(deps),
  ] as const satisfies readonly Method[];
  const byId = new Map<MethodId, Method>(all.map((method) => [method.id, method]));
  return {
    all,
    get(id: MethodId): Method | undefined {
      return byId.get(id);
    },
  };
}
