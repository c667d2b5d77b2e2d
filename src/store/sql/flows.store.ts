/** Flow state (optimistic concurrency by version) and portal/admin sessions. */
import type { FlowRow, FlowStore, SessionRow, SessionStore } from "../types.ts";
import { fromJson, fromMs, toJson, toMs } from "./codec.ts";
import type { SqlContext } from "./context.ts";
import type { FlowsTable, SessionsTable } from "./schema.ts";

function flowFromRow(r: FlowsTable): FlowRow {
  return {
    id: r.id,
    kind: r.kind as FlowRow["kind"],
    state: r.state,
    data: fromJson<Record<string, unknown>>(r.data),
    version: Number(r.version),
    createdAt: fromMs(r.created_at),
    expiresAt: fromMs(r.expires_at),
    updatedAt: fromMs(r.updated_at),
  };
}

export function createFlowStore({ db }: SqlContext): FlowStore {
  return {
    async insert(row) {
      await db
        .insertInto("flows")
        .values({
          id: row.id,
          kind: row.kind,
          state: row.state,
          data: toJson(row.data),
          version: row.version,
          created_at: toMs(row.createdAt),
          expires_at: toMs(row.expiresAt),
          updated_at: toMs(row.updatedAt),
        })
        .execute();
    },

    async get(id) {
      const row = await db.selectFrom("flows").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : flowFromRow(row);
    },

    async update(id, expectedVersion, patch) {
      const result = await db
        .updateTable("flows")
        .set((eb) => ({
          state: patch.state,
          data: toJson(patch.data),
          updated_at: toMs(patch.updatedAt),
          version: eb("version", "+", 1),
        }))
        .where("id", "=", id)
        .where("version", "=", expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom("flows").where("expires_at", "<", toMs(before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function sessionFromRow(r: SessionsTable): SessionRow {
  return {
    idDigest: r.id_digest,
    userId: r.user_id,
    kind: r.kind as SessionRow["kind"],
    data: fromJson<Record<string, unknown>>(r.data),
    createdAt: fromMs(r.created_at),
    expiresAt: fromMs(r.expires_at),
    lastSeenAt: fromMs(r.last_seen_at),
  };
}

export function createSessionStore({ db }: SqlContext): SessionStore {
  return {
    async insert(row) {
      await db
        .insertInto("sessions")
        .values({
          id_digest: row.idDigest,
          user_id: row.userId,
          kind: row.kind,
          data: toJson(row.data),
          created_at: toMs(row.createdAt),
          expires_at: toMs(row.expiresAt),
          last_seen_at: toMs(row.lastSeenAt),
        })
        .execute();
    },

    async get(idDigest) {
      const row = await db.selectFrom("sessions").selectAll().where("id_digest", "=", idDigest).executeTakeFirst();
      return row === undefined ? null : sessionFromRow(row);
    },

    async touch(idDigest, { at, expiresAt, data }) {
      const set: Partial<SessionsTable> = { last_seen_at: toMs(at), expires_at: toMs(expiresAt) };
      if (data !== undefined) set.data = toJson(data);
      await db.updateTable("sessions").set(set).where("id_digest", "=", idDigest).execute();
    },

    async delete(idDigest) {
      await db.deleteFrom("sessions").where("id_digest", "=", idDigest).execute();
    },

    async deleteForUser(userId) {
      const result = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom("sessions").where("expires_at", "<", toMs(before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
