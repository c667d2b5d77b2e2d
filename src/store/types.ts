/**
 * One small interface per aggregate (ARCHITECTURE "Stores own bytes"). `store/sql/` implements them all
 * with Kysely on SQLite and PostgreSQL; `store/contract/` is the suite both pass. Times are `Date`s;
 * JSON columns are parsed objects here.
 */

// ---------- builtin directory ----------
export interface BuiltinUserRow {
  id: string;
  userName: string;
  displayName: string;
  email: string | null;
  mobile: string | null;
  officePhone: string | null;
  enabled: boolean;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  mustChangePassword: boolean;
  lockedAt: Date | null;
  failedLogins: number;
  createdAt: Date;
  updatedAt: Date;
}
export interface BuiltinGroupRow {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
}
export interface BuiltinDirectoryStore {
  insertUser(row: BuiltinUserRow): Promise<void>; // ALREADY_EXISTS on duplicate userName (case-insensitive)
  updateUser(id: string, patch: Partial<Omit<BuiltinUserRow, "id" | "createdAt">>): Promise<void>;
  getUser(id: string): Promise<BuiltinUserRow | null>;
  /** Case-insensitive match on user name, then on email (unique matches only). */
  findUser(identifier: string): Promise<BuiltinUserRow | null>;
  listUsers(options: {
    search?: string;
    offset: number;
    limit: number;
  }): Promise<{ rows: BuiltinUserRow[]; total: number }>;
  /**
   * Sets the hash and clears lock/failed counters. History: with `historyEntry` (a keyed fingerprint of the NEW
   * password) that entry is recorded; without it the previous hash is. The newest `keepHistory` entries are kept.
   */
  setPassword(
    id: string,
    hash: string,
    options: { at: Date; mustChange: boolean; keepHistory: number; historyEntry?: string },
  ): Promise<void>;
  passwordHistory(id: string, limit: number): Promise<string[]>;
  insertGroup(row: BuiltinGroupRow): Promise<void>; // ALREADY_EXISTS on duplicate name
  getGroup(id: string): Promise<BuiltinGroupRow | null>;
  findGroupByName(name: string): Promise<BuiltinGroupRow | null>;
  listGroups(): Promise<BuiltinGroupRow[]>;
  addMember(groupId: string, member: { kind: "user" | "group"; id: string }): Promise<void>; // idempotent
  removeMember(groupId: string, member: { kind: "user" | "group"; id: string }): Promise<void>;
  /** Direct members only. */
  members(groupId: string): Promise<{ kind: "user" | "group"; id: string }[]>;
  /** Groups that directly contain this user or group. */
  parentGroups(member: { kind: "user" | "group"; id: string }): Promise<string[]>;
}

// ---------- policy ----------
export interface PolicyVersionRow {
  version: number;
  document: unknown;
  createdAt: Date;
  createdBy: string;
}
export interface PolicyStore {
  current(): Promise<PolicyVersionRow | null>;
  /** Saves version `expectedVersion + 1`; VERSION_CONFLICT when another save won. */
  save(document: unknown, options: { expectedVersion: number; at: Date; by: string }): Promise<PolicyVersionRow>;
  history(limit: number): Promise<PolicyVersionRow[]>;
}

// ---------- enrollments (registered security info) ----------
export type MethodId =
  | "email-code"
  | "sms-code"
  | "voice-mobile"
  | "voice-office"
  | "totp"
  | "security-questions"
  | "passkey";

export interface EnrollmentRow {
  id: string;
  userId: string;
  method: MethodId;
  /** Shown to the user: "Authenticator on Pixel", masked address. */
  label: string;
  /** Non-secret method data (email address, E.164 number, question ids, WebAuthn credential id + public key). */
  data: Record<string, unknown>;
  /** Secret material: encrypted TOTP seed, argon2 hashes of answers. Never leaves the method. */
  secret: string | null;
  /** `pending` until confirmed with a code (TOTP, email, phone). */
  status: "pending" | "active";
  source: "user" | "admin" | "import" | "directory";
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}
export interface EnrollmentStore {
  insert(row: EnrollmentRow): Promise<void>;
  update(
    id: string,
    patch: Partial<Pick<EnrollmentRow, "label" | "data" | "secret" | "status" | "confirmedAt" | "lastUsedAt">>,
  ): Promise<void>;
  get(id: string): Promise<EnrollmentRow | null>;
  listForUser(userId: string): Promise<EnrollmentRow[]>;
  delete(id: string): Promise<void>;
  deleteForUser(userId: string, method?: MethodId): Promise<number>;
  /** Active enrollments per method across all users (reports). */
  countByMethod(): Promise<Record<string, number>>;
}

