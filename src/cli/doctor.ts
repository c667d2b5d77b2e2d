/**
 * `opensspr doctor`: checks what a deployment needs and explains each failure with a fix (SPEC §11).
 * Read-only: it never migrates the database or writes a secret key. Exit 1 when any check fails.
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import nodemailer from "nodemailer";
import { formatConfigProblem, type LoadedConfig, loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { isAppError } from "../errors/app-error.ts";
import { systemClock } from "../kernel/clock.ts";
import { describeSMTPError } from "../notify/channels/smtp.channel.ts";
import { buildRegistry } from "../registry.ts";
import { createSqlStores, readSchemaVersion } from "../store/sql/stores.ts";
import { commandLogger, EXIT, type GlobalOptions, print } from "./context.ts";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a failure or warning. */
  fix?: string;
}

const SYMBOL: Record<CheckStatus, string> = { ok: "✓", warn: "!", fail: "✗", skip: "-" };

function errorText(error: unknown): string {
  if (isAppError(error)) {
    const cause = error.cause instanceof Error ? error.cause.message : "";
    return [error.message !== error.code ? error.message : error.code, cause].filter((s) => s !== "").join(": ");
  }
  return error instanceof Error ? error.message : String(error);
}

function checkDataDir(config: Config): CheckResult {
  const dir = resolve(config.dataDir);
  try {
    if (!statSync(dir).isDirectory()) {
      return {
        name: "data directory",
        status: "fail",
        detail: `${dir} is not a directory`,
        fix: "point dataDir (OPENSSPR_DATA_DIR) at a directory",
      };
    }
    const probe = mkdtempSync(join(dir, ".doctor-"));
    rmSync(probe, { recursive: true, force: true });
    return { name: "data directory", status: "ok", detail: `${dir} is writable` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return {
        name: "data directory",
        status: "fail",
        detail: `${dir} does not exist`,
        fix: "run `opensspr init` (creates it with the secret key and the database)",
      };
    }
    return {
      name: "data directory",
      status: "fail",
      detail: `${dir} is not writable (${code ?? errorText(error)})`,
      fix: `give the service user write access: chown -R <user> ${dir} && chmod 700 ${dir}`,
    };
  }
}

function checkSecretKey(loaded: LoadedConfig): CheckResult {
  switch (loaded.secretKeySource) {
    case "config":
      return { name: "secret key", status: "ok", detail: "set in the configuration / environment" };
    case "secret-key-file":
      return { name: "secret key", status: "ok", detail: `read from ${loaded.config.secretKeyFile}` };
    case "data-dir":
      return {
        name: "secret key",
        status: "warn",
        detail: `generated key in ${loaded.secretKeyPath} (development only)`,
        fix: "for production set OPENSSPR_SECRET_KEY or secretKeyFile (keep the same value, or stored TOTP seeds become unreadable)",
      };
    default:
      return {
        name: "secret key",
        status: "fail",
        detail: "no secret key configured and none generated yet",
        fix: "run `opensspr init`, or set OPENSSPR_SECRET_KEY to 48+ random bytes (openssl rand -base64 48)",
      };
  }
}

async function checkStore(config: Config): Promise<CheckResult> {
  const sqliteFile = config.database.url === "" ? resolve(config.dataDir, "opensspr.db") : null;
  if (sqliteFile !== null && !existsSync(sqliteFile)) {
    // Opening would create it; doctor only looks.
    return {
      name: "store",
      status: "fail",
      detail: `sqlite database ${sqliteFile} does not exist yet`,
      fix: "run `opensspr init` (or `opensspr serve`, which migrates at start)",
    };
  }
  try {
    const info = await readSchemaVersion({ url: config.database.url, dataDir: config.dataDir });
    if (info.pending.length > 0) {
      return {
        name: "store",
        status: "fail",
        detail: `${info.dialect} at ${info.location}: ${info.pending.length} migration(s) pending (${info.pending.join(", ")})`,
        fix: "run `opensspr init` (applies migrations; `serve` also applies them at start)",
      };
    }
    return {
      name: "store",
      status: "ok",
      detail: `${info.dialect} at ${info.location}, schema ${info.current ?? "empty"}`,
    };
  } catch (error) {
    return {
      name: "store",
      status: "fail",
      detail: `cannot open the database: ${errorText(error)}`,
      fix:
        config.database.url === ""
          ? "check that dataDir exists and is writable (`opensspr init`)"
          : "check database.url (DATABASE_URL), that PostgreSQL runs and accepts the credentials",
    };
  }
}

