/**
 * The service contracts every unit is built against, and the `Registry` that the composition root
 * (`registry.ts`) assembles once. Units take only the slice they use: `Pick<Registry, "clock" | ...>`
 * (STYLE rule 1). Implementations live in their modules (file named in each comment).
 */
import type { AuditActivityKey } from "./audit/events.ts";
import type { Config } from "./config/schema.ts";
import type { AccountStatus, DirectoryConnector, DirectoryUser, GroupRef } from "./directory/connector.ts";
import type { Clock } from "./kernel/clock.ts";
import type { Logger } from "./kernel/logger.ts";
import type { PasswordHasher } from "./kernel/passwords.ts";
import type { Random } from "./kernel/random.ts";
import type { KeyRing } from "./kernel/secrets.ts";
import type { Method } from "./methods/method.ts";
import type { PolicyVersion, SSPRPolicy } from "./policy/policy.types.ts";
import type { AuditRow, EnrollmentRow, MethodId, OutboxRow, Stores } from "./store/types.ts";

/** Who did something and from where; passed from the HTTP edge into services for audit. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  /** The request id: shown as the "support code" on error pages and stored as the audit correlation id. */
  requestId: string;
  locale: string;
}

// ---------- policy/ (policy.service.ts, eligibility.ts) ----------
export type EligibilityReason =
  | "policy_none" // enabled = none (TenantSSPRFlagDisabled)
  | "not_in_scope" // not in the selected groups (UserNotMemberOfScopedAccessGroup)
  | "admin_sspr_disabled" // administrators.enabled = false
  | "not_registered" // fewer than methodsRequired usable methods (UserNotProperlyConfigured)
  | "account_disabled"
  | "protected_account"
  | "writeback_disabled";

export interface Eligibility {
  /** May use self-service reset now. */
  eligible: boolean;
  /** In scope of the policy (enabled + group, or admin policy). Drives enforced registration. */
  inScope: boolean;
  /** Has data for at least `methodsRequired` of the allowed methods (reference §1.3). */
  registered: boolean;
  isAdmin: boolean;
  /** The policy that applies to this user: the admin policy for admins. */
  methodsRequired: 1 | 2;
  allowedMethods: MethodId[];
  /** Allowed methods the user has data for, in display order. */
  usableMethods: MethodId[];
  /** Everything that stands in the way (empty when eligible). */
  reasons: EligibilityReason[];
}

export interface PolicyService {
  current(): Promise<PolicyVersion>;
  /** Validates (POLICY_INVALID with field issues), saves a new version, audits old → new values. */
  save(
    next: SSPRPolicy,
    options: { expectedVersion: number; actor: { id: string; name: string }; ctx: RequestContext | null },
  ): Promise<PolicyVersion>;
  history(limit: number): Promise<PolicyVersion[]>;
  /** The ONE place that decides (SPEC §5). */
  eligibility(user: DirectoryUser): Promise<Eligibility>;
  isAdmin(user: DirectoryUser): Promise<boolean>;
}

export type PasswordCheck =
  /** `score`: the reference §6.2 banned-password score (≥ 5 when accepted); the 0..4 meter comes from `strength()`. */
  | { ok: true; score: number }
  | {
      ok: false;
      problems: {
        rule: "length" | "max_length" | "classes" | "banned" | "custom_banned" | "personal" | "current" | "history";
        /** Message id from `messages/policy.messages.ts` (e.g. `password.banned`). */
        message: string;
        /** Values for the message (`{min}`, `{max}`, `{count}`); never the password. */
        params?: Record<string, string | number>;
      }[];
    };

export interface PasswordPolicyService {
  /** SPEC §7 on every path (reset, change, admin-set, initial). */
  check(
    password: string,
    context: { user: DirectoryUser | null; currentPassword?: string; previousHashes?: string[] },
  ): Promise<PasswordCheck>;
  /** zxcvbn-style 0..4 with feedback message ids, for the meter (server-side too). */
  strength(password: string, userInputs: string[]): { score: 0 | 1 | 2 | 3 | 4; feedback: string[] };
}

