/**
 * Administration of the builtin directory (SPEC §3 builtin, §10 pre-populated data): users, groups,
 * memberships and the CSV import. Used by the admin API/UI and the CLI (`opensspr users|groups|import`).
 * Every mutation is audited; invalid input is refused whole (VALIDATION_FAILED with field issues), and an
 * import row that does not validate writes nothing.
 */

import { AppError, type FieldIssue, isAppError } from "../../errors/app-error.ts";
import type { Clock } from "../../kernel/clock.ts";
import { newId } from "../../kernel/ids.ts";
import type { PasswordHasher } from "../../kernel/passwords.ts";
import type { Random } from "../../kernel/random.ts";
import type { KeyRing } from "../../kernel/secrets.ts";
import { parsePhoneNumber } from "../../methods/phone/phone-number.ts";
import type { AuditRecorder, PasswordPolicyService, RequestContext } from "../../registry.types.ts";
import type { BuiltinDirectoryStore, BuiltinGroupRow, BuiltinUserRow, Stores } from "../../store/types.ts";
import type { DirectoryUser, GroupRef } from "../connector.ts";
import { ancestorGroupIds, createBuiltinConnector, toDirectoryUser } from "./builtin.connector.ts";
import { parseCSV } from "./csv.ts";

export type BuiltinAdminDeps = {
  stores: Pick<Stores, "builtin" | "policy" | "transaction">;
  hasher: PasswordHasher;
  clock: Clock;
  random: Random;
  audit: AuditRecorder;
  /** Checks passwords set by an admin (REQ-048: one policy everywhere). */
  passwordPolicy: PasswordPolicyService;
  /** The registry's keys: password history as keyed fingerprints (see `BuiltinConnectorDeps.historyKey`). */
  keys?: Pick<KeyRing, "passwordHistory">;
};

/** Who is acting, for the audit trail. */
export interface AdminActionOptions {
  actor: { id: string; name: string };
  ctx: RequestContext | null;
}

export interface BuiltinUserInput {
  userName: string;
  displayName: string;
  email?: string | null;
  mobile?: string | null;
  officePhone?: string | null;
  /** Initial password; without one the user sets it through self-service reset. */
  password?: string;
}

export interface BuiltinUserSummary extends DirectoryUser {
  enabled: boolean;
  locked: boolean;
  mustChangePassword: boolean;
  hasPassword: boolean;
  createdAt: Date;
}

export interface ImportIssue {
  /** CSV line where the row starts (the header is line 1). */
  row: number;
  field: string;
  message: string;
}

export interface ImportReport {
  /** Data rows read (header excluded). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows refused (nothing written for them). */
  failed: number;
  issues: ImportIssue[];
}

export interface BuiltinAdmin {
  addUser(input: unknown, options: AdminActionOptions): Promise<DirectoryUser>;
  /** Changes contact fields / display name; omitted keys stay, `null` or "" clears an optional one. */
  updateUser(userRef: string, patch: unknown, options: AdminActionOptions): Promise<DirectoryUser>;
  listUsers(options: {
    search?: string;
    offset: number;
    limit: number;
  }): Promise<{ users: BuiltinUserSummary[]; total: number }>;
  disableUser(userRef: string, options: AdminActionOptions): Promise<void>;
  enableUser(userRef: string, options: AdminActionOptions): Promise<void>;
  /** Admin-set password (checked by the password policy and history); PASSWORD_REJECTED with the problems. */
  setPassword(
    userRef: string,
    password: string,
    options: AdminActionOptions & { mustChangeAtNextLogon: boolean },
  ): Promise<void>;
  addGroup(input: unknown, options: AdminActionOptions): Promise<GroupRef>;
  listGroups(): Promise<(GroupRef & { description: string })[]>;
  /** Adds a user or a group to a group; a group that would contain itself (directly or not) is refused. */
  addMember(
    groupRef: string,
    member: { kind: "user" | "group"; ref: string },
    options: AdminActionOptions,
  ): Promise<void>;
  removeMember(
    groupRef: string,
    member: { kind: "user" | "group"; ref: string },
    options: AdminActionOptions,
  ): Promise<void>;
  /**
   * Imports `userName,displayName,email,mobile,officePhone,groups` (groups `;`-separated). Re-running the same
   * file updates instead of duplicating. Empty cells leave existing values; listed groups are added, never removed.
   */
  importUsersCSV(csvText: string, options: AdminActionOptions & { createGroups?: boolean }): Promise<ImportReport>;
}

