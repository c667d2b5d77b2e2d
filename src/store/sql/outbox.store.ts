/** The durable outbox (claimed with SKIP LOCKED on PostgreSQL), the dev mailbox, and settings. */
import type { DevMailboxRow, DevMailboxStore, OutboxRow, OutboxStore, SettingsStore } from "../types.ts";
import { fromJson, fromMs, fromMsOrNull, toCount, toJson, toMs, toMsOrNull } from "./codec.ts";
import type { SqlContext } from "./context.ts";
import type { DevMailboxTable, OutboxTable } from "./schema.ts";

function outboxFromRow(r: OutboxTable): OutboxRow {
  return {
    id: r.id,
    channel: r.channel as OutboxRow["channel"],
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    html: r.html,
    template: r.template,
    status: r.status as OutboxRow["status"],
    attempts: Number(r.attempts),
    nextAttemptAt: fromMs(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: fromMs(r.created_at),
    sentAt: fromMsOrNull(r.sent_at),
    campaignId: r.campaign_id,
  };
}

const OUTBOX_STATUSES: OutboxRow["status"][] = ["queued", "sending", "sent", "failed"];

export function createOutboxStore({ db, dialect }: SqlContext): OutboxStore {
  return {
    async enqueue(row) {
      await db
        .insertInto("outbox")
        .values({
          id: row.id,
          channel: row.channel,
          recipient: row.recipient,
          subject: row.subject,
          body: row.body,
          html: row.html,
          template: row.template,
          status: row.status,
          attempts: row.attempts,
          next_attempt_at: toMs(row.nextAttemptAt),
          last_error: row.lastError,
          created_at: toMs(row.createdAt),
          sent_at: toMsOrNull(row.sentAt),
          campaign_id: row.campaignId,
          claimed_at: null,
        })
        .execute();
    },

    async claimDue(at, limit) {
      if (limit <= 0) return [];
      const now = toMs(at);
      const due = db
        .selectFrom("outbox")
        .select("id")
        .where("status", "=", "queued")
        .where("next_attempt_at", "<=", now)
        .orderBy("next_attempt_at")
        .orderBy("id")
        .limit(limit);
      let rows: OutboxTable[];
      if (dialect === "postgres") {
        // Two instances claiming at once skip each other's locked rows instead of sending twice. The CTE is
        // materialised: inside `IN (…)` PostgreSQL may re-run a LIMIT … SKIP LOCKED subquery and claim more.
        rows = await db
          .with(
            (cte) => cte("due").materialized(),
            () => due.forUpdate().skipLocked(),
          )
          .updateTable("outbox")
          .from("due")
          .set((eb) => ({ status: "sending", claimed_at: now, attempts: eb("outbox.attempts", "+", 1) }))
          .whereRef("outbox.id", "=", "due.id")
          .where("outbox.status", "=", "queued")
          .returningAll("outbox")
          .execute();
      } else {
        // SQLite has one writer at a time: a single UPDATE is already atomic.
        rows = await db
          .updateTable("outbox")
          .set((eb) => ({ status: "sending", claimed_at: now, attempts: eb("attempts", "+", 1) }))
          .where("id", "in", due)
          .where("status", "=", "queued")
          .returningAll()
          .execute();
      }
      return rows
        .map(outboxFromRow)
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1));
    },

    async markSent(id, at) {
      // The body may hold a code: it is not kept once delivered.
      await db
        .updateTable("outbox")
        .set({ status: "sent", sent_at: toMs(at), body: "", html: null, last_error: null, claimed_at: null })
        .where("id", "=", id)
        .execute();
    },

    async markFailed(id, { error, nextAttemptAt, final }) {
      await db
        .updateTable("outbox")
        .set(
          final
            ? { status: "failed", last_error: error, body: "", html: null, claimed_at: null }
            : { status: "queued", last_error: error, next_attempt_at: toMs(nextAttemptAt), claimed_at: null },
        )
        .where("id", "=", id)
        .execute();
    },

    async requeueStale(before) {
      const result = await db
        .updateTable("outbox")
        .set({ status: "queued", claimed_at: null })
        .where("status", "=", "sending")
        .where("claimed_at", "<", toMs(before))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async list({ status, offset, limit }) {
      let query = db.selectFrom("outbox");
      if (status !== undefined) query = query.where("status", "=", status);
      const [rows, total] = await Promise.all([
        query.selectAll().orderBy("created_at", "desc").orderBy("id", "desc").offset(offset).limit(limit).execute(),
        query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return { rows: rows.map(outboxFromRow), total: toCount(total?.n) };
    },

    async counts({ campaignId }) {
      let query = db.selectFrom("outbox").select(["status", (eb) => eb.fn.countAll().as("n")]);
      if (campaignId !== undefined) query = query.where("campaign_id", "=", campaignId);
      const rows = await query.groupBy("status").execute();
      const out = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxRow["status"], number>;
      for (const r of rows) {
        if ((OUTBOX_STATUSES as string[]).includes(r.status)) out[r.status as OutboxRow["status"]] = toCount(r.n);
      }
      return out;
    },
  };
}

function devFromRow(r: DevMailboxTable): DevMailboxRow {
  return {
    id: r.id,
    channel: r.channel as DevMailboxRow["channel"],
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    html: r.html,
    deliveredAt: fromMs(r.delivered_at),
  };
}

export function createDevMailboxStore({ db }: SqlContext): DevMailboxStore {
  return {
    async insert(row) {
      await db
        .insertInto("dev_mailbox")
        .values({
          id: row.id,
          channel: row.channel,
          recipient: row.recipient,
          recipient_key: row.recipient.trim().toLowerCase(),
          subject: row.subject,
          body: row.body,
          html: row.html,
          delivered_at: toMs(row.deliveredAt),
        })
        .execute();
    },

    async list({ recipient, offset, limit }) {
      let query = db.selectFrom("dev_mailbox");
      if (recipient !== undefined) query = query.where("recipient_key", "=", recipient.trim().toLowerCase());
      const [rows, total] = await Promise.all([
        query.selectAll().orderBy("delivered_at", "desc").orderBy("id", "desc").offset(offset).limit(limit).execute(),
        query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return { rows: rows.map(devFromRow), total: toCount(total?.n) };
    },

    async get(id) {
      const row = await db.selectFrom("dev_mailbox").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : devFromRow(row);
    },
  };
}

export function createSettingsStore({ db }: SqlContext): SettingsStore {
  return {
    async get<T>(key: string): Promise<T | null> {
      const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
      return row === undefined ? null : fromJson<T>(row.value);
    },

    async set(key, value, at) {
      const text = toJson(value);
      await db
        .insertInto("settings")
        .values({ key, value: text, updated_at: toMs(at) })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: text, updated_at: toMs(at) }))
        .execute();
    },

    async setIfAbsent(key, value, at) {
      const row = await db
        .insertInto("settings")
        .values({ key, value: toJson(value), updated_at: toMs(at) })
        .onConflict((oc) => oc.column("key").doNothing())
        .returning("key")
        .executeTakeFirst();
      return row !== undefined;
    },

    async delete(key) {
      await db.deleteFrom("settings").where("key", "=", key).execute();
    },
  };
}
