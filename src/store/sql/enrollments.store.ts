/** Registered security info (enrollments) and per-user registration bookkeeping. */
import type {
  EnrollmentRow,
  EnrollmentStore,
  MethodId,
  RegistrationStateRow,
  RegistrationStateStore,
} from "../types.ts";
import { fromJson, fromMs, fromMsOrNull, toCount, toJson, toMs, toMsOrNull } from "./codec.ts";
import type { SqlContext } from "./context.ts";
import type { EnrollmentsTable, RegistrationStateTable } from "./schema.ts";

function enrollmentFromRow(r: EnrollmentsTable): EnrollmentRow {
  return {
    id: r.id,
    userId: r.user_id,
    method: r.method as MethodId,
    label: r.label,
    data: fromJson<Record<string, unknown>>(r.data),
    secret: r.secret,
    status: r.status as EnrollmentRow["status"],
    source: r.source as EnrollmentRow["source"],
    createdAt: fromMs(r.created_at),
    confirmedAt: fromMsOrNull(r.confirmed_at),
    lastUsedAt: fromMsOrNull(r.last_used_at),
  };
}

export function createEnrollmentStore({ db }: SqlContext): EnrollmentStore {
  return {
    async insert(row) {
      await db
        .insertInto("enrollments")
        .values({
          id: row.id,
          user_id: row.userId,
          method: row.method,
          label: row.label,
          data: toJson(row.data),
          secret: row.secret,
          status: row.status,
          source: row.source,
          created_at: toMs(row.createdAt),
          confirmed_at: toMsOrNull(row.confirmedAt),
          last_used_at: toMsOrNull(row.lastUsedAt),
        })
        .execute();
    },

    async update(id, patch) {
      const set: Partial<EnrollmentsTable> = {};
      if (patch.label !== undefined) set.label = patch.label;
      if (patch.data !== undefined) set.data = toJson(patch.data);
      if (patch.secret !== undefined) set.secret = patch.secret;
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.confirmedAt !== undefined) set.confirmed_at = toMsOrNull(patch.confirmedAt);
      if (patch.lastUsedAt !== undefined) set.last_used_at = toMsOrNull(patch.lastUsedAt);
      if (Object.keys(set).length === 0) return;
      await db.updateTable("enrollments").set(set).where("id", "=", id).execute();
    },

    async get(id) {
      const row = await db.selectFrom("enrollments").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : enrollmentFromRow(row);
    },

    async listForUser(userId) {
      const rows = await db
        .selectFrom("enrollments")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(enrollmentFromRow);
    },

    async delete(id) {
      await db.deleteFrom("enrollments").where("id", "=", id).execute();
    },

    async deleteForUser(userId, method) {
      let query = db.deleteFrom("enrollments").where("user_id", "=", userId);
      if (method !== undefined) query = query.where("method", "=", method);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async countByMethod() {
      const rows = await db
        .selectFrom("enrollments")
        .select(["method", (eb) => eb.fn.countAll().as("n")])
        .where("status", "=", "active")
        .groupBy("method")
        .execute();
      const out: Record<string, number> = {};
      for (const r of rows) out[r.method] = toCount(r.n);
      return out;
    },
  };
}

function registrationFromRow(r: RegistrationStateTable): RegistrationStateRow {
  return {
    userId: r.user_id,
    registeredAt: fromMsOrNull(r.registered_at),
    reviewedAt: fromMsOrNull(r.reviewed_at),
    updatedAt: fromMs(r.updated_at),
  };
}

export function createRegistrationStateStore({ db }: SqlContext): RegistrationStateStore {
  return {
    async get(userId) {
      const row = await db
        .selectFrom("registration_state")
        .selectAll()
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return row === undefined ? null : registrationFromRow(row);
    },

    async upsert(row) {
      const values = {
        user_id: row.userId,
        registered_at: toMsOrNull(row.registeredAt),
        reviewed_at: toMsOrNull(row.reviewedAt),
        updated_at: toMs(row.updatedAt),
      };
      await db
        .insertInto("registration_state")
        .values(values)
        .onConflict((oc) =>
          oc.column("user_id").doUpdateSet({
            registered_at: values.registered_at,
            reviewed_at: values.reviewed_at,
            updated_at: values.updated_at,
          }),
        )
        .execute();
    },

    async list({ offset, limit }) {
      const rows = await db
        .selectFrom("registration_state")
        .selectAll()
        .orderBy("user_id")
        .offset(offset)
        .limit(limit)
        .execute();
      return rows.map(registrationFromRow);
    },
  };
}
