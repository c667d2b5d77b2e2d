/** Versioned SSPR policy documents: every save is a new row, never an update. */
import { AppError } from "../../errors/app-error.ts";
import type { PolicyStore, PolicyVersionRow } from "../types.ts";
import { fromJson, fromMs, toJson, toMs } from "./codec.ts";
import { inTransaction, type SqlContext } from "./context.ts";
import { isUniqueViolation } from "./errors.ts";
import type { PolicyVersionsTable } from "./schema.ts";

function fromRow(r: PolicyVersionsTable): PolicyVersionRow {
  return {
    version: Number(r.version),
    document: fromJson<unknown>(r.document),
    createdAt: fromMs(r.created_at),
    createdBy: r.created_by,
  };
}

export function createPolicyStore({ db }: SqlContext): PolicyStore {
  return {
    async current() {
      const row = await db
        .selectFrom("policy_versions")
        .selectAll()
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async save(document, { expectedVersion, at, by }) {
      const row: PolicyVersionsTable = {
        version: expectedVersion + 1,
        document: toJson(document),
        created_at: toMs(at),
        created_by: by,
      };
      try {
        return await inTransaction(db, async (trx) => {
          const head = await trx
            .selectFrom("policy_versions")
            .select((eb) => eb.fn.max("version").as("v"))
            .executeTakeFirst();
          // Two admins saving on top of the same version: the primary key lets exactly one insert win;
          // the max() check also refuses a save based on a version that is not the newest.
          if (Number(head?.v ?? 0) !== expectedVersion) throw new AppError("VERSION_CONFLICT");
          await trx.insertInto("policy_versions").values(row).execute();
          return fromRow(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError("VERSION_CONFLICT", { cause: error });
        throw error;
      }
    },

    async history(limit) {
      const rows = await db.selectFrom("policy_versions").selectAll().orderBy("version", "desc").limit(limit).execute();
      return rows.map(fromRow);
    },
  };
}
