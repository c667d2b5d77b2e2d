/**
 * Opens the Kysely instance for a configured database URL: PostgreSQL for `postgres://` and
 * `postgresql://`, otherwise SQLite (`sqlite::memory:`, `sqlite:<path>`, or `<dataDir>/opensspr.db` when
 * the URL is empty).
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from "kysely";
import pg from "pg";
import { AppError } from "../../errors/app-error.ts";
import type { Database, Dialect } from "./schema.ts";

export interface Connection {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, without credentials (for logs and `doctor`). */
  location: string;
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

/** The SQLite file for a URL, `:memory:` for an in-memory database. */
export function sqlitePath(url: string, dataDir: string): string {
  if (url === "" || url === "sqlite:" || url === "sqlite://") return resolve(join(dataDir, "opensspr.db"));
  if (url === "sqlite::memory:" || url === ":memory:") return ":memory:";
  if (url.startsWith("sqlite://")) return resolve(url.slice("sqlite://".length));
  if (url.startsWith("sqlite:")) return resolve(url.slice("sqlite:".length));
  if (url.startsWith("file:")) return resolve(url.slice("file:".length));
  throw new AppError("STORE_UNAVAILABLE", {
    detail: "database.url must be empty (SQLite in dataDir), sqlite:<path>, sqlite::memory: or postgres://…",
  });
}

/** 64-bit integers (counts, epoch-ms columns) come back from pg as strings; ours fit a double. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary"): (value: string) => unknown {
    if (oid === INT8_OID) return (value: string) => Number(value);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads make this generic lookup awkward to type
    return (pg.types.getTypeParser as any)(oid, format ?? "text");
  },
};

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparseable url)";
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 behind Kysely, with two changes: compiled statements are cached by SQL text (Kysely
 * prepares every query afresh, which costs more than running it), and transactions start with
 * `BEGIN IMMEDIATE`, so a second process on the same file (the CLI next to the server) waits on
 * `busy_timeout` instead of failing on a read-to-write lock upgrade.
 */
function statementCachingDatabase(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sqlText: string) {
      const text = sqlText === "begin" ? "begin immediate" : sqlText;
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      } else {
        cache.delete(text);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

export function openConnection(options: { url: string; dataDir: string; poolSize?: number }): Connection {
  if (isPostgresUrl(options.url)) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      types: pgTypes,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on("error", () => {});
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      dialect: "postgres",
      location: redactUrl(options.url),
    };
  }
  const path = sqlitePath(options.url, options.dataDir);
  let database: BetterSqlite3.Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    database = new BetterSqlite3(path);
    if (path !== ":memory:") database.pragma("journal_mode = WAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 5000");
    database.pragma("synchronous = NORMAL");
  } catch (error) {
    throw new AppError("STORE_UNAVAILABLE", { cause: error, detail: `cannot open SQLite database at ${path}` });
  }
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: statementCachingDatabase(database) }) }),
    dialect: "sqlite",
    location: path,
  };
}