/** Rows written per import transaction. */
export const IMPORT_CHUNK_ROWS = 200;

type PreparedRow = { line: number; key: string; fields: UserFields; groupNames: string[] };
type RowOutcome = { kind: "created" | "updated" | "unchanged" } | { kind: "invalid"; issues: FieldIssue[] };

export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9._@ -]{1,64}$/;
const EMAIL_PATTERN = /^[^\s@<>()[\],;:"\\]{1,64}@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;
const CONTROL = /\p{Cc}/u;
export const IMPORT_COLUMNS = ["userName", "displayName", "email", "mobile", "officePhone", "groups"] as const;
/** Largest import, in data rows. */
export const MAX_IMPORT_ROWS = 50_000;

type UserFields = {
  userName?: string;
  displayName?: string;
  email?: string | null;
  mobile?: string | null;
  officePhone?: string | null;
  password?: string;
};

/**
 * Validates user fields. `mode: "create"` requires user name and display name; `"patch"` validates what is present.
 * Optional fields: `undefined` = not given, `null`/"" = clear.
 */
export function validateUserFields(
  input: unknown,
  options: { mode: "create" | "patch" },
): { ok: true; value: UserFields } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ field: "(body)", message: "Expected an object with the user's fields." }] };
  }
  const raw = input as Record<string, unknown>;
  const allowed = new Set(["userName", "displayName", "email", "mobile", "officePhone", "password"]);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) issues.push({ field: key, message: "Unknown field." });
  const value: UserFields = {};

  const text = (key: string): string | null | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (v === null) return null;
    if (typeof v !== "string") {
      issues.push({ field: key, message: "Must be text." });
      return undefined;
    }
    return v.trim();
  };

  const userName = text("userName");
  if (userName === undefined || userName === null || userName === "") {
    if (options.mode === "create" || userName !== undefined)
      issues.push({ field: "userName", message: "A user name is required." });
  } else if (!USER_NAME_PATTERN.test(userName)) {
    issues.push({ field: "userName", message: "User names have 1 to 64 characters: letters A–Z, digits and . _ - @" });
  } else value.userName = userName;

  const displayName = text("displayName");
  if (displayName === undefined || displayName === null || displayName === "") {
    if (options.mode === "create" || displayName !== undefined) {
      issues.push({ field: "displayName", message: "A display name is required." });
    }
  } else if (Array.from(displayName).length > 256 || CONTROL.test(displayName)) {
    issues.push({
      field: "displayName",
      message: "Display names have at most 256 characters and no control characters.",
    });
  } else value.displayName = displayName;

  const email = text("email");
  if (email === null || email === "") value.email = null;
  else if (email !== undefined) {
    if (email.length > 254 || !EMAIL_PATTERN.test(email))
      issues.push({ field: "email", message: "Enter a valid email address." });
    else value.email = email;
  }

  for (const key of ["mobile", "officePhone"] as const) {
    const phone = text(key);
    if (phone === null || phone === "") value[key] = null;
    else if (phone !== undefined) {
      // Stored in E.164 without extension (DATA-01/02); international format required (no default country).
      const parsed = parsePhoneNumber(phone, { defaultCountry: "" });
      if (parsed.ok) value[key] = parsed.e164;
      else issues.push({ field: key, message: "Enter the number in international format, e.g. +1 4255551234." });
    }
  }

  const password = raw["password"];
  if (password !== undefined) {
    if (typeof password !== "string") issues.push({ field: "password", message: "Must be text." });
    else value.password = password;
  }
  return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
}

function validGroupName(name: string): boolean {
  return GROUP_NAME_PATTERN.test(name) && name.trim() === name;
}

