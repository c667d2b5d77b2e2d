/**
 * The directory contract (SPEC §3). `builtin`, `ldap` and `active-directory` implement it and all pass
 * `directory/contract/connector.contract.ts`. Capabilities are optional members (STYLE rule 8): core code
 * asks before it calls.
 */

/** An account as OpenSSPR sees it, whatever the directory. Contact fields are pre-populated authentication data. */
export interface DirectoryUser {
  /** Stable identifier (builtin: row id; ldap: entryUUID; AD: objectGUID). Used as the key of OpenSSPR's own data. */
  readonly id: string;
  /** The sign-in name (builtin user name, `uid`, `sAMAccountName`). */
  readonly userName: string;
  readonly displayName: string;
  /** Directory email (`mail`); usable as the email method's address before registration. */
  readonly email: string | null;
  /** Directory mobile (`mobile`), E.164 when it parses. */
  readonly mobile: string | null;
  /** Directory office phone (`telephoneNumber`), admin/directory-set only. */
  readonly officePhone: string | null;
  /** Distinguished name, for LDAP/AD. */
  readonly dn?: string;
}

export interface GroupRef {
  readonly id: string;
  readonly name: string;
}

export interface AccountStatus {
  readonly enabled: boolean;
  readonly locked: boolean;
  /** "User must change password at next logon". */
  readonly mustChangePassword: boolean;
  readonly expired: boolean;
  /** AD `adminCount=1` and similar: the service account may not reset it (ADM-07). */
  readonly protectedAccount: boolean;
}

export type PasswordWriteResult =
  | { ok: true }
  | {
      ok: false;
      /** What the user can act on. */
      reason: "policy" | "history" | "too_recent" | "too_short" | "protected_account" | "wrong_current_password";
      /** Raw directory detail: audit log and admin views only, never shown to the end user. */
      detail: string;
    };

export type UnlockResult = { ok: true } | { ok: false; reason: "not_locked" | "refused"; detail: string };

export interface ResetOptions {
  /** Set "must change at next logon" (helpdesk resets). */
  mustChangeAtNextLogon: boolean;
  /** Also clear a lockout (a reset unlocks by default, FLOW-10). */
  unlock: boolean;
}

export interface DirectoryConnector {
  readonly kind: "builtin" | "ldap" | "active-directory";
  /** Finds an account by user name or email (case-insensitive). `null`, never a throw, for "not found". */
  findUser(identifier: string): Promise<DirectoryUser | null>;
  /** Finds an account by its stable `id`. */
  getUser(id: string): Promise<DirectoryUser | null>;
  /** Every group the user is in, nested membership resolved. */
  groupsOf(user: DirectoryUser): Promise<GroupRef[]>;
  /** Finds a group by name (policy scope, admin groups). */
  findGroup(name: string): Promise<GroupRef | null>;
  /** Members of a group, nested resolved (reports, campaigns). */
  membersOf?(group: GroupRef, options: { limit: number }): Promise<DirectoryUser[]>;
  /** Lists users for reports and admin pages (paged). */
  listUsers?(options: {
    search?: string;
    offset: number;
    limit: number;
  }): Promise<{ users: DirectoryUser[]; total: number }>;
  status?(user: DirectoryUser): Promise<AccountStatus>;
  passwords?: {
    /** Checks a password (portal sign-in). Counts against the directory's own lockout. */
    verify?(user: DirectoryUser, password: string): Promise<boolean>;
    change?(user: DirectoryUser, current: string, next: string): Promise<PasswordWriteResult>;
    reset?(user: DirectoryUser, next: string, options: ResetOptions): Promise<PasswordWriteResult>;
  };
  unlock?(user: DirectoryUser): Promise<UnlockResult>;
  /** Reachability for `/readyz`, `doctor` and the admin portal's directory page. */
  health(): Promise<{ ok: true } | { ok: false; detail: string }>;
  close?(): Promise<void>;
}
