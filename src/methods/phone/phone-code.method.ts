/**
 * Phone methods (SPEC §4, reference §2.3, §3.4, FLOW-06, THR-02/03, SPEC issue 5):
 *  - `sms-code`      "Text my mobile phone": code by SMS to the mobile number;
 *  - `voice-mobile`  "Call my mobile phone": the same number, code read out by a voice call;
 *  - `voice-office`  "Call my office phone": admin/directory/import-set number only, voice call.
 * One mobile-number enrollment (stored under `sms-code`) serves SMS and voice to the mobile phone; they are
 * one family for the "two different methods" rule. At reset the user types the FULL number (FLOW-06); it is
 * compared with the number on file and a code is sent only on a match, while the page is the same either way
 * (enumeration-neutral). SMS-pumping defences: per-destination, per-account (THR-03) and global hourly caps
 * and a country allow-list; a tripped cap is logged, counted and audited.
 */
import { HOUR_MS } from "../../kernel/clock.ts";
import { newId } from "../../kernel/ids.ts";
import { hmacHex, safeEqual } from "../../kernel/secrets.ts";
import { methodFamily } from "../../policy/families.ts";
import type { AuditRecorder, RequestContext } from "../../registry.types.ts";
import type { EnrollmentRow, MethodId, RedeemResult } from "../../store/types.ts";
import { confirmCodeEnrollment, enrollCodePurpose } from "../code-enrollment.ts";
import { type MethodDeps, stringField } from "../deps.ts";
import type { ChallengeContext, ChallengeVerifyOutcome, EnrollConfirmOutcome, Method } from "../method.ts";
import { callingCodeOf, callingCodeOfCountry, maskPhoneNumber, parsePhoneNumber } from "./phone-number.ts";

export type PhoneMethodId = Extract<MethodId, "sms-code" | "voice-mobile" | "voice-office">;

type PhoneDeps = Pick<
  MethodDeps,
  "stores" | "clock" | "random" | "keys" | "config" | "codes" | "notifier" | "throttles" | "log"
> & {
  audit?: AuditRecorder;
};

/** How often a cap tripped, by cap, for `/metrics`. */
export const phoneCapTrips: Record<string, number> = { destination: 0, account: 0, global: 0, country: 0 };

/** The mobile number on file: the active mobile enrollment, else the directory's `mobile` (pre-populated, DATA-04). */
export function mobileOnFile(
  user: { mobile: string | null },
  enrollments: readonly EnrollmentRow[],
  defaultCountry: string,
): string | null {
  const enrolled = enrollments.find((e) => e.method === "sms-code" && e.status === "active");
  if (typeof enrolled?.data.phone === "string") return enrolled.data.phone;
  return asE164(user.mobile, defaultCountry);
}

/** The office number: directory/admin-set only (reference §3.4). Extensions are not dialled (DATA-02). */
export function officeOnFile(user: { officePhone: string | null }, defaultCountry: string): string | null {
  return asE164(user.officePhone, defaultCountry);
}

function asE164(value: string | null, defaultCountry: string): string | null {
  if (value === null || value.trim() === "") return null;
  const parsed = parsePhoneNumber(value, { defaultCountry });
  return parsed.ok ? parsed.e164 : null;
}

export function phoneFlowPurpose(flowId: string, method: PhoneMethodId): string {
  return `flow:${flowId}:${method}`;
}

const LABELS: Record<PhoneMethodId, string> = {
  "sms-code": "method.sms-code.label",
  "voice-mobile": "method.voice-mobile.label",
  "voice-office": "method.voice-office.label",
};

