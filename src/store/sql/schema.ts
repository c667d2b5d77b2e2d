/**
 * Table shapes as Kysely sees them. Times are epoch milliseconds (`bigint`, read back as numbers on both
 * dialects), JSON is text, booleans are 0/1 integers: one encoding for SQLite and PostgreSQL alike.
 */
import type { Generated } from "kysely";

export interface BuiltinUsersTable {
  id: string;
  user_name: string;
  /** Lower-cased `user_name`: the unique, case-insensitive lookup key. */
  user_name_key: string;
  display_name: string;
  email: string | null;
  /** Lower-cased `email`, for case-insensitive lookups. */
  email_key: string | null;
  mobile: string | null;
  office_phone: string | null;
  enabled: number;
  password_hash: string | null;
  password_changed_at: number | null;
  must_change_password: number;
  locked_at: number | null;
  failed_logins: number;
  created_at: number;
  updated_at: number;
}

export interface BuiltinPasswordHistoryTable {
  seq: Generated<number>;
  user_id: string;
  hash: string;
  at: number;
}

export interface BuiltinGroupsTable {
  id: string;
  name: string;
  name_key: string;
  description: string;
  created_at: number;
}

export interface BuiltinGroupMembersTable {
  group_id: string;
  member_kind: string;
  member_id: string;
}

export interface PolicyVersionsTable {
  version: number;
  document: string;
  created_at: number;
  created_by: string;
}

export interface EnrollmentsTable {
  id: string;
  user_id: string;
  method: string;
  label: string;
  data: string;
  secret: string | null;
  status: string;
  source: string;
  created_at: number;
  confirmed_at: number | null;
  last_used_at: number | null;
}

export interface RegistrationStateTable {
  user_id: string;
  registered_at: number | null;
  reviewed_at: number | null;
  updated_at: number;
}

export interface CodesTable {
  id: string;
  purpose: string;
  digest: string;
  expires_at: number;
  attempts: number;
  max_attempts: number;
  consumed_at: number | null;
  created_at: number;
}

export interface FlowsTable {
  id: string;
  kind: string;
  state: string;
  data: string;
  version: number;
  created_at: number;
  expires_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id_digest: string;
  user_id: string;
  kind: string;
  data: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface ThrottleEventsTable {
  seq: Generated<number>;
  key: string;
  at: number;
}

export interface ThrottleBlocksTable {
  key: string;
  until: number;
  reason: string;
  created_at: number;
}

export interface NoncesTable {
  key: string;
  expires_at: number;
}

export interface AuditTable {
  /** Position in the hash chain (1, 2, …), assigned under the chain-head lock. */
  seq: number;
  id: string;
  at: number;
  activity: string;
  service: string;
  outcome: string;
  reason: string;
  actor_id: string | null;
  actor_name: string | null;
  target_id: string | null;
  target_name: string | null;
  ip: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** One row (id = 1): the last chain position and hash; `anchor` is the prevHash of the oldest kept row. */
export interface AuditChainTable {
  id: number;
  seq: number;
  hash: string;
  anchor: string;
}

export interface OutboxTable {
  id: string;
  channel: string;
  recipient: string;
  subject: string;
  body: string;
  html: string | null;
  template: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  campaign_id: string | null;
  /** When the row went to `sending` (crash recovery, `requeueStale`). */
  claimed_at: number | null;
}

export interface DevMailboxTable {
  id: string;
  channel: string;
  recipient: string;
  recipient_key: string;
  subject: string;
  body: string;
  html: string | null;
  delivered_at: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  builtin_users: BuiltinUsersTable;
  builtin_password_history: BuiltinPasswordHistoryTable;
  builtin_groups: BuiltinGroupsTable;
  builtin_group_members: BuiltinGroupMembersTable;
  policy_versions: PolicyVersionsTable;
  enrollments: EnrollmentsTable;
  registration_state: RegistrationStateTable;
  codes: CodesTable;
  flows: FlowsTable;
  sessions: SessionsTable;
  throttle_events: ThrottleEventsTable;
  throttle_blocks: ThrottleBlocksTable;
  nonces: NoncesTable;
  audit_log: AuditTable;
  audit_chain: AuditChainTable;
  outbox: OutboxTable;
  dev_mailbox: DevMailboxTable;
  settings: SettingsTable;
}

export type Dialect = "sqlite" | "postgres";
