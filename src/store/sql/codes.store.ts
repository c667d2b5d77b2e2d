/**
 * One-time codes. Redeeming is race-safe by construction (STYLE rule 5, REQ on attempt caps): the attempt
 * is counted by one conditional UPDATE before any comparison, the digest is compared in constant time, and
 * consumption is a second UPDATE guarded by `consumed_at IS NULL`, so N concurrent submissions of the right
 * code redeem it once and the (N+1)th guess past the cap never reaches a comparison.
 */
import { safeEqual } from "../../kernel/secrets.ts";
import type { CodeStore, RedeemResult } from "../types.ts";
import { toMs } from "./codec.ts";
import { inTransaction, type SqlContext } from "./context.ts";

export function createCodeStore({ db }: SqlContext): CodeStore {
  return {
    async issue(row) {
      await inTransaction(db, async (trx) => {
        // Superseded codes are marked consumed, so only the newest code of a purpose can ever redeem.
        await trx
          .updateTable("codes")
          .set({ consumed_at: toMs(row.createdAt) })
          .where("purpose", "=", row.purpose)
          .where("consumed_at", "is", null)
          .execute();
        await trx
          .insertInto("codes")
          .values({
            id: row.id,
            purpose: row.purpose,
            digest: row.digest,
            expires_at: toMs(row.expiresAt),
            attempts: row.attempts,
            max_attempts: row.maxAttempts,
            consumed_at: row.consumedAt === null ? null : toMs(row.consumedAt),
            created_at: toMs(row.createdAt),
          })
          .execute();
      });
    },

    async redeem(purpose, digest, at): Promise<RedeemResult> {
      const now = toMs(at);
      // 1. Count the attempt atomically, on the newest live code only.
      const newestLive = db
        .selectFrom("codes")
        .select("id")
        .where("purpose", "=", purpose)
        .where("consumed_at", "is", null)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(1);
      const counted = await db
        .updateTable("codes")
        .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
        .where("id", "=", newestLive)
        .where("consumed_at", "is", null)
        .where((eb) => eb("attempts", "<", eb.ref("max_attempts")))
        .where("expires_at", ">", now)
        .returning(["id", "digest", "attempts", "max_attempts"])
        .executeTakeFirst();

      if (counted === undefined) {
        // No attempt was counted: say why, from the newest code of the purpose.
        const latest = await db
          .selectFrom("codes")
          .select(["consumed_at", "attempts", "max_attempts", "expires_at"])
          .where("purpose", "=", purpose)
          .orderBy("created_at", "desc")
          .orderBy("id", "desc")
          .limit(1)
          .executeTakeFirst();
        if (latest === undefined || latest.consumed_at !== null) return { kind: "not_found" };
        if (Number(latest.attempts) >= Number(latest.max_attempts)) return { kind: "exhausted" };
        return { kind: "expired" };
      }

      // 2. Constant-time comparison of the digests.
      if (!safeEqual(counted.digest, digest)) {
        return { kind: "mismatch", attemptsLeft: Math.max(0, Number(counted.max_attempts) - Number(counted.attempts)) };
      }

      // 3. Consume once: a concurrent redeem (or a newer issue) that got here first leaves nothing to update.
      const consumed = await db
        .updateTable("codes")
        .set({ consumed_at: now })
        .where("id", "=", counted.id)
        .where("consumed_at", "is", null)
        .executeTakeFirst();
      return Number(consumed.numUpdatedRows) === 1 ? { kind: "redeemed" } : { kind: "not_found" };
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom("codes").where("expires_at", "<", toMs(before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
