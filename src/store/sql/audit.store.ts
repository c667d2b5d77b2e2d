/**
 * The append-only audit log with its hash chain (REQ-112). Appends are serialised on the chain-head row:
 * the first statement of the transaction is an UPDATE of that row, which takes SQLite's write lock and
 * PostgreSQL's row lock at once, so two instances can never chain onto the same previous hash.
 */
import { sql } from "kysely";
import type { AuditRow, AuditStore } from "../types.ts";
import { type AuditChainVerdict, auditRowHash, verifyAuditChain } from "./audit-chain.ts";
import { fromJson, fromMs, toCount, toJson, toMs } from "./codec.ts";
import { inTransaction, type SqlContext } from "./context.ts";
import type { AuditTable } from "./schema.ts";

function fromRow(r: AuditTable): AuditRow {
  return {
    id: r.id,
    at: fromMs(r.at),
    activity: r.activity,
    service: r.service as AuditRow["service"],
    outcome: r.outcome as AuditRow["outcome"],
    reason: r.reason,
    actorId: r.actor_id,
    actorName: r.actor_name,
    targetId: r.target_id,
    targetName: r.target_name,
    ip: r.ip,
    userAgent: r.user_agent,
    correlationId: r.correlation_id,
    details: fromJson<Record<string, unknown>>(r.details),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Extra audit operations of the SQL store (used by `doctor` and the admin audit page). */
export interface SqlAuditStore extends AuditStore {
  /** Reads the whole chain in order and verifies it against the stored head and retention anchor. */
  verifyChain(): Promise<AuditChainVerdict>;
}

export function createAuditStore({ db }: SqlContext): SqlAuditStore {
  return {
    async append(input) {
      // What is hashed must be exactly what is read back: details go through JSON once here.
      const details = fromJson<Record<string, unknown>>(toJson(input.details ?? {}));
      const base = { ...input, details };
      return inTransaction(db, async (trx) => {
        const head = await trx
          .updateTable("audit_chain")
          .set((eb) => ({ seq: eb("seq", "+", 1) }))
          .where("id", "=", 1)
          .returning(["seq", "hash"])
          .executeTakeFirstOrThrow();
        const prevHash = head.hash;
        const hash = auditRowHash(prevHash, base);
        await trx
          .insertInto("audit_log")
          .values({
            seq: Number(head.seq),
            id: base.id,
            at: toMs(base.at),
            activity: base.activity,
            service: base.service,
            outcome: base.outcome,
            reason: base.reason,
            actor_id: base.actorId,
            actor_name: base.actorName,
            target_id: base.targetId,
            target_name: base.targetName,
            ip: base.ip,
            user_agent: base.userAgent,
            correlation_id: base.correlationId,
            details: toJson(details),
            prev_hash: prevHash,
            hash,
          })
          .execute();
        await trx.updateTable("audit_chain").set({ hash }).where("id", "=", 1).execute();
        return { ...base, prevHash, hash };
      });
    },

    async query(q) {
      let query = db.selectFrom("audit_log");
      if (q.from !== undefined) query = query.where("at", ">=", toMs(q.from));
      if (q.to !== undefined) query = query.where("at", "<=", toMs(q.to));
      if (q.activity !== undefined) query = query.where("activity", "=", q.activity);
      if (q.outcome !== undefined) query = query.where("outcome", "=", q.outcome);
      if (q.correlationId !== undefined) query = query.where("correlation_id", "=", q.correlationId);
      const user = q.user?.trim();
      if (user !== undefined && user !== "") {
        const lower = user.toLowerCase();
        query = query.where((eb) =>
          eb.or([
            eb("actor_id", "=", user),
            eb("target_id", "=", user),
            eb(sql`lower(actor_name)`, "=", lower),
            eb(sql`lower(target_name)`, "=", lower),
          ]),
        );
      }
      const [rows, total] = await Promise.all([
        query.selectAll().orderBy("at", "desc").orderBy("seq", "desc").offset(q.offset).limit(q.limit).execute(),
        query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return { rows: rows.map(fromRow), total: toCount(total?.n) };
    },

    async deleteOlderThan(before) {
      return inTransaction(db, async (trx) => {
        // Lock the head first (same order as append), then remember where the kept chain now starts.
        await trx
          .updateTable("audit_chain")
          .set((eb) => ({ seq: eb("seq", "+", 0) }))
          .where("id", "=", 1)
          .execute();
        // Retention removes a prefix of the chain only, so what is kept still verifies from one anchor.
        const firstKept = await trx
          .selectFrom("audit_log")
          .select((eb) => eb.fn.min("seq").as("seq"))
          .where("at", ">=", toMs(before))
          .executeTakeFirst();
        let prune = trx.deleteFrom("audit_log");
        if (firstKept?.seq !== null && firstKept?.seq !== undefined)
          prune = prune.where("seq", "<", Number(firstKept.seq));
        const deleted = Number((await prune.executeTakeFirst()).numDeletedRows);
        if (deleted > 0) {
          const oldest = await trx
            .selectFrom("audit_log")
            .select("prev_hash")
            .orderBy("seq")
            .limit(1)
            .executeTakeFirst();
          const head = await trx.selectFrom("audit_chain").select("hash").where("id", "=", 1).executeTakeFirstOrThrow();
          await trx
            .updateTable("audit_chain")
            .set({ anchor: oldest?.prev_hash ?? head.hash })
            .where("id", "=", 1)
            .execute();
        }
        return deleted;
      });
    },

    async verifyChain() {
      // Head first, then only the rows it covers: appends racing this read do not look like tampering.
      const head = await db
        .selectFrom("audit_chain")
        .select(["seq", "hash", "anchor"])
        .where("id", "=", 1)
        .executeTakeFirstOrThrow();
      const rows = await db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", "<=", Number(head.seq))
        .orderBy("seq")
        .execute();
      return verifyAuditChain(rows.map(fromRow), { anchor: head.anchor, head: head.hash });
    },
  };
}
