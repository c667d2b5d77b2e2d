import type { Kysely, Transaction } from "kysely";
import type { Database, Dialect } from "./schema.ts";

/** What every SQL store is built from: a Kysely handle (the pool, or a transaction) and its dialect. */
export interface SqlContext {
  db: Kysely<Database>;
  dialect: Dialect;
}

/**
 * Runs `fn` in a transaction, or directly when `db` already is one (a store called from inside
 * `Stores.transaction` joins the caller's transaction; Kysely has no nested transactions).
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<Database>) => fn(trx));
}
