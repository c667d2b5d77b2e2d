/**
 * Email code (SPEC §4, reference §3.5 / N-4). Registration: the user types an address, gets a code, confirms
 * it (one address per user; confirming replaces the previous one). Reset gate: the user types the full
 * address on file (FLOW-06 applied to email, ARCHITECTURE "Identifier UX"); a code is sent only when it
 * matches, and the page is the same either way. An unknown account (user null) takes the same path: a code
 * is issued (same store work) but nothing is sent and the gate never proves.
 */

import { HOUR_MS } from "../../kernel/clock.ts";
import { newId } from "../../kernel/ids.ts";
import { hmacHex, safeEqual } from "../../kernel/secrets.ts";
import { hasMethodData } from "../../policy/eligibility.ts";
import type { EnrollmentRow, RedeemResult } from "../../store/types.ts";
import { confirmCodeEnrollment, enrollCodePurpose } from "../code-enrollment.ts";
import { type MethodDeps, stringField } from "../deps.ts";

export { enrollCodePurpose };

import type { ChallengeContext, ChallengeVerifyOutcome, EnrollConfirmOutcome, Method } from "../method.ts";
import { canonicalEmail, decoyMaskedEmail, maskEmail, parseEmailAddress } from "./email-address.ts";

export interface EmailCodeOptions {
  /**
   * Refuse to register the account's own directory mailbox (`user.email`) as the security email: that
   * mailbox usually needs the very password being reset (reference §3.5). @default false
   */
  rejectDirectoryMailbox?: boolean;
  /** Codes sent to one address (any account, any flow) per window: stops mailbox flooding. @default 10 per hour */
  destinationLimit?: { limit: number; windowMs: number };
}

type EmailCodeDeps = Pick<
  MethodDeps,
  "stores" | "clock" | "random" | "keys" | "config" | "codes" | "notifier" | "throttles"
>;

/** The address a user can be reached at for this method: the active enrollment, else the directory's `mail`. */
export function emailOnFile(user: { email: string | null }, enrollments: readonly EnrollmentRow[]): string | null {
  const enrolled = enrollments.find((e) => e.method === "email-code" && e.status === "active");
  const address = enrolled?.data.email;
  if (typeof address === "string" && address !== "") return address;
  return user.email !== null && user.email !== "" ? user.email : null;
}

export function flowCodePurpose(flowId: string): string {
  return `flow:${flowId}:email-code`;
}

