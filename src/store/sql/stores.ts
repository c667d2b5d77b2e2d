/**
 * The SQL implementation of every store (`Stores`), on SQLite (default) or PostgreSQL. Opening runs the
 * migrations, so a fresh data directory or an empty database is ready to use.
 */
import type { Kysely } from "kysely";
import { AppError } from "../../errors/app-error.ts";
import type { Logger } from "../../kernel/logger.ts";
import type { Stores } from "../types.ts";
import { createAuditStore } from "./audit.store.ts";
import type { AuditChainVerdict } from "./audit-chain.ts";
import { createBuiltinDirectoryStore } from "./builtin.store.ts";
import { createCodeStore } from "./codes.store.ts";
import { openConnection } from "./connect.ts";
import type { SqlContext } from "./context.ts";
import { createEnrollmentStore, createRegistrationStateStore } from "./enrollments.store.ts";
import { guarded, translateStoreError } from "./errors.ts";
import { createFlowStore, createSessionStore } from "./flows.store.ts";
import {
  type MigrationReport,
  migrateToLatest,
  type SchemaVersionInfo,
  schemaVersionInfo,
  selectOne,
} from "./migrations.ts";
import { createDevMailboxStore, createOutboxStore, createSettingsStore } from "./outbox.store.ts";
import { createPolicyStore } from "./policy.store.ts";
import type { Database, Dialect } from "./schema.ts";
import { createNonceStore, createThrottleStore } from "./throttles.store.ts";

export { verifyAuditChain } from "./audit-chain.ts";
export type { AuditChainVerdict, MigrationReport, SchemaVersionInfo };

export interface SqlStoreOptions {
  /** `database.url`: empty for `<dataDir>/opensspr.db`, `sqlite::memory:`, `sqlite:<path>`, or `postgres://…`. */
  url: string;
  dataDir: string;
  log?: Logger;
  /**
   * Apply pending migrations while opening.
   * @default true
   */
  migrate?: boolean;
}

/** `Stores` plus what only the SQL implementation can answer (for `doctor`, the CLI and tests). */
export interface SqlStores extends Stores {
  readonly dialect: Dialect;
  /** Database file or URL without credentials. */
  readonly location: string;
  /** Applied and pending migrations. */
  schemaVersion(): Promise<SchemaVersionInfo>;
  /** Re-reads the audit chain and checks every link (REQ-112). */
  verifyAuditChain(): Promise<AuditChainVerdict>;
  /** The underlying Kysely handle: for tests and one-off maintenance, never for domain code. */
  readonly db: Kysely<Database>;
}

type TransactionStores = Omit<Stores, "transaction" | "close" | "ping">;

function buildStores(context: SqlContext): TransactionStores & { audit: ReturnType<typeof createAuditStore> } {
  return {
    builtin: guarded(createBuiltinDirectoryStore(context)),
    policy: guarded(createPolicyStore(context)),
    enrollments: guarded(createEnrollmentStore(context)),
    registrations: guarded(createRegistrationStateStore(context)),
    codes: guarded(createCodeStore(context)),
    flows: guarded(createFlowStore(context)),
    sessions: guarded(createSessionStore(context)),
    throttles: guarded(createThrottleStore(context)),
    nonces: guarded(createNonceStore(context)),
    audit: guarded(createAuditStore(context)),
    outbox: guarded(createOutboxStore(context)),
    devMailbox: guarded(createDevMailboxStore(context)),
    settings: guarded(createSettingsStore(context)),
  };
}

export async function createSqlStores(options: SqlStoreOptions): Promise<SqlStores> {
  const connection = openConnection({ url: options.url, dataDir: options.dataDir });
  const { db, dialect, location } = connection;
  try {
    await selectOne(db);
    if (options.migrate !== false) {
      const report = await migrateToLatest(db, dialect);
      if (report.applied.length > 0) {
        options.log?.info({ dialect, location, applied: report.applied }, "database migrated");
      }
    }
  } catch (error) {
    await db.destroy().catch(() => {});
    const translated = translateStoreError(error);
    if (translated instanceof AppError) throw translated;
    throw new AppError("STORE_UNAVAILABLE", { cause: error, detail: `cannot open the ${dialect} database` });
  }

  const stores = buildStores({ db, dialect });
  let closed = false;
  return {
    ...stores,
    dialect,
    location,
    db,
    // Inside `fn`, use only the stores it receives: on SQLite the one connection is held by the
    // transaction, so a call through the outer stores would wait for it forever. On PostgreSQL, append
    // audit entries last in a transaction: the chain-head lock is then held as briefly as possible.
    async transaction(fn) {
      try {
        return await db.transaction().execute((trx) => fn(buildStores({ db: trx, dialect })));
      } catch (error) {
        throw translateStoreError(error);
      }
    },
    async ping() {
      try {
        await selectOne(db);
      } catch (error) {
        throw new AppError("STORE_UNAVAILABLE", { cause: error });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
    async schemaVersion() {
      return schemaVersionInfo(db, dialect);
    },
    async verifyAuditChain() {
      return stores.audit.verifyChain();
    },
  };
}

/**
 * `opensspr init`: opens the configured database, applies pending migrations, reports what ran and closes.
 */
export async function migrate(options: {
  url: string;
  dataDir: string;
  log?: Logger;
}): Promise<MigrationReport & { location: string; dialect: Dialect }> {
  const connection = openConnection({ url: options.url, dataDir: options.dataDir });
  try {
    const report = await migrateToLatest(connection.db, connection.dialect);
    options.log?.info({ applied: report.applied, version: report.version }, "database migrations applied");
    return { ...report, location: connection.location, dialect: connection.dialect };
  } catch (error) {
    const translated = translateStoreError(error);
    if (translated instanceof AppError) throw translated;
    throw new AppError("STORE_UNAVAILABLE", { cause: error, detail: "migration failed" });
  } finally {
    await connection.db.destroy();
  }
}

/**
 * `opensspr doctor`: the schema version of the configured database without changing it.
 */
export async function readSchemaVersion(options: {
  url: string;
  dataDir: string;
}): Promise<SchemaVersionInfo & { location: string; dialect: Dialect }> {
  const connection = openConnection({ url: options.url, dataDir: options.dataDir });
  try {
    const info = await schemaVersionInfo(connection.db, connection.dialect);
    return { ...info, location: connection.location, dialect: connection.dialect };
  } catch (error) {
    throw new AppError("STORE_UNAVAILABLE", { cause: error });
  } finally {
    await connection.db.destroy();
  }
}
