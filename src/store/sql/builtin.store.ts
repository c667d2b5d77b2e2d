/** Users, groups, memberships and password history of the builtin directory. */
import { sql } from "kysely";
import { AppError } from "../../errors/app-error.ts";
import type { BuiltinDirectoryStore, BuiltinGroupRow, BuiltinUserRow } from "../types.ts";
import { fromFlag, fromMs, fromMsOrNull, likeContains, toCount, toFlag, toMs, toMsOrNull } from "./codec.ts";
import { inTransaction, type SqlContext } from "./context.ts";
import { isForeignKeyViolation } from "./errors.ts";
import type { BuiltinGroupsTable, BuiltinUsersTable } from "./schema.ts";

function userFromRow(r: BuiltinUsersTable): BuiltinUserRow {
  return {
    id: r.id,
    userName: r.user_name,
    displayName: r.display_name,
    email: r.email,
    mobile: r.mobile,
    officePhone: r.office_phone,
    enabled: fromFlag(r.enabled),
    passwordHash: r.password_hash,
    passwordChangedAt: fromMsOrNull(r.password_changed_at),
    mustChangePassword: fromFlag(r.must_change_password),
    lockedAt: fromMsOrNull(r.locked_at),
    failedLogins: Number(r.failed_logins),
    createdAt: fromMs(r.created_at),
    updatedAt: fromMs(r.updated_at),
  };
}

function groupFromRow(r: BuiltinGroupsTable): BuiltinGroupRow {
  return { id: r.id, name: r.name, description: r.description, createdAt: fromMs(r.created_at) };
}

function lowerOrNull(value: string | null): string | null {
  return value === null ? null : value.toLowerCase();
}

type UserPatch = Partial<Omit<BuiltinUserRow, "id" | "createdAt">>;

function userPatchColumns(patch: UserPatch): Partial<BuiltinUsersTable> {
  const out: Partial<BuiltinUsersTable> = {};
  if (patch.userName !== undefined) {
    out.user_name = patch.userName;
    out.user_name_key = patch.userName.toLowerCase();
  }
  if (patch.displayName !== undefined) out.display_name = patch.displayName;
  if (patch.email !== undefined) {
    out.email = patch.email;
    out.email_key = lowerOrNull(patch.email);
  }
  if (patch.mobile !== undefined) out.mobile = patch.mobile;
  if (patch.officePhone !== undefined) out.office_phone = patch.officePhone;
  if (patch.enabled !== undefined) out.enabled = toFlag(patch.enabled);
  if (patch.passwordHash !== undefined) out.password_hash = patch.passwordHash;
  if (patch.passwordChangedAt !== undefined) out.password_changed_at = toMsOrNull(patch.passwordChangedAt);
  if (patch.mustChangePassword !== undefined) out.must_change_password = toFlag(patch.mustChangePassword);
  if (patch.lockedAt !== undefined) out.locked_at = toMsOrNull(patch.lockedAt);
  if (patch.failedLogins !== undefined) out.failed_logins = patch.failedLogins;
  if (patch.updatedAt !== undefined) out.updated_at = toMs(patch.updatedAt);
  return out;
}