/** Per-user registration bookkeeping (REG-02/03). */
export interface RegistrationStateRow {
  userId: string;
  /** When the user last completed the registration for the then-current policy. */
  registeredAt: Date | null;
  /** "Looks good" (REG-03 reconfirmation clock). */
  reviewedAt: Date | null;
  updatedAt: Date;
}
export interface RegistrationStateStore {
  get(userId: string): Promise<RegistrationStateRow | null>;
  upsert(row: RegistrationStateRow): Promise<void>;
  list(options: { offset: number; limit: number }): Promise<RegistrationStateRow[]>;
}

// ---------- one-time codes ----------
export interface CodeRow {
  id: string;
  /** What the code unlocks: `flow:<id>:gate:email-code`, `enroll:<enrollmentId>`. A newer code for the same purpose supersedes. */
  purpose: string;
  /** HMAC of the code (STYLE rule 5). */
  digest: string;
  expiresAt: Date;
  attempts: number;
  maxAttempts: number;
  consumedAt: Date | null;
  createdAt: Date;
}
export type RedeemResult =
  | { kind: "redeemed" }
  | { kind: "mismatch"; attemptsLeft: number }
  | { kind: "exhausted" }
  | { kind: "expired" }
  | { kind: "not_found" };
export interface CodeStore {
  /** Inserts the code and marks every other unconsumed code of the same purpose consumed (superseded). */
  issue(row: CodeRow): Promise<void>;
  /**
   * Counts the attempt first, then compares digests in constant time, then consumes once (`consumed_at IS NULL`
   * guard), all so that concurrent submissions of one code redeem it at most once.
   */
  redeem(purpose: string, digest: string, at: Date): Promise<RedeemResult>;
  deleteExpired(before: Date): Promise<number>;
}

// ---------- flows (reset, change, registration sign-in) ----------
export interface FlowRow {
  id: string;
  kind: "reset" | "registration" | "change" | "helpdesk";
  state: string;
  /** Flow-specific state; never secrets in clear. */
  data: Record<string, unknown>;
  /** Optimistic concurrency: incremented by every update. */
  version: number;
  createdAt: Date;
  expiresAt: Date;
  updatedAt: Date;
}
export interface FlowStore {
  insert(row: FlowRow): Promise<void>;
  get(id: string): Promise<FlowRow | null>;
  /** Writes if `version` still matches; returns false when another request won (caller throws VERSION_CONFLICT). */
  update(id: string, expectedVersion: number, patch: Pick<FlowRow, "state" | "data" | "updatedAt">): Promise<boolean>;
  deleteExpired(before: Date): Promise<number>;
}

// ---------- portal sessions ----------
export interface SessionRow {
  /** HMAC of the cookie value; the cookie value itself is never stored. */
  idDigest: string;
  userId: string;
  kind: "portal" | "admin";
  data: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
}
export interface SessionStore {
  insert(row: SessionRow): Promise<void>;
  get(idDigest: string): Promise<SessionRow | null>;
  touch(idDigest: string, options: { at: Date; expiresAt: Date; data?: Record<string, unknown> }): Promise<void>;
  delete(idDigest: string): Promise<void>;
  /** Revokes every session of the user (after a reset, SPEC §8). Returns how many. */
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(before: Date): Promise<number>;
}

// ---------- throttles (SPEC §8, reference §5) ----------
export interface ThrottleStore {
  /** Records one event under `key` and returns how many events `key` has since `windowStart` (including this one). */
  hit(key: string, at: Date, windowStart: Date): Promise<number>;
  count(key: string, windowStart: Date): Promise<number>;
  /** Deletes events whose key starts with `prefix` (counters cleared on success, THR-08). */
  clear(prefix: string): Promise<void>;
  /** Blocks `key` until `until`; returns false when it was already blocked (so the audit event is written once). */
  block(key: string, options: { until: Date; reason: string; at: Date }): Promise<boolean>;
  blockedUntil(key: string, at: Date): Promise<{ until: Date; reason: string } | null>;
  unblock(key: string): Promise<void>;
  listBlocks(at: Date): Promise<{ key: string; until: Date; reason: string; createdAt: Date }[]>;
  deleteOlderThan(before: Date): Promise<number>;
}

