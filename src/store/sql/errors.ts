/**
 * Turns driver errors into catalog errors at the store boundary: duplicate keys are ALREADY_EXISTS,
 * lost or refused connections are STORE_UNAVAILABLE (503, never exposed). Anything else is a bug and
 * travels unchanged.
 */
import { AppError, isAppError } from "../../errors/app-error.ts";

const PG_UNIQUE_VIOLATION = "23505";

/** Errors that mean "the database is not reachable right now", not "your query is wrong". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "EPIPE",
  // PostgreSQL: connection exceptions (08xxx), shutdown (57P0x), too many connections (53300).
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "3D000",
  "28P01",
  "28000",
  // SQLite
  "SQLITE_CANTOPEN",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_IOERR",
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "SQLITE_NOTADB",
  "SQLITE_CORRUPT",
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === PG_UNIQUE_VIOLATION || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

export function isUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) {
    if (UNAVAILABLE_CODES.has(code)) return true;
    if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_CANTOPEN")) {
      return true;
    }
  }
  const message = error instanceof Error ? error.message : "";
  return /connection terminated|connection (?:is )?closed|database connection is not open|driver has already been destroyed|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

export function translateStoreError(error: unknown): unknown {
  if (isAppError(error)) return error;
  if (isUniqueViolation(error)) return new AppError("ALREADY_EXISTS", { cause: error });
  if (isUnavailable(error)) return new AppError("STORE_UNAVAILABLE", { cause: error });
  return error;
}

/**
 * Wraps every method of a store so that driver errors leave it translated. The wrapper keeps the
 * store's type, so callers see the same interface.
 */
export function guarded<T extends object>(store: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== "function") {
      out[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => Promise<unknown>;
    out[name] = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw translateStoreError(error);
      }
    };
  }
  return out as T;
}