/**
 * What the LDAP/AD service account may do (issue 4): read users, reset, unlock. Each check says what is
 * missing; nothing is written to the directory.
 */
async function checkServiceAccountRights(config: Config, loaded: LoadedConfig): Promise<CheckResult[]> {
  const deps = { log: commandLogger(loaded), clock: systemClock };
  const report =
    config.directory.kind === "ldap"
      ? await (await import("../directory/ldap/ldap.connector.ts")).checkRights(config.directory.ldap, deps)
      : await (await import("../directory/active-directory/ad.connector.ts")).checkRights(
          config.directory.activeDirectory,
          deps,
        );
  // policyHints (AD) and ppolicy (LDAP) only inform: the product works without them, with weaker enforcement.
  const informational = new Set(["policyHints", "ppolicy"]);
  return report.checks.map((check) => ({
    name: `service account: ${check.name}`,
    status: check.ok ? "ok" : informational.has(check.name) ? "warn" : "fail",
    detail: check.detail,
    ...(check.ok ? {} : { fix: "grant the service account this right (docs/directories.md lists the ACLs)" }),
  }));
}

async function checkDirectory(loaded: LoadedConfig): Promise<CheckResult[]> {
  const { config } = loaded;
  const name = `directory (${config.directory.kind})`;
  let stores: Awaited<ReturnType<typeof createSqlStores>>;
  try {
    stores = await createSqlStores({ url: config.database.url, dataDir: config.dataDir, migrate: false });
  } catch (error) {
    return [{ name, status: "skip", detail: `store unavailable (${errorText(error)})` }];
  }
  // A throwaway key when none exists yet: the health check reads nothing secret and writes nothing.
  const probeConfig: Config = { ...config, secretKey: config.secretKey ?? randomBytes(48).toString("base64url") };
  let registry: Awaited<ReturnType<typeof buildRegistry>>;
  try {
    registry = await buildRegistry(probeConfig, { stores, log: commandLogger(loaded) });
  } catch (error) {
    await stores.close();
    return [
      {
        name,
        status: "fail",
        detail: `cannot set up the connector: ${errorText(error)}`,
        fix: "check the directory.* settings",
      },
    ];
  }
  const results: CheckResult[] = [];
  try {
    const health = await registry.directory.health();
    if (!health.ok) {
      results.push({
        name,
        status: "fail",
        detail: health.detail,
        fix:
          config.directory.kind === "builtin"
            ? "run `opensspr init`"
            : `check directory.${config.directory.kind === "ldap" ? "ldap" : "activeDirectory"}.urls, bindDN and bindPassword, and the CA (caFile)`,
      });
      return results;
    }
    results.push({ name, status: "ok", detail: "reachable" });
    if (config.directory.kind !== "builtin") results.push(...(await checkServiceAccountRights(config, loaded)));
    const missing: string[] = [];
    for (const group of config.directory.adminGroups) {
      if ((await registry.directory.findGroup(group)) === null) missing.push(group);
    }
    results.push(
      missing.length === 0
        ? { name: "admin groups", status: "ok", detail: config.directory.adminGroups.join(", ") }
        : {
            name: "admin groups",
            status: "warn",
            detail: `not found in the directory: ${missing.join(", ")}`,
            fix:
              config.directory.kind === "builtin"
                ? `create it: opensspr groups add ${missing[0]} (or finish the first-run set-up link)`
                : "create the group or change directory.adminGroups",
          },
    );
    try {
      const policy = (await registry.policy.current()).policy;
      if (policy.enabled === "selected") {
        const absent: string[] = [];
        for (const group of policy.scopeGroups) {
          if ((await registry.directory.findGroup(group)) === null) absent.push(group);
        }
        results.push(
          absent.length === 0
            ? { name: "policy", status: "ok", detail: `selected: ${policy.scopeGroups.join(", ")}` }
            : {
                name: "policy",
                status: "fail",
                detail: `scope group(s) not found: ${absent.join(", ")} — nobody in them can reset`,
                fix: "create the group(s) or fix the policy (opensspr policy set)",
              },
        );
      } else {
        results.push({ name: "policy", status: "ok", detail: `self-service reset enabled for: ${policy.enabled}` });
      }
    } catch (error) {
      results.push({ name: "policy", status: "fail", detail: errorText(error), fix: "opensspr policy show / set" });
    }
  } catch (error) {
    results.push({ name, status: "fail", detail: errorText(error), fix: "check the directory.* settings" });
  } finally {
    await registry.close().catch(() => {});
  }
  return results;
}

