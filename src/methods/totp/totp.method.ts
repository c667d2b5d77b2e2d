/**
 * Authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30 s, ±1 step) — SPEC §4. Up to 5 apps per user,
 * each with a label. The 20-byte seed is shown once (otpauth URI, QR code as SVG, base32) and stored
 * encrypted, bound to its enrollment id. Time comes from `deps.clock` (STYLE rule 7), never `Date.now()`.
 * A code is accepted once per enrollment and time step (replay refused through `stores.nonces`).
 */
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import { AppError } from "../../errors/app-error.ts";
import { newId } from "../../kernel/ids.ts";
import { decryptSecret, encryptSecret, hmacHex } from "../../kernel/secrets.ts";
import { resolveOrganisationName } from "../../notify/organisation.ts";
import { hasMethodData } from "../../policy/eligibility.ts";
import type { EnrollmentRow } from "../../store/types.ts";
import { type MethodDeps, stringField } from "../deps.ts";
import type { ChallengeVerifyOutcome, EnrollConfirmOutcome, Method } from "../method.ts";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;
export const TOTP_MAX_PER_USER = 5;
/** Wrong codes allowed while confirming one new app before the setup is discarded. */
export const TOTP_CONFIRM_MAX_ATTEMPTS = 5;
/** An unconfirmed setup expires after this long. */
export const TOTP_SETUP_TTL_MS = 15 * 60 * 1000;

type TOTPDeps = Pick<MethodDeps, "stores" | "clock" | "random" | "keys" | "config" | "throttles">;

