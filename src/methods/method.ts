import type { DirectoryUser } from "../directory/connector.ts";
import type { SSPRPolicy } from "../policy/policy.types.ts";
import type { EnrollmentRow, MethodId } from "../store/types.ts";

/**
 * One authentication method (SPEC §4). Each lives in its own folder as `*.method.ts` and is a plain object
 * in the literal list of `methods/index.ts` (ARCHITECTURE principle 2). Methods own proofs: they never talk
 * to the directory or HTTP.
 */
export interface MethodDefinition {
  readonly id: MethodId;
  /** Message id of the user-facing name ("Email my alternate email"). */
  readonly labelMessage: string;
  /**
   * Methods that count as one for the "two different methods" rule (SMS and voice to the same phone).
   * Defaults to `id`.
   */
  readonly family: string;
  /** Whether the user has data for this method now: active enrollment, or pre-populated directory data. */
  hasData(user: DirectoryUser, enrollments: EnrollmentRow[], policy: SSPRPolicy): boolean;
}

export type VerifyOutcome =
  | { kind: "proved"; method: MethodId; enrollmentId: string | null }
  | { kind: "rejected"; message: string; attemptsLeft: number }
  | { kind: "exhausted"; message: string };

import type { FieldIssue } from "../errors/app-error.ts";
import type { RequestContext } from "../registry.types.ts";

/** What a method needs to know to run one gate of a reset flow. */
export interface ChallengeContext {
  flowId: string;
  /**
   * The account being reset; `null` for an unknown/disabled/out-of-scope/unregistered identifier. The method
   * then does the same work and returns the same views (decoy), but sends nothing and never proves.
   */
  user: DirectoryUser | null;
  /** Stable per-identifier seed for decoys (e.g. which decoy questions to show). */
  decoySeed: string;
  enrollments: EnrollmentRow[];
  policy: SSPRPolicy;
  /** This method's scratch state inside the flow (chosen questions, code purpose). Returned updated. */
  state: Record<string, unknown>;
  request: RequestContext;
}

/** What the page (or JSON API) shows for the gate. */
export type ChallengeView =
  /** Ask the user to type the full address / number on file (FLOW-06); nothing is revealed but a hint. */
  | { kind: "ask-destination"; hint: string }
  /** Enter the code that was sent (or would have been, when the typed destination did not match). */
  | { kind: "enter-code"; hint: string; codeLength: number }
  | { kind: "enter-totp" }
  | { kind: "answer-questions"; questions: { id: string; text: string }[] }
  | { kind: "webauthn"; options: Record<string, unknown> };

export type BeginOutcome =
  | { kind: "view"; view: ChallengeView; state: Record<string, unknown> }
  | { kind: "throttled"; state: Record<string, unknown> };

export type ChallengeVerifyOutcome =
  | { kind: "proved"; enrollmentId: string | null; state: Record<string, unknown> }
  | { kind: "view"; view: ChallengeView; message: string; attemptsLeft: number | null; state: Record<string, unknown> }
  | { kind: "exhausted"; message: string; state: Record<string, unknown> };

/** What a method needs to know to register security info for a signed-in user. */
export interface EnrollContext {
  user: DirectoryUser;
  enrollments: EnrollmentRow[];
  policy: SSPRPolicy;
  request: RequestContext;
}

export type EnrollStartOutcome =
  | { kind: "invalid"; issues: FieldIssue[] }
  /** A code was sent to the destination; confirm with it. */
  | { kind: "code-sent"; enrollmentId: string; destinationMasked: string; codeLength: number }
  /** TOTP: show the QR code and the secret once; confirm with a current code. */
  | { kind: "totp-setup"; enrollmentId: string; otpauthURI: string; qrSVG: string; secretBase32: string }
  /** Done at once (security questions). */
  | { kind: "active"; enrollmentId: string }
  /** Passkey: hand these options to `navigator.credentials.create()`; confirm with the browser's response. */
  | { kind: "webauthn-create"; enrollmentId: string; options: Record<string, unknown> };

export type EnrollConfirmOutcome =
  | { kind: "active"; enrollmentId: string }
  | { kind: "rejected"; message: string; attemptsLeft: number }
  | { kind: "exhausted"; message: string };

export interface MethodCapabilities {
  /** Registration side; absent for admin/directory-set-only methods (office phone). */
  enrollment?: {
    /** Largest number of enrollments a user may have for this method (TOTP: 5, email: 1). */
    readonly maxPerUser: number;
    start(ctx: EnrollContext, input: unknown): Promise<EnrollStartOutcome>;
    confirm(ctx: EnrollContext, enrollmentId: string, input: unknown): Promise<EnrollConfirmOutcome>;
  };
  /** Reset side. */
  challenge?: {
    begin(ctx: ChallengeContext, input: unknown): Promise<BeginOutcome>;
    verify(ctx: ChallengeContext, input: unknown): Promise<ChallengeVerifyOutcome>;
  };
}

/** A method with its capabilities (what `methods/index.ts` lists). */
export type Method = MethodDefinition & MethodCapabilities;
