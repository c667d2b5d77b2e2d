/**
 * What every `opensspr` command shares: loading the configuration (with the CLI's exit codes), building the
 * registry, printing, and turning failures into one clear line instead of a stack trace.
 */

import { type ConfigWarning, formatConfigProblem, type LoadedConfig, loadConfig } from "../config/load.ts";
import { isAppError } from "../errors/app-error.ts";
import { createLogger, type Logger } from "../kernel/logger.ts";
import { hasMessage, t } from "../messages/index.ts";
import { buildRegistry, type RegistryOverrides } from "../registry.ts";
import type { Registry } from "../registry.types.ts";

/** Exit codes, documented in the README ("CLI reference"). */
export const EXIT = {
  OK: 0,
  /** The command ran and failed: invalid input, not found, a failed doctor check. */
  FAILED: 1,
  /** Configuration invalid, unsafe in production, or a usage error (unknown command or option). */
  CONFIG: 2,
} as const;

export interface CLIFailure extends Error {
  exitCode: number;
  /** Extra lines printed after the message (field issues). */
  details: string[];
}

/** Stops the command with a one-line message and an exit code (no stack trace). */
export function fail(message: string, options: { exitCode?: number; details?: string[] } = {}): never {
  const error = new Error(message) as CLIFailure;
  error.exitCode = options.exitCode ?? EXIT.FAILED;
  error.details = options.details ?? [];
  throw error;
}

export function isCLIFailure(value: unknown): value is CLIFailure {
  return value instanceof Error && typeof (value as Partial<CLIFailure>).exitCode === "number";
}

export interface GlobalOptions {
  config?: string;
}

export function print(line = ""): void {
  process.stdout.write(line + "\n");
}

export function printError(line: string): void {
  process.stderr.write(line + "\n");
}

export function printWarnings(warnings: ConfigWarning[], options: { production: boolean }): void {
  if (warnings.length === 0) return;
  printError("");
  printError(
    options.production
      ? "WARNING: check these settings:"
      : "WARNING: unsafe development settings are in effect (refused with NODE_ENV=production):",
  );
  for (const warning of warnings) printError(`  ! ${warning.key}: ${warning.message}`);
  printError("");
}

/** Loads the configuration; a bad key or a production refusal becomes exit code 2 with every key named. */
export function loadCLIConfig(
  global: GlobalOptions,
  options: { overrides?: Record<string, unknown>; secretKey?: "generate" | "read-only" } = {},
): LoadedConfig {
  try {
    const loaded = loadConfig({
      ...(global.config !== undefined ? { file: global.config } : {}),
      overrides: options.overrides ?? {},
      secretKey: options.secretKey ?? "generate",
    });
    if (loaded.secretKeySource === "generated") {
      printError(
        `Generated a new secret key in ${loaded.secretKeyPath} (mode 0600). Keep it: it protects stored secrets.`,
      );
    }
    return loaded;
  } catch (error) {
    if (isAppError(error) && (error.code === "CONFIG_INVALID" || error.code === "CONFIG_UNSAFE")) {
      const [first, ...rest] = formatConfigProblem(error).split("\n");
      fail(first ?? "configuration error", { exitCode: EXIT.CONFIG, details: rest });
    }
    throw error;
  }
}

/** Log lines of one-shot commands go to stderr, quieter than the server's, so stdout stays the command's output. */
export function commandLogger(loaded: LoadedConfig): Logger {
  const level = loaded.config.logging.level === "info" ? "warn" : loaded.config.logging.level;
  return createLogger({ level, destination: process.stderr });
}

/** Builds the registry, runs `fn`, and always closes the store and directory connections. */
export async function withRegistry<T>(
  loaded: LoadedConfig,
  fn: (registry: Registry) => Promise<T>,
  overrides: RegistryOverrides = {},
): Promise<T> {
  const registry = await buildRegistry(loaded.config, { log: commandLogger(loaded), ...overrides });
  try {
    return await fn(registry);
  } finally {
    await registry.close();
  }
}

/** One line for any error that reaches the top of a command. */
export function describeError(error: unknown): { message: string; details: string[]; exitCode: number } {
  if (isCLIFailure(error)) return { message: error.message, details: error.details, exitCode: error.exitCode };
  if (isAppError(error)) {
    const english = (id: string): string => (hasMessage(id) ? t("en", id, error.params) : id);
    const details = error.issues.map(
      (i) => `  - ${i.field}: ${english(i.message)}${i.rule !== undefined ? ` [${i.rule}]` : ""}`,
    );
    // Internal errors keep their detail (an operator runs the CLI); user-facing ones read as the portal does.
    const text =
      error.code === "CONFLICT" && error.issues.length > 0
        ? "refused"
        : error.expose || error.message === error.code
          ? english(error.messageId)
          : error.message;
    const cause = !error.expose && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return { message: `${text}${cause} [${error.code}]`, details, exitCode: EXIT.FAILED };
  }
  if (error instanceof Error) return { message: error.message, details: [], exitCode: EXIT.FAILED };
  return { message: String(error), details: [], exitCode: EXIT.FAILED };
}