function totpFor(secretBase32: string, options: { issuer?: string; label?: string } = {}): TOTP {
  return new TOTP({
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The time step a timestamp falls in. */
export function totpCounter(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for `secretBase32` at `at` (tests and the helpdesk use it; the method only validates). */
export function generateTOTP(secretBase32: string, at: Date): string {
  return totpFor(secretBase32).generate({ timestamp: at.getTime() });
}

/**
 * The matching time step for `token` at `at` within ±1 step, or null. The token must be exactly 6 digits
 * (after dropping spaces), so nothing but a code reaches the comparison.
 */
export function matchTOTP(secretBase32: string, token: string, at: Date): number | null {
  const digits = token.replace(/\s/g, "");
  if (!/^\d{6}$/.test(digits)) return null;
  const delta = totpFor(secretBase32).validate({ token: digits, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : totpCounter(at) + delta;
}

function sealAAD(enrollmentId: string): string {
  return `totp:${enrollmentId}`;
}

function activeApps(enrollments: readonly EnrollmentRow[]): EnrollmentRow[] {
  return enrollments.filter((e) => e.method === "totp" && e.status === "active");
}

export function createTOTPMethod(deps: TOTPDeps): Method {
  const gateMaxAttempts = deps.config.flows.codeMaxAttempts;

  /** Marks the step used; false when this code (this app, this step) was already accepted once. */
  function useStepOnce(enrollmentId: string, counter: number): Promise<boolean> {
    // Kept until the step can no longer validate (window + 1 step of margin).
    const expiresAt = new Date((counter + TOTP_WINDOW + 2) * TOTP_PERIOD_SECONDS * 1000);
    return deps.stores.nonces.useOnce(`totp:${enrollmentId}:${counter}`, expiresAt);
  }

  return {
    id: "totp",
    labelMessage: "method.totp.label",
    family: "totp",

    hasData(user, enrollments, policy): boolean {
      // The one rule the eligibility decision uses too.
      return hasMethodData(user, "totp", enrollments, policy);
    },

    enrollment: {
      maxPerUser: TOTP_MAX_PER_USER,

      async start(ctx, input) {
        const labelInput = stringField(input, "label");
        const label = (labelInput ?? "").trim().replace(/\s+/g, " ");
        if (labelInput !== undefined && (label.length < 1 || [...label].length > 64)) {
          return { kind: "invalid", issues: [{ field: "label", message: "method.totp.label_invalid" }] };
        }
        const active = activeApps(ctx.enrollments);
        if (active.length >= TOTP_MAX_PER_USER) {
          return { kind: "invalid", issues: [{ field: "label", message: "method.totp.limit", rule: "METHOD_LIMIT" }] };
        }
        // One setup at a time: a new start discards earlier unconfirmed ones (their seeds were never confirmed).
        for (const row of ctx.enrollments) {
          if (row.method === "totp" && row.status === "pending") await deps.stores.enrollments.delete(row.id);
        }
        const now = deps.clock.now();
        const id = newId(deps.random, now);
        const secretBase32 = new Secret({ buffer: new Uint8Array(deps.random.bytes(20)).buffer }).base32;
        const issuer = await resolveOrganisationName(deps.stores);
        const otpauthURI = totpFor(secretBase32, { issuer, label: ctx.user.userName }).toString();
        const qrSVG = await QRCode.toString(otpauthURI, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
        await deps.stores.enrollments.insert({
          id,
          userId: ctx.user.id,
          method: "totp",
          label: label === "" ? `Authenticator app ${active.length + 1}` : label,
          data: { algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, confirmAttempts: 0 },
          secret: encryptSecret(deps.keys.encryption, secretBase32, sealAAD(id)),
          status: "pending",
          source: "user",
          createdAt: now,
          confirmedAt: null,
          lastUsedAt: null,
        });
        return { kind: "totp-setup", enrollmentId: id, otpauthURI, qrSVG, secretBase32 };
      },

      async confirm(ctx, enrollmentId, input): Promise<EnrollConfirmOutcome> {
        const row = await deps.stores.enrollments.get(enrollmentId);
        if (row === null || row.userId !== ctx.user.id || row.method !== "totp" || row.secret === null) {
          throw new AppError("ENROLLMENT_NOT_FOUND");
        }
        if (row.status === "active") return { kind: "active", enrollmentId };
        const now = deps.clock.now();
        if (now.getTime() - row.createdAt.getTime() > TOTP_SETUP_TTL_MS) {
          await deps.stores.enrollments.delete(enrollmentId);
          return { kind: "exhausted", message: "method.totp.setup_expired" };
        }
        const attempts = (typeof row.data.confirmAttempts === "number" ? row.data.confirmAttempts : 0) + 1;
        // Count the attempt before comparing (STYLE rule 5).
        await deps.stores.enrollments.update(enrollmentId, { data: { ...row.data, confirmAttempts: attempts } });
        const secretBase32 = decryptSecret(deps.keys.encryption, row.secret, sealAAD(enrollmentId));
        const counter = matchTOTP(secretBase32, stringField(input, "code") ?? "", now);
        if (counter !== null && (await useStepOnce(enrollmentId, counter))) {
          if (activeApps(await deps.stores.enrollments.listForUser(ctx.user.id)).length >= TOTP_MAX_PER_USER) {
            await deps.stores.enrollments.delete(enrollmentId);
            return { kind: "exhausted", message: "method.totp.limit" };
          }
          await deps.stores.enrollments.update(enrollmentId, {
            status: "active",
            confirmedAt: now,
            lastUsedAt: now,
            data: { algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS },
          });
          return { kind: "active", enrollmentId };
        }
        if (attempts >= TOTP_CONFIRM_MAX_ATTEMPTS) {
          await deps.stores.enrollments.delete(enrollmentId);
          return { kind: "exhausted", message: "method.totp.exhausted" };
        }
        return {
          kind: "rejected",
          message: "method.totp.mismatch",
          attemptsLeft: TOTP_CONFIRM_MAX_ATTEMPTS - attempts,
        };
      },
    },

    challenge: {
      async begin(ctx) {
        return {
          kind: "view",
          view: { kind: "enter-totp" },
          state: { ...ctx.state, attempts: ctx.state.attempts ?? 0 },
        };
      },

      async verify(ctx, input): Promise<ChallengeVerifyOutcome> {
        const attempts = (typeof ctx.state.attempts === "number" ? ctx.state.attempts : 0) + 1;
        const state = { ...ctx.state, attempts };
        if (attempts > gateMaxAttempts) return { kind: "exhausted", message: "method.totp.exhausted", state };
        if (ctx.user !== null) {
          // THR-03: authenticator app validations per account.
          const throttle = await deps.throttles.hitAccount(ctx.user.id, "app-or-sms", ctx.request);
          if (!throttle.allowed) return { kind: "exhausted", message: "method.throttled", state };
        }
        const now = deps.clock.now();
        const token = stringField(input, "code") ?? "";
        const apps = ctx.user === null ? [] : activeApps(ctx.enrollments);
        let replayed = false;
        for (const app of apps) {
          if (app.secret === null) continue;
          const counter = matchTOTP(decryptSecret(deps.keys.encryption, app.secret, sealAAD(app.id)), token, now);
          if (counter === null) continue;
          if (!(await useStepOnce(app.id, counter))) {
            replayed = true;
            continue;
          }
          await deps.stores.enrollments.update(app.id, { lastUsedAt: now });
          return { kind: "proved", enrollmentId: app.id, state: { ...ctx.state, attempts: 0 } };
        }
        if (apps.length === 0) {
          // Decoy: the same validation work against a seed derived from the identifier; never proves.
          const decoySecret = new Secret({
            buffer: new Uint8Array(Buffer.from(hmacHex(deps.keys.decoy, "totp", ctx.decoySeed), "hex").subarray(0, 20))
              .buffer,
          }).base32;
          matchTOTP(decoySecret, token, now);
        }
        const attemptsLeft = gateMaxAttempts - attempts;
        if (attemptsLeft <= 0) return { kind: "exhausted", message: "method.totp.exhausted", state };
        return {
          kind: "view",
          view: { kind: "enter-totp" },
          message: replayed ? "method.totp.replayed" : "method.totp.mismatch",
          attemptsLeft,
          state,
        };
      },
    },
  } satisfies Method;
}
