/**
 * Passkeys (WebAuthn) as a registration and reset method (SPEC §4, issue 5; security requirements §11).
 * Discoverable credentials with user verification REQUIRED; the relying party is the configured public URL
 * (never the Host header). At reset the assertion options carry NO credential list (allowCredentials empty),
 * so the options for a real and an unknown account are indistinguishable; the browser offers the passkeys it
 * holds for this site. A passing assertion must come from an active passkey of the flow's account, with the
 * one-time challenge of this flow, our origin and RP ID, and a signature counter that moved forward (a
 * cloned authenticator or a replayed assertion is refused).
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { AppError } from "../../errors/app-error.ts";
import { newId } from "../../kernel/ids.ts";
import type { EnrollmentRow } from "../../store/types.ts";
import { type MethodDeps, stringField } from "../deps.ts";
import type { ChallengeVerifyOutcome, EnrollConfirmOutcome, Method } from "../method.ts";

type PasskeyDeps = Pick<MethodDeps, "stores" | "clock" | "random" | "config" | "log">;

/** How long the browser prompt may stay open. */
const CEREMONY_TIMEOUT_MS = 120_000;
const MAX_PASSKEYS = 10;

export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingPartyFrom(publicUrl: string, name: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name };
}

/** The WebAuthn user handle for an account: opaque bytes of our stable user id. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(`opensspr:${userId}`, "utf8"));
}

/** Reads a WebAuthn response that arrives as an object (JSON API) or as a JSON string (form field). */
function responseField<T>(input: unknown): T | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return null;
  const raw = (input as Record<string, unknown>).response;
  if (typeof raw === "string") {
    if (raw.length > 20_000) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === "object" && parsed !== null ? (parsed as T) : null;
    } catch {
      return null;
    }
  }
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as T) : null;
}

function activePasskeys(enrollments: readonly EnrollmentRow[]): EnrollmentRow[] {
  return enrollments.filter((e) => e.method === "passkey" && e.status === "active");
}

