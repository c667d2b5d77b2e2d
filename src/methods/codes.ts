/**
 * One-time codes (SPEC §4 "Codes"): `codeDigits` digits, valid `codeTtlSeconds` (FLOW-02), at most
 * `codeMaxAttempts` guesses, stored only as an HMAC bound to its purpose (STYLE rule 5), superseded by a
 * newer code for the same purpose, single use. The attempt counting, constant-time comparison and
 * consume-once guard live in `stores.codes.redeem`, so concurrent submissions redeem a code at most once.
 */

import type { Config } from "../config/schema.ts";
import { addSeconds, type Clock } from "../kernel/clock.ts";
import { newId } from "../kernel/ids.ts";
import { numericCode, type Random } from "../kernel/random.ts";
import { hmacHex, type KeyRing } from "../kernel/secrets.ts";
import type { CodeService } from "../registry.types.ts";
import type { RedeemResult, Stores } from "../store/types.ts";

export interface CodeServiceDeps {
  stores: Pick<Stores, "codes">;
  clock: Clock;
  random: Random;
  keys: Pick<KeyRing, "codeDigest">;
  config: Pick<Config, "flows">;
}

/**
 * The digest of a code for one purpose. Binding the purpose means a digest copied from one flow's row
 * proves nothing in another.
 */
export function codeDigest(key: Buffer, purpose: string, code: string): string {
  return hmacHex(key, purpose, code);
}

/** What a person typed, as the code it means: spaces and dashes dropped ("1234 5678", "1234-5678"). */
export function normaliseSubmittedCode(submitted: string): string {
  return submitted.replace(/[\s-]/g, "");
}

export function createCodeService(deps: CodeServiceDeps): CodeService {
  return {
    async issue(purpose: string): Promise<{ code: string; expiresAt: Date }> {
      const now = deps.clock.now();
      const code = numericCode(deps.random, deps.config.flows.codeDigits);
      const expiresAt = addSeconds(now, deps.config.flows.codeTtlSeconds);
      await deps.stores.codes.issue({
        id: newId(deps.random, now),
        purpose,
        digest: codeDigest(deps.keys.codeDigest, purpose, code),
        expiresAt,
        attempts: 0,
        maxAttempts: deps.config.flows.codeMaxAttempts,
        consumedAt: null,
        createdAt: now,
      });
      return { code, expiresAt };
    },

    async redeem(purpose: string, submitted: string): Promise<RedeemResult> {
      // Anything that is not a plausible code still goes through the store, so it counts as an attempt and
      // takes the same path as a wrong code.
      const normalised = typeof submitted === "string" ? normaliseSubmittedCode(submitted).slice(0, 64) : "";
      return deps.stores.codes.redeem(purpose, codeDigest(deps.keys.codeDigest, purpose, normalised), deps.clock.now());
    },
  };
}