// ---------- policy/throttles.ts ----------
export type ThrottleCounter =
  | "identity-proof" // THR-01 5 / 24 h
  | "phone-validation" // THR-02 5 / 1 h
  | "app-or-sms" // THR-03 5 / 1 h
  | "questions" // THR-04 5 / 1 h
  | "reset-attempt" // THR-05 5 / 1 h
  | "email-send"; // THR-06 10 / 10 min

export interface ThrottleService {
  /** Counts one event for the account; blocks 24 h at the limit (audits "Blocked..." once). */
  hitAccount(userId: string, counter: ThrottleCounter, ctx: RequestContext | null): Promise<{ allowed: boolean }>;
  isAccountBlocked(userId: string): Promise<{ until: Date } | null>;
  /** Per source address / destination limits (SPEC §8). `key` like `ip:1.2.3.4:identify`. */
  hitKey(key: string, options: { limit: number; windowMs: number }): Promise<{ allowed: boolean }>;
  /** THR-08: cleared on success. */
  clearAccount(userId: string): Promise<void>;
  unblock(userId: string, options: { actor: { id: string; name: string }; ctx: RequestContext | null }): Promise<void>;
  /** Accounts blocked right now, newest first (admin "blocked users" view and reports). */
  listBlockedAccounts?(): Promise<{ userId: string; until: Date; reason: string; since: Date }[]>;
}

// ---------- audit/recorder.ts ----------
export interface AuditRecorder {
  record(event: {
    activity: AuditActivityKey;
    outcome: "success" | "failure";
    reason: string;
    actor?: { id: string | null; name: string | null };
    target?: { id: string | null; name: string | null };
    ctx: RequestContext | null;
    details?: Record<string, unknown>;
  }): Promise<AuditRow>;
}

// ---------- notify/ (notifier.ts, outbox-worker.ts) ----------
export interface OutgoingMessage {
  channel: OutboxRow["channel"];
  recipient: string;
  /** Template id in `notify/templates.ts`. */
  template: string;
  /** Values for the template (a code may be one of them: it lives only in the outbox row until dispatch). */
  params: Record<string, string>;
  locale: string;
  campaignId?: string;
}
export interface Notifier {
  /** Renders the template and enqueues it durably. Never sends on the request path. */
  enqueue(message: OutgoingMessage): Promise<{ id: string }>;
}
export interface OutboxWorker {
  start(): void;
  /** Processes everything due now (tests call this instead of waiting). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

// ---------- methods/codes.ts ----------
export interface CodeService {
  /** Issues a fresh `codeDigits` code for `purpose`, superseding older ones; returns it to be sent. */
  issue(purpose: string): Promise<{ code: string; expiresAt: Date }>;
  redeem(purpose: string, submitted: string): Promise<import("./store/types.ts").RedeemResult>;
}

// ---------- methods/ ----------
export interface MethodRegistry {
  readonly all: readonly Method[];
  get(id: MethodId): Method | undefined;
}

// ---------- http/sessions.ts ----------
export interface PortalSession {
  id: string;
  userId: string;
  kind: "portal" | "admin";
  data: Record<string, unknown>;
  expiresAt: Date;
}

export interface Registry {
  config: Config;
  clock: Clock;
  random: Random;
  keys: KeyRing;
  log: Logger;
  stores: Stores;
  hasher: PasswordHasher;
  directory: DirectoryConnector;
  policy: PolicyService;
  passwordPolicy: PasswordPolicyService;
  throttles: ThrottleService;
  audit: AuditRecorder;
  notifier: Notifier;
  outboxWorker: OutboxWorker;
  codes: CodeService;
  methods: MethodRegistry;
  close(): Promise<void>;
}

export type { AccountStatus, DirectoryUser, EnrollmentRow, GroupRef, MethodId };