export function createPhoneCodeMethod(deps: PhoneDeps, id: PhoneMethodId): Method {
  const sms = deps.config.sms;
  const codeLength = deps.config.flows.codeDigits;
  const ttlMinutes = String(Math.ceil(deps.config.flows.codeTtlSeconds / 60));
  const channel: "sms" | "voice" = id === "sms-code" ? "sms" : "voice";
  const allowedCallingCodes = new Set(
    (sms.allowedCountries.length > 0 ? sms.allowedCountries : [sms.defaultCountry])
      .map((country) => callingCodeOfCountry(country.toUpperCase()))
      .filter((code): code is string => code !== null),
  );

  function numberOnFile(user: ChallengeContext["user"], enrollments: readonly EnrollmentRow[]): string | null {
    if (user === null) return null;
    return id === "voice-office"
      ? officeOnFile(user, sms.defaultCountry)
      : mobileOnFile(user, enrollments, sms.defaultCountry);
  }

  function decoyHint(seed: string): string {
    // A stable, plausible masked number for an unknown account: same shape as a real hint.
    const digits = hmacHex(deps.keys.decoy, "phone-hint", id, seed).replace(/\D/g, "").padEnd(2, "7");
    return maskPhoneNumber(`+${callingCodeOfCountry(sms.defaultCountry) ?? "1"}42555500${digits.slice(0, 2)}`);
  }

  function hintFor(ctx: ChallengeContext): string {
    const onFile = numberOnFile(ctx.user, ctx.enrollments);
    return onFile === null ? decoyHint(ctx.decoySeed) : maskPhoneNumber(onFile);
  }

  async function capTripped(cap: string, request: RequestContext, userId: string | null): Promise<void> {
    phoneCapTrips[cap] = (phoneCapTrips[cap] ?? 0) + 1;
    deps.log.warn({ cap, method: id, requestId: request.requestId }, "phone: SMS/voice cap reached");
    await deps.audit?.record({
      activity: "phoneCapReached",
      outcome: "failure",
      reason: `SMS/voice ${cap} cap reached`,
      target: { id: userId, name: null },
      ctx: request,
      details: { method: id, cap },
    });
  }

  /**
   * Every cap a send must pass, cheapest first. The destination key is an HMAC so the throttle table never
   * lists phone numbers.
   */
  async function mayDeliver(number: string, userId: string | null, request: RequestContext): Promise<boolean> {
    const callingCode = callingCodeOf(number);
    if (callingCode === null || !allowedCallingCodes.has(callingCode)) {
      await capTripped("country", request, userId);
      return false;
    }
    const digest = hmacHex(deps.keys.tokenDigest, "dest:phone", number).slice(0, 32);
    if (
      !(
        await deps.throttles.hitKey(`dest:phone:${digest}`, {
          limit: sms.caps.perDestinationPerHour,
          windowMs: HOUR_MS,
        })
      ).allowed
    ) {
      await capTripped("destination", request, userId);
      return false;
    }
    if (userId !== null) {
      const perAccount = await deps.throttles.hitKey(`acct:phone:${userId}`, {
        limit: sms.caps.perAccountPerHour,
        windowMs: HOUR_MS,
      });
      const thr03 = await deps.throttles.hitAccount(userId, "app-or-sms", request);
      if (!perAccount.allowed || !thr03.allowed) {
        await capTripped("account", request, userId);
        return false;
      }
    }
    if (!(await deps.throttles.hitKey("global:phone", { limit: sms.caps.globalPerHour, windowMs: HOUR_MS })).allowed) {
      await capTripped("global", request, userId);
      return false;
    }
    return true;
  }

  async function send(number: string, code: string, locale: string): Promise<void> {
    await deps.notifier.enqueue({
      channel,
      recipient: number,
      template: channel === "sms" ? "sms-code" : "voice-code",
      params: { code, ttlMinutes, codeSpoken: code.split("").join(" ") },
      locale,
    });
  }

  function fromRedeem(result: RedeemResult, state: Record<string, unknown>, hint: string): ChallengeVerifyOutcome {
    switch (result.kind) {
      case "mismatch":
        return {
          kind: "view",
          view: { kind: "enter-code", hint, codeLength },
          message: "method.code.mismatch",
          attemptsLeft: result.attemptsLeft,
          state,
        };
      case "not_found":
        return {
          kind: "view",
          view: { kind: "ask-destination", hint },
          message: "method.code.missing",
          attemptsLeft: null,
          state: { ...state, codeIssued: false },
        };
      case "expired":
        return { kind: "exhausted", message: "method.code.expired", state: { ...state, codeIssued: false } };
      default:
        return { kind: "exhausted", message: "method.code.exhausted", state: { ...state, codeIssued: false } };
    }
  }

  const method: Method = {
    id,
    labelMessage: LABELS[id],
    family: methodFamily(id),

    hasData(user, enrollments): boolean {
      return (
        (id === "voice-office"
          ? officeOnFile(user, sms.defaultCountry)
          : mobileOnFile(user, enrollments, sms.defaultCountry)) !== null
      );
    },

    challenge: {
      async begin(ctx, input) {
        const hint = hintFor(ctx);
        const typedRaw = stringField(input, "phone");
        if (typedRaw === undefined || typedRaw.trim() === "") {
          return { kind: "view", view: { kind: "ask-destination", hint }, state: { ...ctx.state, hint } };
        }
        const typed = parsePhoneNumber(typedRaw, { defaultCountry: sms.defaultCountry });
        const onFile = numberOnFile(ctx.user, ctx.enrollments);
        const matches =
          typed.ok &&
          onFile !== null &&
          safeEqual(
            hmacHex(deps.keys.codeDigest, "phone-compare", onFile),
            hmacHex(deps.keys.codeDigest, "phone-compare", typed.e164),
          );
        // THR-02: every "type your phone number" attempt counts for a real account, match or not.
        if (ctx.user !== null) {
          const validation = await deps.throttles.hitAccount(ctx.user.id, "phone-validation", ctx.request);
          if (!validation.allowed) return { kind: "throttled", state: ctx.state };
        }
        // Issued in every case (same work; supersedes an earlier code), delivered only on a match within the caps.
        const { code } = await deps.codes.issue(phoneFlowPurpose(ctx.flowId, id));
        if (matches && onFile !== null && ctx.user !== null) {
          if (!(await mayDeliver(onFile, ctx.user.id, ctx.request))) return { kind: "throttled", state: ctx.state };
          await send(onFile, code, ctx.request.locale);
        }
        return {
          kind: "view",
          view: { kind: "enter-code", hint, codeLength },
          state: { ...ctx.state, hint, codeIssued: true },
        };
      },

      async verify(ctx, input) {
        const hint = typeof ctx.state.hint === "string" ? ctx.state.hint : hintFor(ctx);
        if (ctx.state.codeIssued !== true) return fromRedeem({ kind: "not_found" }, ctx.state, hint);
        const result = await deps.codes.redeem(phoneFlowPurpose(ctx.flowId, id), stringField(input, "code") ?? "");
        if (result.kind !== "redeemed") return fromRedeem(result, ctx.state, hint);
        if (ctx.user === null) return fromRedeem({ kind: "exhausted" }, ctx.state, hint);
        const enrolled = ctx.enrollments.find((e) => e.method === "sms-code" && e.status === "active");
        if (enrolled !== undefined && id !== "voice-office")
          await deps.stores.enrollments.update(enrolled.id, { lastUsedAt: deps.clock.now() });
        return {
          kind: "proved",
          enrollmentId: id === "voice-office" ? null : (enrolled?.id ?? null),
          state: { ...ctx.state, codeIssued: false },
        };
      },
    },
  };

  // The mobile number is registered once, under `sms-code`, confirmed by SMS or (input `delivery: "voice"`) by a call.
  if (id === "sms-code") {
    method.enrollment = {
      maxPerUser: 1,
      async start(ctx, input) {
        const parsed = parsePhoneNumber(stringField(input, "phone") ?? "", { defaultCountry: sms.defaultCountry });
        if (!parsed.ok)
          return { kind: "invalid", issues: [{ field: "phone", message: `method.phone.${parsed.reason}` }] };
        const delivery = stringField(input, "delivery") === "voice" ? "voice" : "sms";
        if (!(await mayDeliver(parsed.e164, ctx.user.id, ctx.request))) {
          return { kind: "invalid", issues: [{ field: "phone", message: "method.phone.cap", rule: "THR-03" }] };
        }
        const now = deps.clock.now();
        for (const row of ctx.enrollments) {
          if (row.method === "sms-code" && row.status === "pending") await deps.stores.enrollments.delete(row.id);
        }
        const enrollmentId = newId(deps.random, now);
        await deps.stores.enrollments.insert({
          id: enrollmentId,
          userId: ctx.user.id,
          method: "sms-code",
          label: maskPhoneNumber(parsed.e164),
          data: { phone: parsed.e164, ...(parsed.extension === null ? {} : { extension: parsed.extension }) },
          secret: null,
          status: "pending",
          source: "user",
          createdAt: now,
          confirmedAt: null,
          lastUsedAt: null,
        });
        const { code } = await deps.codes.issue(enrollCodePurpose(enrollmentId));
        await deps.notifier.enqueue({
          channel: delivery,
          recipient: parsed.e164,
          template: delivery === "sms" ? "sms-code" : "voice-code",
          params: { code, ttlMinutes, codeSpoken: code.split("").join(" ") },
          locale: ctx.request.locale,
        });
        return { kind: "code-sent", enrollmentId, destinationMasked: maskPhoneNumber(parsed.e164), codeLength };
      },

      confirm(ctx, enrollmentId, input): Promise<EnrollConfirmOutcome> {
        return confirmCodeEnrollment(deps, ctx, enrollmentId, input, "sms-code");
      },
    };
  }
  return method;
}