// ---------- single-use nonces (CAPTCHA challenges, TOTP replay) ----------
export interface NonceStore {
  /** true the first time `key` is used, false after (atomic). Kept until `expiresAt`. */
  useOnce(key: string, expiresAt: Date): Promise<boolean>;
  deleteExpired(before: Date): Promise<number>;
}

// ---------- audit ----------
export interface AuditRow {
  id: string;
  at: Date;
  activity: string;
  service: "Self-service Password Management" | "Authentication Methods" | "Core Directory";
  outcome: "success" | "failure";
  reason: string;
  actorId: string | null;
  actorName: string | null;
  targetId: string | null;
  targetName: string | null;
  ip: string | null;
  userAgent: string | null;
  correlationId: string | null;
  /** Method, old/new policy values, raw directory errors... never a secret. */
  details: Record<string, unknown>;
  /** Hash chain: sha256(prevHash + canonical row) for tamper evidence. */
  prevHash: string;
  hash: string;
}
export interface AuditQuery {
  from?: Date;
  to?: Date;
  /** Matches actor or target id/name. */
  user?: string;
  activity?: string;
  outcome?: "success" | "failure";
  correlationId?: string;
  offset: number;
  limit: number;
}
export interface AuditStore {
  /** Appends with the hash chain computed inside the store's transaction. */
  append(row: Omit<AuditRow, "prevHash" | "hash">): Promise<AuditRow>;
  query(query: AuditQuery): Promise<{ rows: AuditRow[]; total: number }>;
  deleteOlderThan(before: Date): Promise<number>;
}

// ---------- outbox ----------
export interface OutboxRow {
  id: string;
  channel: "email" | "sms" | "voice";
  recipient: string;
  subject: string;
  /** Plain-text body; blanked after dispatch (ARCHITECTURE "Outbox"). */
  body: string;
  html: string | null;
  /** Template id, e.g. `reset-code`, `password-changed`. */
  template: string;
  status: "queued" | "sending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  campaignId: string | null;
}
export interface OutboxStore {
  enqueue(row: OutboxRow): Promise<void>;
  /** Claims up to `limit` due messages (status → sending), safe across instances (PG: SKIP LOCKED). */
  claimDue(at: Date, limit: number): Promise<OutboxRow[]>;
  markSent(id: string, at: Date): Promise<void>;
  /** Back to `queued` at `nextAttemptAt`, or `failed` for good when `final`. */
  markFailed(id: string, options: { error: string; nextAttemptAt: Date; final: boolean }): Promise<void>;
  /** Messages stuck in `sending` since before `before` go back to `queued` (crash recovery). */
  requeueStale(before: Date): Promise<number>;
  list(options: {
    status?: OutboxRow["status"];
    offset: number;
    limit: number;
  }): Promise<{ rows: OutboxRow[]; total: number }>;
  counts(options: { campaignId?: string }): Promise<Record<OutboxRow["status"], number>>;
}

/** The development outbox: delivered messages kept whole so the admin portal can show them. */
export interface DevMailboxRow {
  id: string;
  channel: "email" | "sms" | "voice";
  recipient: string;
  subject: string;
  body: string;
  html: string | null;
  deliveredAt: Date;
}
export interface DevMailboxStore {
  insert(row: DevMailboxRow): Promise<void>;
  list(options: {
    recipient?: string;
    offset: number;
    limit: number;
  }): Promise<{ rows: DevMailboxRow[]; total: number }>;
  get(id: string): Promise<DevMailboxRow | null>;
}

// ---------- settings (branding, first-run, API keys) ----------
export interface SettingsStore {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown, at: Date): Promise<void>;
  /** Sets only when absent; returns whether it was set (first-run token, generated ids). */
  setIfAbsent(key: string, value: unknown, at: Date): Promise<boolean>;
  delete(key: string): Promise<void>;
}

/** Everything the SQL implementation provides. */
export interface Stores {
  builtin: BuiltinDirectoryStore;
  policy: PolicyStore;
  enrollments: EnrollmentStore;
  registrations: RegistrationStateStore;
  codes: CodeStore;
  flows: FlowStore;
  sessions: SessionStore;
  throttles: ThrottleStore;
  nonces: NonceStore;
  audit: AuditStore;
  outbox: OutboxStore;
  devMailbox: DevMailboxStore;
  settings: SettingsStore;
  /** Runs `fn` in one transaction (used where several stores must change together). */
  transaction<T>(fn: (stores: Omit<Stores, "transaction" | "close" | "ping">) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