export function createPasskeyMethod(deps: PasskeyDeps, options: { organisationName?: string } = {}): Method {
  const rp = relyingPartyFrom(deps.config.server.publicUrl, options.organisationName ?? "OpenSSPR");

  async function freshAuthenticationOptions(): Promise<{ challenge: string; options: Record<string, unknown> }> {
    const generated = await generateAuthenticationOptions({
      rpID: rp.id,
      userVerification: "required",
      allowCredentials: [],
      timeout: CEREMONY_TIMEOUT_MS,
    });
    return { challenge: generated.challenge, options: generated as unknown as Record<string, unknown> };
  }

  return {
    id: "passkey",
    labelMessage: "method.passkey.label",
    family: "passkey",

    hasData(_user, enrollments): boolean {
      return activePasskeys(enrollments).length > 0;
    },

    enrollment: {
      maxPerUser: MAX_PASSKEYS,

      async start(ctx, input) {
        const label = (stringField(input, "label") ?? "").trim().slice(0, 60) || "Passkey";
        const now = deps.clock.now();
        for (const row of ctx.enrollments) {
          if (row.method === "passkey" && row.status === "pending") await deps.stores.enrollments.delete(row.id);
        }
        const generated = await generateRegistrationOptions({
          rpName: rp.name,
          rpID: rp.id,
          userName: ctx.user.userName,
          userDisplayName: ctx.user.displayName,
          userID: userHandleOf(ctx.user.id),
          attestationType: "none",
          timeout: CEREMONY_TIMEOUT_MS,
          authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
          excludeCredentials: activePasskeys(ctx.enrollments).map((e) => ({ id: String(e.data.credentialId) })),
        });
        const enrollmentId = newId(deps.random, now);
        await deps.stores.enrollments.insert({
          id: enrollmentId,
          userId: ctx.user.id,
          method: "passkey",
          label,
          data: { challenge: generated.challenge, challengeIssuedAt: now.toISOString() },
          secret: null,
          status: "pending",
          source: "user",
          createdAt: now,
          confirmedAt: null,
          lastUsedAt: null,
        });
        return { kind: "webauthn-create", enrollmentId, options: generated as unknown as Record<string, unknown> };
      },

      async confirm(ctx, enrollmentId, input): Promise<EnrollConfirmOutcome> {
        const row = await deps.stores.enrollments.get(enrollmentId);
        if (row === null || row.userId !== ctx.user.id || row.method !== "passkey")
          throw new AppError("ENROLLMENT_NOT_FOUND");
        if (row.status === "active") return { kind: "active", enrollmentId };
        const challenge = row.data.challenge;
        const issuedAt = Date.parse(String(row.data.challengeIssuedAt ?? ""));
        if (typeof challenge !== "string" || !(deps.clock.now().getTime() - issuedAt <= CEREMONY_TIMEOUT_MS + 60_000)) {
          await deps.stores.enrollments.delete(enrollmentId);
          return { kind: "exhausted", message: "method.passkey.expired" };
        }
        const response = responseField<RegistrationResponseJSON>(input);
        if (response === null) return { kind: "rejected", message: "method.passkey.failed", attemptsLeft: 0 };
        let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
        try {
          verified = await verifyRegistrationResponse({
            response,
            expectedChallenge: challenge,
            expectedOrigin: rp.origin,
            expectedRPID: rp.id,
            requireUserVerification: true,
          });
        } catch (error) {
          deps.log.info({ err: error instanceof Error ? error.message : "invalid" }, "passkey: registration refused");
          await deps.stores.enrollments.delete(enrollmentId);
          return { kind: "exhausted", message: "method.passkey.failed" };
        }
        if (!verified.verified) {
          await deps.stores.enrollments.delete(enrollmentId);
          return { kind: "exhausted", message: "method.passkey.failed" };
        }
        const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
        const label = (stringField(input, "label") ?? "").trim().slice(0, 60);
        await deps.stores.enrollments.update(enrollmentId, {
          status: "active",
          confirmedAt: deps.clock.now(),
          ...(label === "" ? {} : { label }),
          data: {
            credentialId: credential.id,
            publicKey: Buffer.from(credential.publicKey).toString("base64url"),
            counter: credential.counter,
            transports: credential.transports ?? [],
            deviceType: credentialDeviceType,
            backedUp: credentialBackedUp,
          },
        });
        return { kind: "active", enrollmentId };
      },
    },

    challenge: {
      async begin(ctx) {
        // Same options for every account: no credential list, so nothing tells a real account from a decoy.
        const fresh = await freshAuthenticationOptions();
        return {
          kind: "view",
          view: { kind: "webauthn", options: fresh.options },
          state: { ...ctx.state, challenge: fresh.challenge },
        };
      },

      async verify(ctx, input): Promise<ChallengeVerifyOutcome> {
        const challenge = ctx.state.challenge;
        // Each challenge is good for one assertion: a replay of the same response finds it gone.
        const next = await freshAuthenticationOptions();
        const retry = (message: string): ChallengeVerifyOutcome => ({
          kind: "view",
          view: { kind: "webauthn", options: next.options },
          message,
          attemptsLeft: null,
          state: { ...ctx.state, challenge: next.challenge },
        });
        if (typeof challenge !== "string") return retry("method.passkey.failed");
        const firstUse = await deps.stores.nonces.useOnce(
          `webauthn:${challenge}`,
          new Date(deps.clock.now().getTime() + 86_400_000),
        );
        const response = responseField<AuthenticationResponseJSON>(input);
        if (!firstUse || response === null || ctx.user === null) return retry("method.passkey.failed");
        const enrollment = activePasskeys(ctx.enrollments).find((e) => e.data.credentialId === response.id);
        if (enrollment === undefined) return retry("method.passkey.failed");
        const expectedHandle = Buffer.from(userHandleOf(ctx.user.id)).toString("base64url");
        if (response.response.userHandle !== undefined && response.response.userHandle !== expectedHandle) {
          return retry("method.passkey.failed");
        }
        try {
          const verified = await verifyAuthenticationResponse({
            response,
            expectedChallenge: challenge,
            expectedOrigin: rp.origin,
            expectedRPID: rp.id,
            requireUserVerification: true,
            credential: {
              id: String(enrollment.data.credentialId),
              publicKey: new Uint8Array(Buffer.from(String(enrollment.data.publicKey), "base64url")),
              counter: Number(enrollment.data.counter ?? 0),
            },
          });
          if (!verified.verified) return retry("method.passkey.failed");
          await deps.stores.enrollments.update(enrollment.id, {
            lastUsedAt: deps.clock.now(),
            data: { ...enrollment.data, counter: verified.authenticationInfo.newCounter },
          });
          return { kind: "proved", enrollmentId: enrollment.id, state: { ...ctx.state, challenge: null } };
        } catch (error) {
          deps.log.info({ err: error instanceof Error ? error.message : "invalid" }, "passkey: assertion refused");
          return retry("method.passkey.failed");
        }
      },
    },
  } satisfies Method;
}