export function createEmailCodeMethod(deps: EmailCodeDeps, options: EmailCodeOptions = {}): Method {
  const destinationLimit = options.destinationLimit ?? { limit: 10, windowMs: HOUR_MS };
  const ttlMinutes = String(Math.ceil(deps.config.flows.codeTtlSeconds / 60));
  const codeLength = deps.config.flows.codeDigits;

  /** Per-destination limit; the key is an HMAC so the throttle table does not list addresses. */
  function hitDestination(address: string): Promise<{ allowed: boolean }> {
    const digest = hmacHex(deps.keys.tokenDigest, "dest:email", canonicalEmail(address)).slice(0, 32);
    return deps.throttles.hitKey(`dest:email:${digest}`, destinationLimit);
  }

  function hintFor(ctx: ChallengeContext): string {
    const address = ctx.user === null ? null : emailOnFile(ctx.user, ctx.enrollments);
    return address === null ? decoyMaskedEmail(deps.keys.decoy, ctx.decoySeed) : maskEmail(address);
  }

  function mapRedeem(result: RedeemResult, state: Record<string, unknown>, hint: string): ChallengeVerifyOutcome {
    switch (result.kind) {
      case "mismatch":
        return {
          kind: "view",
          view: { kind: "enter-code", hint, codeLength },
          message: "method.code.mismatch",
          attemptsLeft: result.attemptsLeft,
          state,
        };
      case "expired":
        return { kind: "exhausted", message: "method.code.expired", state: { ...state, codeIssued: false } };
      case "not_found":
        return {
          kind: "view",
          view: { kind: "ask-destination", hint },
          message: "method.code.missing",
          attemptsLeft: null,
          state: { ...state, codeIssued: false },
        };
      default:
        return { kind: "exhausted", message: "method.code.exhausted", state: { ...state, codeIssued: false } };
    }
  }

  return {
    id: "email-code",
    labelMessage: "method.email-code.label",
    family: "email-code",

    hasData(user, enrollments, policy): boolean {
      // The one rule the eligibility decision uses too.
      return hasMethodData(user, "email-code", enrollments, policy);
    },

    enrollment: {
      maxPerUser: 1,

      async start(ctx, input) {
        const address = parseEmailAddress(stringField(input, "email"));
        if (address === null) return { kind: "invalid", issues: [{ field: "email", message: "method.email.invalid" }] };
        if (
          options.rejectDirectoryMailbox === true &&
          ctx.user.email !== null &&
          canonicalEmail(ctx.user.email) === canonicalEmail(address)
        ) {
          return { kind: "invalid", issues: [{ field: "email", message: "method.email.own_mailbox" }] };
        }
        const destination = await hitDestination(address);
        const account = await deps.throttles.hitAccount(ctx.user.id, "email-send", ctx.request);
        if (!destination.allowed || !account.allowed) {
          return { kind: "invalid", issues: [{ field: "email", message: "method.throttled", rule: "THR-06" }] };
        }
        const now = deps.clock.now();
        // Only one address is being confirmed at a time: a new start abandons earlier unconfirmed ones.
        for (const row of ctx.enrollments) {
          if (row.method === "email-code" && row.status === "pending") await deps.stores.enrollments.delete(row.id);
        }
        const id = newId(deps.random, now);
        await deps.stores.enrollments.insert({
          id,
          userId: ctx.user.id,
          method: "email-code",
          label: maskEmail(address),
          data: { email: address },
          secret: null,
          status: "pending",
          source: "user",
          createdAt: now,
          confirmedAt: null,
          lastUsedAt: null,
        });
        const { code } = await deps.codes.issue(enrollCodePurpose(id));
        await deps.notifier.enqueue({
          channel: "email",
          recipient: address,
          template: "registration-email-code",
          params: { code, ttlMinutes },
          locale: ctx.request.locale,
        });
        return { kind: "code-sent", enrollmentId: id, destinationMasked: maskEmail(address), codeLength };
      },

      confirm(ctx, enrollmentId, input): Promise<EnrollConfirmOutcome> {
        return confirmCodeEnrollment(deps, ctx, enrollmentId, input, "email-code");
      },
    },

    challenge: {
      async begin(ctx, input) {
        const hint = hintFor(ctx);
        const typed = parseEmailAddress(stringField(input, "email"));
        if (typed === null) {
          return { kind: "view", view: { kind: "ask-destination", hint }, state: { ...ctx.state, hint } };
        }
        const onFile = ctx.user === null ? null : emailOnFile(ctx.user, ctx.enrollments);
        // Compare digests of the canonical forms: constant time whatever the lengths.
        const matches =
          onFile !== null &&
          safeEqual(
            hmacHex(deps.keys.codeDigest, "email-compare", canonicalEmail(onFile)),
            hmacHex(deps.keys.codeDigest, "email-compare", canonicalEmail(typed)),
          );
        const destination = await hitDestination(typed);
        if (!destination.allowed) return { kind: "throttled", state: ctx.state };
        if (matches && ctx.user !== null) {
          const account = await deps.throttles.hitAccount(ctx.user.id, "email-send", ctx.request);
          if (!account.allowed) return { kind: "throttled", state: ctx.state };
        }
        // Issued in every case (same work, and a retyped address supersedes the previous code), sent only on a match.
        const { code } = await deps.codes.issue(flowCodePurpose(ctx.flowId));
        if (matches && onFile !== null) {
          await deps.notifier.enqueue({
            channel: "email",
            recipient: onFile,
            template: "email-verification-code",
            params: { code, ttlMinutes },
            locale: ctx.request.locale,
          });
        }
        return {
          kind: "view",
          view: { kind: "enter-code", hint, codeLength },
          state: { ...ctx.state, hint, codeIssued: true },
        };
      },

      async verify(ctx, input): Promise<ChallengeVerifyOutcome> {
        const hint = typeof ctx.state.hint === "string" ? ctx.state.hint : hintFor(ctx);
        if (ctx.state.codeIssued !== true) return mapRedeem({ kind: "not_found" }, ctx.state, hint);
        const result = await deps.codes.redeem(flowCodePurpose(ctx.flowId), stringField(input, "code") ?? "");
        if (result.kind !== "redeemed") return mapRedeem(result, ctx.state, hint);
        // A decoy gate never proves, even if a code was guessed.
        if (ctx.user === null) return mapRedeem({ kind: "exhausted" }, ctx.state, hint);
        const enrolled = ctx.enrollments.find((e) => e.method === "email-code" && e.status === "active");
        if (enrolled !== undefined) await deps.stores.enrollments.update(enrolled.id, { lastUsedAt: deps.clock.now() });
        return { kind: "proved", enrollmentId: enrolled?.id ?? null, state: { ...ctx.state, codeIssued: false } };
      },
    },
  } satisfies Method;
}