export function createBuiltinAdmin(deps: BuiltinAdminDeps): BuiltinAdmin {
  const store = deps.stores.builtin;
  const connector = createBuiltinConnector({
    stores: deps.stores,
    hasher: deps.hasher,
    clock: deps.clock,
    ...(deps.keys === undefined ? {} : { historyKey: deps.keys.passwordHistory }),
  });

  const resolveUser = async (ref: string): Promise<BuiltinUserRow> => {
    if (typeof ref !== "string" || ref.trim() === "" || ref.length > 256) throw new AppError("USER_NOT_FOUND");
    const byId = await store.getUser(ref);
    if (byId !== null) return byId;
    const byName = await store.findUser(ref);
    if (byName !== null && byName.userName.toLowerCase() === ref.trim().toLowerCase()) return byName;
    throw new AppError("USER_NOT_FOUND");
  };

  const resolveGroup = async (ref: string): Promise<BuiltinGroupRow> => {
    if (typeof ref !== "string" || ref.trim() === "" || ref.length > 256) throw new AppError("GROUP_NOT_FOUND");
    const row = (await store.getGroup(ref)) ?? (await store.findGroupByName(ref));
    if (row === null) throw new AppError("GROUP_NOT_FOUND");
    return row;
  };

  /**
   * Issues when the user name or email would make sign-in by name/email ambiguous. `rule: "duplicate"` marks
   * the user name of an existing account (ALREADY_EXISTS rather than a validation problem).
   */
  const uniquenessIssues = async (
    s: Pick<BuiltinDirectoryStore, "findUser">,
    fields: UserFields,
    selfId: string | null,
  ): Promise<FieldIssue[]> => {
    const issues: FieldIssue[] = [];
    if (fields.userName !== undefined) {
      const other = await s.findUser(fields.userName);
      if (other !== null && other.id !== selfId) {
        issues.push(
          other.userName.toLowerCase() === fields.userName.toLowerCase()
            ? { field: "userName", message: "A user with this user name already exists.", rule: "duplicate" }
            : { field: "userName", message: "This user name is another account's email address." },
        );
      }
    }
    if (typeof fields.email === "string") {
      const other = await s.findUser(fields.email);
      if (other !== null && other.id !== selfId) {
        issues.push({ field: "email", message: "This email address already identifies another account." });
      }
    }
    return issues;
  };

  const checkPassword = async (password: string, user: DirectoryUser): Promise<void> => {
    const check = await deps.passwordPolicy.check(password, { user });
    if (!check.ok) {
      throw new AppError("PASSWORD_REJECTED", {
        issues: check.problems.map((p) => ({ field: "password", message: p.message, rule: p.rule })),
      });
    }
  };

  const audit = (
    activity:
      | "userCreated"
      | "userUpdated"
      | "userDisabled"
      | "resetByAdmin"
      | "groupCreated"
      | "groupMemberAdded"
      | "groupMemberRemoved"
      | "usersImported",
    options: AdminActionOptions,
    target: { id: string | null; name: string | null },
    reason: string,
    details: Record<string, unknown> = {},
  ) =>
    deps.audit.record({
      activity,
      outcome: "success",
      reason,
      actor: options.actor,
      target,
      ctx: options.ctx,
      details,
    });

  /** Writes one validated import row, or returns why it cannot be written (having written nothing). */
  const applyImportRow = async (
    s: BuiltinDirectoryStore,
    row: PreparedRow,
    groups: { groupCache: Map<string, string>; created: Map<string, string>; createGroups: boolean },
  ): Promise<RowOutcome> => {
    const found = await s.findUser(row.fields.userName as string);
    const existing = found !== null && found.userName.toLowerCase() === row.key ? found : null;
    if (found !== null && existing === null) {
      return {
        kind: "invalid",
        issues: [{ field: "userName", message: "This user name is another account's email address." }],
      };
    }
    if (typeof row.fields.email === "string") {
      const other = await s.findUser(row.fields.email);
      if (other !== null && other.id !== existing?.id) {
        return {
          kind: "invalid",
          issues: [{ field: "email", message: "This email address already identifies another account." }],
        };
      }
    }
    const groupIds: string[] = [];
    const missing: string[] = [];
    for (const name of row.groupNames) {
      const cacheKey = name.toLowerCase();
      const pending = groups.created.get(cacheKey); // created in this (not yet committed) transaction
      const known = pending ?? groups.groupCache.get(cacheKey) ?? (await s.findGroupByName(name))?.id;
      if (known !== undefined) {
        if (pending === undefined) groups.groupCache.set(cacheKey, known);
        groupIds.push(known);
      } else if (groups.createGroups) {
        // Created only once the row is known to be valid (this is the last check).
        missing.push(name);
      } else {
        return { kind: "invalid", issues: [{ field: "groups", message: `Unknown group "${name}".` }] };
      }
    }
    const at = deps.clock.now();
    for (const name of missing) {
      const id = newId(deps.random, at);
      await s.insertGroup({ id, name, description: "", createdAt: at });
      groups.created.set(name.toLowerCase(), id);
      groupIds.push(id);
    }
    let kind: "created" | "updated" | "unchanged";
    let userId: string;
    if (existing === null) {
      userId = newId(deps.random, at);
      await s.insertUser({
        id: userId,
        userName: row.fields.userName as string,
        displayName: row.fields.displayName as string,
        email: row.fields.email ?? null,
        mobile: row.fields.mobile ?? null,
        officePhone: row.fields.officePhone ?? null,
        enabled: true,
        passwordHash: null,
        passwordChangedAt: null,
        mustChangePassword: false,
        lockedAt: null,
        failedLogins: 0,
        createdAt: at,
        updatedAt: at,
      });
      kind = "created";
    } else {
      userId = existing.id;
      const patch: Partial<BuiltinUserRow> = {};
      if (row.fields.displayName !== existing.displayName) patch.displayName = row.fields.displayName as string;
      for (const k of ["email", "mobile", "officePhone"] as const) {
        const v = row.fields[k];
        if (v !== undefined && v !== null && v !== existing[k]) patch[k] = v;
      }
      kind = Object.keys(patch).length > 0 ? "updated" : "unchanged";
      if (kind === "updated") await s.updateUser(userId, { ...patch, updatedAt: at });
    }
    const current =
      kind === "created" ? new Set<string>() : new Set(await s.parentGroups({ kind: "user", id: userId }));
    for (const groupId of groupIds) {
      if (!current.has(groupId)) {
        await s.addMember(groupId, { kind: "user", id: userId });
        if (kind === "unchanged") kind = "updated";
      }
    }
    return { kind };
  };

  return {
    async addUser(input, options): Promise<DirectoryUser> {
      const checked = validateUserFields(input, { mode: "create" });
      if (!checked.ok) throw new AppError("VALIDATION_FAILED", { issues: checked.issues });
      const fields = checked.value;
      const issues = await uniquenessIssues(store, fields, null);
      if (issues.some((i) => i.rule === "duplicate")) throw new AppError("ALREADY_EXISTS", { issues });
      if (issues.length > 0) throw new AppError("VALIDATION_FAILED", { issues });
      const at = deps.clock.now();
      const row: BuiltinUserRow = {
        id: newId(deps.random, at),
        userName: fields.userName as string,
        displayName: fields.displayName as string,
        email: fields.email ?? null,
        mobile: fields.mobile ?? null,
        officePhone: fields.officePhone ?? null,
        enabled: true,
        passwordHash: null,
        passwordChangedAt: null,
        mustChangePassword: false,
        lockedAt: null,
        failedLogins: 0,
        createdAt: at,
        updatedAt: at,
      };
      if (fields.password !== undefined) await checkPassword(fields.password, toDirectoryUser(row));
      await store.insertUser(row);
      if (fields.password !== undefined) {
        // Through the connector, so the initial password is hashed once and enters the history like any other.
        const written = await connector.passwords?.reset?.(toDirectoryUser(row), fields.password, {
          mustChangeAtNextLogon: false,
          unlock: true,
        });
        if (written === undefined || !written.ok) throw new AppError("PASSWORD_REJECTED");
      }
      await audit("userCreated", options, { id: row.id, name: row.userName }, "User created", {
        email: row.email !== null,
        mobile: row.mobile !== null,
        officePhone: row.officePhone !== null,
        initialPasswordSet: fields.password !== undefined,
      });
      return toDirectoryUser(row);
    },

    async updateUser(userRef, patch, options): Promise<DirectoryUser> {
      const row = await resolveUser(userRef);
      const checked = validateUserFields(patch, { mode: "patch" });
      if (!checked.ok) throw new AppError("VALIDATION_FAILED", { issues: checked.issues });
      const { password: _ignored, ...fields } = checked.value;
      if (checked.value.password !== undefined) {
        throw new AppError("VALIDATION_FAILED", {
          issues: [{ field: "password", message: "Use set password to change it." }],
        });
      }
      const issues = await uniquenessIssues(store, fields, row.id);
      if (issues.length > 0) throw new AppError("VALIDATION_FAILED", { issues });
      const changed = Object.keys(fields).filter(
        (k) => fields[k as keyof typeof fields] !== row[k as keyof BuiltinUserRow],
      );
      if (changed.length > 0) {
        await store.updateUser(row.id, { ...fields, updatedAt: deps.clock.now() });
        await audit("userUpdated", options, { id: row.id, name: fields.userName ?? row.userName }, "User updated", {
          changed,
        });
      }
      return toDirectoryUser({ ...row, ...fields });
    },

    async listUsers(options) {
      const { rows, total } = await store.listUsers({
        offset: Math.max(0, Math.trunc(options.offset)),
        limit: Math.max(1, Math.min(Math.trunc(options.limit), 1000)),
        ...(options.search === undefined ? {} : { search: options.search }),
      });
      return {
        total,
        users: rows.map((r) => ({
          ...toDirectoryUser(r),
          enabled: r.enabled,
          locked: r.lockedAt !== null,
          mustChangePassword: r.mustChangePassword,
          hasPassword: r.passwordHash !== null,
          createdAt: r.createdAt,
        })),
      };
    },

    async disableUser(userRef, options) {
      const row = await resolveUser(userRef);
      if (!row.enabled) return;
      await store.updateUser(row.id, { enabled: false, updatedAt: deps.clock.now() });
      await audit("userDisabled", options, { id: row.id, name: row.userName }, "Account disabled");
    },

    async enableUser(userRef, options) {
      const row = await resolveUser(userRef);
      if (row.enabled) return;
      await store.updateUser(row.id, { enabled: true, updatedAt: deps.clock.now() });
      await audit("userUpdated", options, { id: row.id, name: row.userName }, "Account enabled", {
        changed: ["enabled"],
      });
    },

    async setPassword(userRef, password, options) {
      if (typeof password !== "string") {
        throw new AppError("VALIDATION_FAILED", { issues: [{ field: "password", message: "Must be text." }] });
      }
      const row = await resolveUser(userRef);
      const user = toDirectoryUser(row);
      await checkPassword(password, user);
      const result = await connector.passwords?.reset?.(user, password, {
        mustChangeAtNextLogon: options.mustChangeAtNextLogon,
        unlock: true,
      });
      if (result === undefined || !result.ok) {
        const reason = result === undefined ? "policy" : result.reason;
        throw new AppError("PASSWORD_REJECTED", {
          issues: [
            { field: "password", message: reason === "history" ? "password.history" : "password.banned", rule: reason },
          ],
        });
      }
      await audit("resetByAdmin", options, { id: row.id, name: row.userName }, "Successfully completed reset.", {
        mustChangeAtNextLogon: options.mustChangeAtNextLogon,
        onPremisesAgent: "None",
      });
    },

    async addGroup(input, options): Promise<GroupRef> {
      const raw = (typeof input === "object" && input !== null && !Array.isArray(input) ? input : {}) as Record<
        string,
        unknown
      >;
      const issues: FieldIssue[] = [];
      for (const key of Object.keys(raw)) {
        if (key !== "name" && key !== "description") issues.push({ field: key, message: "Unknown field." });
      }
      const name = typeof raw["name"] === "string" ? raw["name"].trim() : "";
      if (!validGroupName(name)) {
        issues.push({
          field: "name",
          message: "Group names have 1 to 64 characters: letters A–Z, digits, spaces and . _ - @",
        });
      }
      const description = raw["description"] === undefined ? "" : raw["description"];
      if (
        typeof description !== "string" ||
        description.length > 1024 ||
        CONTROL.test(description.replace(/[\n\t]/g, ""))
      ) {
        issues.push({ field: "description", message: "At most 1024 characters of text." });
      }
      if (issues.length > 0) throw new AppError("VALIDATION_FAILED", { issues });
      if ((await store.findGroupByName(name)) !== null) {
        throw new AppError("ALREADY_EXISTS", {
          issues: [{ field: "name", message: "A group with this name already exists." }],
        });
      }
      const at = deps.clock.now();
      const row: BuiltinGroupRow = {
        id: newId(deps.random, at),
        name,
        description: description as string,
        createdAt: at,
      };
      await store.insertGroup(row);
      await audit("groupCreated", options, { id: row.id, name: row.name }, "Group created");
      return { id: row.id, name: row.name };
    },

    async listGroups() {
      return (await store.listGroups()).map((g) => ({ id: g.id, name: g.name, description: g.description }));
    },

    async addMember(groupRef, member, options) {
      const group = await resolveGroup(groupRef);
      let memberId: string;
      let memberName: string;
      if (member.kind === "group") {
        const child = await resolveGroup(member.ref);
        // A cycle appears when the child already contains the group (the child is the group or one of its ancestors).
        const ancestors = await ancestorGroupIds(store, { kind: "group", id: group.id });
        if (child.id === group.id || ancestors.includes(child.id)) {
          throw new AppError("CONFLICT", {
            issues: [
              {
                field: "member",
                message: `Adding "${child.name}" to "${group.name}" would make a group contain itself.`,
              },
            ],
          });
        }
        memberId = child.id;
        memberName = child.name;
      } else {
        const user = await resolveUser(member.ref);
        memberId = user.id;
        memberName = user.userName;
      }
      await store.addMember(group.id, { kind: member.kind, id: memberId });
      await audit("groupMemberAdded", options, { id: group.id, name: group.name }, "Member added", {
        memberKind: member.kind,
        memberId,
        memberName,
      });
    },

    async removeMember(groupRef, member, options) {
      const group = await resolveGroup(groupRef);
      const target = member.kind === "group" ? await resolveGroup(member.ref) : await resolveUser(member.ref);
      await store.removeMember(group.id, { kind: member.kind, id: target.id });
      await audit("groupMemberRemoved", options, { id: group.id, name: group.name }, "Member removed", {
        memberKind: member.kind,
        memberId: target.id,
      });
    },

    async importUsersCSV(csvText, options): Promise<ImportReport> {
      const report: ImportReport = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, issues: [] };
      if (typeof csvText !== "string") {
        report.issues.push({ row: 1, field: "(file)", message: "Expected CSV text." });
        return report;
      }
      const parsed = parseCSV(csvText, { maxRecords: MAX_IMPORT_ROWS + 1 });
      if (!parsed.ok) {
        report.issues.push({ row: parsed.line, field: "(file)", message: parsed.message });
        return report;
      }
      const [header, ...records] = parsed.records;
      if (header === undefined) {
        report.issues.push({ row: 1, field: "(file)", message: "The file is empty." });
        return report;
      }
      // Header: known columns in any order, case-insensitive; userName and displayName required.
      const columns: string[] = [];
      for (const name of header.fields) {
        const known = IMPORT_COLUMNS.find((c) => c.toLowerCase() === name.trim().toLowerCase());
        if (known === undefined || columns.includes(known)) {
          report.issues.push({
            row: 1,
            field: name,
            message: known === undefined ? "Unknown column." : "Duplicate column.",
          });
        } else columns.push(known);
      }
      for (const required of ["userName", "displayName"]) {
        if (!columns.includes(required))
          report.issues.push({ row: 1, field: required, message: "Required column missing." });
      }
      if (report.issues.length > 0) return report;

      report.rows = records.length;

      // Pass 1, no writes: every field of every row.
      const prepared: PreparedRow[] = [];
      const seenUserNames = new Map<string, number>();
      for (const record of records) {
        const rowIssues: ImportIssue[] = [];
        const fail = (field: string, message: string) => rowIssues.push({ row: record.line, field, message });
        if (record.fields.length !== columns.length) {
          fail("(row)", `Expected ${columns.length} fields, found ${record.fields.length}.`);
        }
        const cell = (c: string): string => (record.fields[columns.indexOf(c)] ?? "").trim();
        const input: Record<string, string> = {};
        for (const c of ["userName", "displayName", "email", "mobile", "officePhone"]) {
          if (columns.includes(c) && cell(c) !== "") input[c] = cell(c);
        }
        const checked = rowIssues.length === 0 ? validateUserFields(input, { mode: "create" }) : null;
        if (checked !== null && !checked.ok) for (const i of checked.issues) fail(i.field, i.message);
        const groupNames = columns.includes("groups")
          ? [
              ...new Set(
                cell("groups")
                  .split(";")
                  .map((g) => g.trim())
                  .filter((g) => g !== ""),
              ),
            ]
          : [];
        for (const g of groupNames) if (!validGroupName(g)) fail("groups", `"${g}" is not a valid group name.`);
        const key = (input["userName"] ?? "").toLowerCase();
        if (key !== "" && seenUserNames.has(key)) fail("userName", `Same user as line ${seenUserNames.get(key)}.`);
        if (key !== "") seenUserNames.set(key, record.line);
        if (rowIssues.length > 0 || checked === null || !checked.ok) {
          report.failed++;
          report.issues.push(...rowIssues);
          continue;
        }
        prepared.push({ line: record.line, key, fields: checked.value, groupNames });
      }

      // Pass 2: rows in chunks, one transaction per chunk (a transaction per row is ~10× slower). A row whose
      // checks fail inside the transaction returns before writing anything. If a chunk fails on a store error
      // (a concurrent insert of the same name), it is rolled back and replayed row by row to isolate the row.
      const groupCache = new Map<string, string>();
      const tally = (row: PreparedRow, outcome: RowOutcome): void => {
        if (outcome.kind === "invalid") {
          report.failed++;
          for (const i of outcome.issues) report.issues.push({ row: row.line, field: i.field, message: i.message });
        } else report[outcome.kind]++;
      };
      const runChunk = async (chunk: PreparedRow[]): Promise<RowOutcome[]> => {
        const created = new Map<string, string>();
        const outcomes = await deps.stores.transaction(async (tx) => {
          const out: RowOutcome[] = [];
          for (const row of chunk) {
            out.push(
              await applyImportRow(tx.builtin, row, {
                groupCache,
                created,
                createGroups: options.createGroups === true,
              }),
            );
          }
          return out;
        });
        for (const [name, id] of created) groupCache.set(name, id);
        return outcomes;
      };
      for (let i = 0; i < prepared.length; i += IMPORT_CHUNK_ROWS) {
        const chunk = prepared.slice(i, i + IMPORT_CHUNK_ROWS);
        try {
          const outcomes = await runChunk(chunk);
          for (const [k, row] of chunk.entries()) tally(row, outcomes[k] ?? { kind: "unchanged" });
        } catch (error) {
          if (!isAppError(error) || error.status >= 500) throw error;
          for (const row of chunk) {
            try {
              const [outcome] = await runChunk([row]);
              tally(row, outcome ?? { kind: "unchanged" });
            } catch (rowError) {
              if (!isAppError(rowError) || rowError.status >= 500) throw rowError;
              report.failed++;
              report.issues.push({ row: row.line, field: "(row)", message: rowError.code });
            }
          }
        }
      }
      report.issues.sort((a, b) => a.row - b.row);
      await audit("usersImported", options, { id: null, name: null }, "Users imported from CSV", {
        rows: report.rows,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        failed: report.failed,
      });
      return report;
    },
  };
}
