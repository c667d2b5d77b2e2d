/** Sliding-window throttle events, blocks (audited once per block) and single-use nonces. */
import { sql } from "kysely";
import type { NonceStore, ThrottleStore } from "../types.ts";
import { fromMs, likePrefix, toCount, toMs } from "./codec.ts";
import type { SqlContext } from "./context.ts";

export function createThrottleStore({ db }: SqlContext): ThrottleStore {
  async function count(key: string, windowStart: Date): Promise<number> {
    const row = await db
      .selectFrom("throttle_events")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("key", "=", key)
      .where("at", ">=", toMs(windowStart))
      .executeTakeFirst();
    return toCount(row?.n);
  }

  return {
    async hit(key, at, windowStart) {
      await db
        .insertInto("throttle_events")
        .values({ key, at: toMs(at) })
        .execute();
      return count(key, windowStart);
    },

    count,

    async clear(prefix) {
      await db
        .deleteFrom("throttle_events")
        .where(sql<boolean>`${sql.ref("key")} like ${likePrefix(prefix)} escape '\\'`)
        .execute();
    },

    async block(key, { until, reason, at }) {
      // Insert, or take over an expired block; an unexpired one stays and nothing comes back.
      const row = await db
        .insertInto("throttle_blocks")
        .values({ key, until: toMs(until), reason, created_at: toMs(at) })
        .onConflict((oc) =>
          oc
            .column("key")
            .doUpdateSet({ until: toMs(until), reason, created_at: toMs(at) })
            .where("throttle_blocks.until", "<=", toMs(at)),
        )
        .returning("key")
        .executeTakeFirst();
      return row !== undefined;
    },

    async blockedUntil(key, at) {
      const row = await db
        .selectFrom("throttle_blocks")
        .select(["until", "reason"])
        .where("key", "=", key)
        .where("until", ">", toMs(at))
        .executeTakeFirst();
      return row === undefined ? null : { until: fromMs(row.until), reason: row.reason };
    },

    async unblock(key) {
      await db.deleteFrom("throttle_blocks").where("key", "=", key).execute();
    },

    async listBlocks(at) {
      const rows = await db
        .selectFrom("throttle_blocks")
        .selectAll()
        .where("until", ">", toMs(at))
        .orderBy("created_at", "desc")
        .orderBy("key")
        .execute();
      return rows.map((r) => ({
        key: r.key,
        until: fromMs(r.until),
        reason: r.reason,
        createdAt: fromMs(r.created_at),
      }));
    },

    async deleteOlderThan(before) {
      const events = await db.deleteFrom("throttle_events").where("at", "<", toMs(before)).executeTakeFirst();
      const blocks = await db.deleteFrom("throttle_blocks").where("until", "<", toMs(before)).executeTakeFirst();
      return Number(events.numDeletedRows) + Number(blocks.numDeletedRows);
    },
  };
}

export function createNonceStore({ db }: SqlContext): NonceStore {
  return {
    async useOnce(key, expiresAt) {
      // The primary key decides: the first insert wins, every later one (even concurrent) inserts nothing.
      const row = await db
        .insertInto("nonces")
        .values({ key, expires_at: toMs(expiresAt) })
        .onConflict((oc) => oc.column("key").doNothing())
        .returning("key")
        .executeTakeFirst();
      return row !== undefined;
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom("nonces").where("expires_at", "<", toMs(before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