async function checkMail(config: Config): Promise<CheckResult> {
  if (config.mail.transport === "outbox") {
    return {
      name: "mail",
      status: "warn",
      detail: "development outbox: email is kept in the admin portal, not delivered",
      fix: "set mail.transport: smtp and mail.smtp.* (refused with NODE_ENV=production)",
    };
  }
  const smtp = config.mail.smtp;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    auth: smtp.user !== "" ? { user: smtp.user, pass: smtp.password } : undefined,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
  });
  try {
    await transport.verify();
    return {
      name: "mail",
      status: "ok",
      detail: `SMTP ${smtp.host}:${smtp.port} accepted the connection${smtp.user !== "" ? " and the login" : ""}`,
    };
  } catch (error) {
    return {
      name: "mail",
      status: "fail",
      detail: `SMTP ${smtp.host}:${smtp.port}: ${describeSMTPError(error, [smtp.password])}`,
      fix: "check mail.smtp.host/port, secure (465) or requireTLS (587), user and password",
    };
  } finally {
    transport.close();
  }
}

export async function runChecks(global: GlobalOptions): Promise<CheckResult[]> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ ...(global.config !== undefined ? { file: global.config } : {}), secretKey: "read-only" });
  } catch (error) {
    if (isAppError(error) && (error.code === "CONFIG_INVALID" || error.code === "CONFIG_UNSAFE")) {
      const [, ...lines] = formatConfigProblem(error).split("\n");
      return [
        {
          name: "configuration",
          status: "fail",
          detail: lines.map((l) => l.trim().replace(/^- /, "")).join("; "),
          fix:
            error.code === "CONFIG_UNSAFE"
              ? "fix each setting named above, or unset NODE_ENV=production for a development run"
              : "fix the keys named above (docs/configuration.md lists every key)",
        },
      ];
    }
    throw error;
  }
  const results: CheckResult[] = [
    { name: "configuration", status: "ok", detail: loaded.file ?? "defaults + environment (no YAML file)" },
  ];
  for (const warning of loaded.warnings) {
    if (warning.code === "dev-mail-outbox" || warning.code === "generated-secret-key") continue; // shown by their own checks
    results.push({ name: `setting ${warning.key}`, status: "warn", detail: warning.message });
  }
  results.push(checkSecretKey(loaded));
  results.push(checkDataDir(loaded.config));
  const store = await checkStore(loaded.config);
  results.push(store);
  if (store.status === "ok") results.push(...(await checkDirectory(loaded)));
  else results.push({ name: `directory (${loaded.config.directory.kind})`, status: "skip", detail: "needs the store" });
  results.push(await checkMail(loaded.config));
  return results;
}

export function renderChecks(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${SYMBOL[result.status]} ${result.name.padEnd(width)}  ${result.detail}`);
    if (result.fix !== undefined && (result.status === "fail" || result.status === "warn")) {
      lines.push(`  ${" ".repeat(width)}  fix: ${result.fix}`);
    }
  }
  const failed = results.filter((r) => r.status === "fail").length;
  const warned = results.filter((r) => r.status === "warn").length;
  lines.push("");
  lines.push(
    failed === 0
      ? `All checks passed${warned > 0 ? ` (${warned} warning${warned > 1 ? "s" : ""})` : ""}.`
      : `${failed} check${failed > 1 ? "s" : ""} failed.`,
  );
  return lines.join("\n");
}

export async function doctorCommand(global: GlobalOptions): Promise<number> {
  const results = await runChecks(global);
  print(renderChecks(results));
  return results.some((r) => r.status === "fail") ? EXIT.FAILED : EXIT.OK;
}
