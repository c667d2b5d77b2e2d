import type { MethodId } from "../store/types.ts";

/** Every method, in display order (most to least secure, REG-04). */
export const METHOD_IDS = [
  "passkey",
  "totp",
  "email-code",
  "sms-code",
  "voice-mobile",
  "voice-office",
  "security-questions",
] as const satisfies readonly MethodId[];

/**
 * Methods that count as ONE for "two different methods" (POL-02, FLOW-05): SMS and a voice call to the same
 * mobile phone prove the same thing. Every other method is its own family. `MethodDefinition.family` uses these values.
 */
export function methodFamily(method: MethodId): string {
  return method === "sms-code" || method === "voice-mobile" ? "mobile-phone" : method;
}

/** Number of distinct families among `methods`. */
export function familyCount(methods: readonly MethodId[]): number {
  return new Set(methods.map(methodFamily)).size;
}