export function createBuiltinDirectoryStore({ db }: SqlContext): BuiltinDirectoryStore {
  return {
    async insertUser(row) {
      await db
        .insertInto("builtin_users")
        .values({
          id: row.id,
          user_name: row.userName,
          user_name_key: row.userName.toLowerCase(),
          display_name: row.displayName,
          email: row.email,
          email_key: lowerOrNull(row.email),
          mobile: row.mobile,
          office_phone: row.officePhone,
          enabled: toFlag(row.enabled),
          password_hash: row.passwordHash,
          password_changed_at: toMsOrNull(row.passwordChangedAt),
          must_change_password: toFlag(row.mustChangePassword),
          locked_at: toMsOrNull(row.lockedAt),
          failed_logins: row.failedLogins,
          created_at: toMs(row.createdAt),
          updated_at: toMs(row.updatedAt),
        })
        .execute();
    },

    async updateUser(id, patch) {
      const columns = userPatchColumns(patch);
      if (Object.keys(columns).length === 0) return;
      await db.updateTable("builtin_users").set(columns).where("id", "=", id).execute();
    },

    async getUser(id) {
      const row = await db.selectFrom("builtin_users").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : userFromRow(row);
    },

    async findUser(identifier) {
      const key = identifier.trim().toLowerCase();
      if (key === "") return null;
      const byName = await db
        .selectFrom("builtin_users")
        .selectAll()
        .where("user_name_key", "=", key)
        .executeTakeFirst();
      if (byName !== undefined) return userFromRow(byName);
      // An email shared by two accounts identifies neither.
      const byEmail = await db.selectFrom("builtin_users").selectAll().where("email_key", "=", key).limit(2).execute();
      return byEmail.length === 1 && byEmail[0] !== undefined ? userFromRow(byEmail[0]) : null;
    },

    async listUsers({ search, offset, limit }) {
      let query = db.selectFrom("builtin_users");
      const term = search?.trim() ?? "";
      if (term !== "") {
        const pattern = likeContains(term);
        query = query.where((eb) =>
          eb.or([
            sql<boolean>`user_name_key like ${pattern} escape '\\'`,
            sql<boolean>`lower(display_name) like ${pattern} escape '\\'`,
            sql<boolean>`email_key like ${pattern} escape '\\'`,
          ]),
        );
      }
      const [rows, total] = await Promise.all([
        query.selectAll().orderBy("user_name_key").offset(offset).limit(limit).execute(),
        query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return { rows: rows.map(userFromRow), total: toCount(total?.n) };
    },

    async setPassword(id, hash, { at, mustChange, keepHistory, historyEntry }) {
      await inTransaction(db, async (trx) => {
        const previous = await trx
          .selectFrom("builtin_users")
          .select("password_hash")
          .where("id", "=", id)
          .executeTakeFirst();
        if (previous === undefined) return;
        await trx
          .updateTable("builtin_users")
          .set({
            password_hash: hash,
            password_changed_at: toMs(at),
            must_change_password: toFlag(mustChange),
            locked_at: null,
            failed_logins: 0,
            updated_at: toMs(at),
          })
          .where("id", "=", id)
          .execute();
        const entry = historyEntry ?? previous.password_hash;
        if (entry !== null && keepHistory > 0) {
          await trx
            .insertInto("builtin_password_history")
            .values({ user_id: id, hash: entry, at: toMs(at) })
            .execute();
        }
        // Keep the newest `keepHistory` previous hashes (REQ: password history), drop the rest.
        let prune = trx.deleteFrom("builtin_password_history").where("user_id", "=", id);
        if (keepHistory > 0) {
          const keep = trx
            .selectFrom("builtin_password_history")
            .select("seq")
            .where("user_id", "=", id)
            .orderBy("seq", "desc")
            .limit(keepHistory);
          prune = prune.where("seq", "not in", keep);
        }
        await prune.execute();
      });
    },

    async passwordHistory(id, limit) {
      const rows = await db
        .selectFrom("builtin_password_history")
        .select("hash")
        .where("user_id", "=", id)
        .orderBy("seq", "desc")
        .limit(limit)
        .execute();
      return rows.map((r) => r.hash);
    },

    async insertGroup(row) {
      await db
        .insertInto("builtin_groups")
        .values({
          id: row.id,
          name: row.name,
          name_key: row.name.toLowerCase(),
          description: row.description,
          created_at: toMs(row.createdAt),
        })
        .execute();
    },

    async getGroup(id) {
      const row = await db.selectFrom("builtin_groups").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : groupFromRow(row);
    },

    async findGroupByName(name) {
      const row = await db
        .selectFrom("builtin_groups")
        .selectAll()
        .where("name_key", "=", name.trim().toLowerCase())
        .executeTakeFirst();
      return row === undefined ? null : groupFromRow(row);
    },

    async listGroups() {
      const rows = await db.selectFrom("builtin_groups").selectAll().orderBy("name_key").execute();
      return rows.map(groupFromRow);
    },

    async addMember(groupId, member) {
      try {
        await db
          .insertInto("builtin_group_members")
          .values({ group_id: groupId, member_kind: member.kind, member_id: member.id })
          .onConflict((oc) => oc.columns(["group_id", "member_kind", "member_id"]).doNothing())
          .execute();
      } catch (error) {
        if (isForeignKeyViolation(error)) throw new AppError("GROUP_NOT_FOUND", { cause: error });
        throw error;
      }
    },

    async removeMember(groupId, member) {
      await db
        .deleteFrom("builtin_group_members")
        .where("group_id", "=", groupId)
        .where("member_kind", "=", member.kind)
        .where("member_id", "=", member.id)
        .execute();
    },

    async members(groupId) {
      const rows = await db
        .selectFrom("builtin_group_members")
        .select(["member_kind", "member_id"])
        .where("group_id", "=", groupId)
        .orderBy("member_kind")
        .orderBy("member_id")
        .execute();
      return rows.map((r) => ({ kind: r.member_kind as "user" | "group", id: r.member_id }));
    },

    async parentGroups(member) {
      const rows = await db
        .selectFrom("builtin_group_members")
        .select("group_id")
        .where("member_kind", "=", member.kind)
        .where("member_id", "=", member.id)
        .orderBy("group_id")
        .execute();
      return rows.map((r) => r.group_id);
    },
  };
}
