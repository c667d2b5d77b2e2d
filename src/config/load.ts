/**
 * Configuration loading (SPEC §11): defaults ← YAML file ← `OPENSSPR_*` environment ← command-line overrides,
 * coerced by type, validated by `configSchema`. Every problem names the key path and where the value came from,
 * so an operator can fix it without reading code. Unsafe development defaults warn; with NODE_ENV=production
 * they refuse (REQ-055: no placeholder or missing secrets in production).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { AppError, type FieldIssue } from "../errors/app-error.ts";
import { type ConfigKeyInfo, ENV_ALIASES, findConfigKey, isConfigSection, listConfigKeys } from "./describe.ts";
import { type Config, configSchema } from "./schema.ts";

export const DEFAULT_CONFIG_FILE = "opensspr.yaml";
export const SECRET_KEY_FILE_NAME = "secret.key";

/** Environment variables with the `OPENSSPR_` prefix that are not configuration keys. */
const NON_KEY_ENV = new Set(["OPENSSPR_CONFIG"]);

export type UnsafeDefault =
  | "dev-mail-outbox"
  | "generated-secret-key"
  | "placeholder-secret-key"
  | "http-public-url"
  | "trust-any-proxy"
  | "tls-unverified";

export interface ConfigWarning {
  code: UnsafeDefault | "secret-key-permissions";
  /** The key path the warning is about. */
  key: string;
  message: string;
}

export interface LoadConfigOptions {
  /** `--config <file>`; else `$OPENSSPR_CONFIG`; else `./opensspr.yaml` when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides by dotted key path (`{ "server.port": "8080" }`), applied last. Text is coerced. */
  overrides?: Record<string, unknown>;
  /** Directory against which `./opensspr.yaml` and a relative `dataDir` are resolved. @default process.cwd() */
  cwd?: string;
  /**
   * `generate` (serve, init): create `<dataDir>/secret.key` when no key is configured.
   * `read-only` (config print, doctor): read an existing one but never write.
   * @default "generate"
   */
  secretKey?: "generate" | "read-only";
  /** Source of the generated key's bytes. @default crypto.randomBytes */
  randomBytes?: (size: number) => Buffer;
}

export interface LoadedConfig {
  config: Config;
  warnings: ConfigWarning[];
  /** The YAML file read, if any (absolute path). */
  file: string | null;
  /** Where `config.secretKey` came from. `absent` only in `read-only` mode before the first start. */
  secretKeySource: "config" | "secret-key-file" | "data-dir" | "generated" | "absent";
  /** Absolute path of `<dataDir>/secret.key`. */
  secretKeyPath: string;
}

type Source = string;

function configError(issues: FieldIssue[], summary: string): AppError {
  return new AppError("CONFIG_INVALID", { issues, detail: summary });
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

function suggestion(path: string): string {
  const candidates = [...listConfigKeys().map((k) => k.path)];
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = levenshtein(path.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === null ? "" : ` (did you mean "${best}"?)`;
}

/** Unknown keys in the YAML document, by path. zod would silently drop them; a typo must not be ignored. */
function findUnknownKeys(value: unknown, prefix: string, issues: FieldIssue[], source: Source): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isConfigSection(path)) {
      if (child !== null && (typeof child !== "object" || Array.isArray(child))) {
        issues.push({ field: path, message: `must be a mapping of keys (in ${source})` });
      } else {
        findUnknownKeys(child, path, issues, source);
      }
    } else if (findConfigKey(path) === undefined) {
      issues.push({ field: path, message: `unknown key (in ${source})${suggestion(path)}` });
    }
  }
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** Turns text (environment, CLI) into the key's type, or explains why it cannot. */
export function coerceText(
  key: ConfigKeyInfo,
  text: string,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  const trimmed = text.trim();
  switch (key.kind) {
    case "integer":
    case "number": {
      if (trimmed === "" || !/^[-+]?\d+(\.\d+)?$/.test(trimmed))
        return { ok: false, problem: `"${text}" is not a number` };
      const n = Number(trimmed);
      if (key.kind === "integer" && !Number.isInteger(n)) return { ok: false, problem: `"${text}" is not an integer` };
      return { ok: true, value: n };
    }
    case "boolean": {
      const lower = trimmed.toLowerCase();
      if (TRUE_WORDS.has(lower)) return { ok: true, value: true };
      if (FALSE_WORDS.has(lower)) return { ok: true, value: false };
      return { ok: false, problem: `"${text}" is not a boolean (use true or false)` };
    }
    case "boolean-or-string": {
      const lower = trimmed.toLowerCase();
      if (lower === "true") return { ok: true, value: true };
      if (lower === "false") return { ok: true, value: false };
      return { ok: true, value: trimmed };
    }
    case "string-list": {
      if (trimmed.startsWith("[")) {
        try {
          const parsed: unknown = JSON.parse(trimmed);
          if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) return { ok: true, value: parsed };
        } catch {
          // fall through to the message below
        }
        return { ok: false, problem: "is not a JSON array of strings" };
      }
      return {
        ok: true,
        value:
          trimmed === ""
            ? []
            : trimmed
                .split(",")
                .map((s) => s.trim())
                .filter((s) => s !== ""),
      };
    }
    case "number-list": {
      const parts = trimmed
        .replace(/^\[|\]$/g, "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (parts.some((p) => !/^[-+]?\d+(\.\d+)?$/.test(p)))
        return { ok: false, problem: `"${text}" is not a list of numbers` };
      return { ok: true, value: parts.map(Number) };
    }
    case "string-map": {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return { ok: true, value: parsed };
      } catch {
        // fall through to the message below
      }
      return { ok: false, problem: 'is not a JSON object (e.g. {"X-Api-Key":"…"})' };
    }
    default:
      return { ok: true, value: text };
  }
}

/** Matches `SERVER__PUBLIC_URL` / `SERVER__PUBLICURL` to `server.publicUrl`: case and `_` inside a level ignored. */
function keyForEnvName(rest: string): ConfigKeyInfo | undefined {
  const wanted = rest
    .split("__")
    .map((segment) => segment.replace(/_/g, "").toLowerCase())
    .join(".");
  return listConfigKeys().find((key) => key.path.toLowerCase() === wanted);
}

interface Layer {
  values: Record<string, unknown>;
  sources: Map<string, Source>;
}

function readEnvironment(env: NodeJS.ProcessEnv, issues: FieldIssue[]): Layer {
  const layer: Layer = { values: {}, sources: new Map() };
  const apply = (name: string, key: ConfigKeyInfo, text: string): void => {
    const coerced = coerceText(key, text);
    if (!coerced.ok) {
      issues.push({ field: key.path, message: `${coerced.problem} (from ${name})` });
      return;
    }
    setPath(layer.values, key.path, coerced.value);
    layer.sources.set(key.path, name);
  };
  // Aliases first, so the precise `OPENSSPR_SERVER__PORT` form wins when both are set.
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    const text = env[name];
    const key = findConfigKey(path);
    if (text !== undefined && key !== undefined) apply(name, key, text);
  }
  for (const [name, text] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith("OPENSSPR_") || text === undefined) continue;
    if (NON_KEY_ENV.has(name) || name in ENV_ALIASES) continue;
    const key = keyForEnvName(name.slice("OPENSSPR_".length));
    if (key === undefined) {
      issues.push({ field: name, message: "unknown configuration variable (no such key; see docs/configuration.md)" });
      continue;
    }
    apply(name, key, text);
  }
  return layer;
}

function readOverrides(overrides: Record<string, unknown>, issues: FieldIssue[]): Layer {
  const layer: Layer = { values: {}, sources: new Map() };
  for (const [path, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    const key = findConfigKey(path);
    if (key === undefined) {
      issues.push({ field: path, message: "unknown key (command-line override)" });
      continue;
    }
    let value: unknown = raw;
    if (typeof raw === "string") {
      const coerced = coerceText(key, raw);
      if (!coerced.ok) {
        issues.push({ field: path, message: `${coerced.problem} (command line)` });
        continue;
      }
      value = coerced.value;
    }
    setPath(layer.values, path, value);
    layer.sources.set(path, "command line");
  }
  return layer;
}

function readYAMLFile(path: string, issues: FieldIssue[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    issues.push({
      field: "(config file)",
      message: `cannot read ${path}: ${code === "ENOENT" ? "no such file" : code}`,
    });
    return {};
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      issues.push({ field: "(config file)", message: `${path}: ${error.message.split("\n")[0]}` });
    }
    return {};
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    issues.push({ field: "(config file)", message: `${path}: the top level must be a mapping of keys` });
    return {};
  }
  return value as Record<string, unknown>;
}

function deepMerge(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const current = out[key];
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === "object" &&
      !Array.isArray(current)
    ) {
      out[key] = deepMerge(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** Typical placeholder secrets copied from examples (REQ-055: refused in production). */
export function looksLikePlaceholderSecret(secret: string): boolean {
  const squashed = secret.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (/(changeme|replaceme|placeholder|yoursecret|examplesecret|secretkeyhere|notsecret|insecure)/.test(squashed)) {
    return true;
  }
  return new Set(secret).size < 8;
}

function unsafeDefaults(config: Config, secretKeySource: LoadedConfig["secretKeySource"]): ConfigWarning[] {
  const found: ConfigWarning[] = [];
  if (config.mail.transport === "outbox") {
    found.push({
      code: "dev-mail-outbox",
      key: "mail.transport",
      message:
        '"outbox" means email is NOT delivered, it is kept in the development outbox (admin portal → Outbox). Set mail.transport: smtp and mail.smtp.* to deliver mail.',
    });
  }
  if (secretKeySource === "generated" || secretKeySource === "data-dir") {
    found.push({
      code: "generated-secret-key",
      key: "secretKey",
      message:
        "not configured, so a key generated into the data directory (" +
        SECRET_KEY_FILE_NAME +
        ") is used; it sits next to the database it protects. Set OPENSSPR_SECRET_KEY or secretKeyFile to a key kept outside the data directory.",
    });
  }
  if (secretKeySource === "config" || secretKeySource === "secret-key-file") {
    if (config.secretKey !== undefined && looksLikePlaceholderSecret(config.secretKey)) {
      found.push({
        code: "placeholder-secret-key",
        key: "secretKey",
        message: "looks like a placeholder: generate one with `openssl rand -base64 48`.",
      });
    }
  }
  if (config.server.publicUrl.startsWith("http://")) {
    found.push({
      code: "http-public-url",
      key: "server.publicUrl",
      message: `${config.server.publicUrl} is plain http: reset links and cookies need https in production.`,
    });
  }
  if (config.server.trustProxy === true) {
    found.push({
      code: "trust-any-proxy",
      key: "server.trustProxy",
      message:
        "true means any client can forge X-Forwarded-For and dodge per-address limits. List the proxy addresses instead (REQ-119).",
    });
  }
  const ldapKey =
    config.directory.kind === "ldap" ? "ldap" : config.directory.kind === "active-directory" ? "activeDirectory" : null;
  if (ldapKey !== null && !config.directory[ldapKey].tlsRejectUnauthorized) {
    found.push({
      code: "tls-unverified",
      key: `directory.${ldapKey}.tlsRejectUnauthorized`,
      message: `false means the directory's certificate is not verified (REQ-101). Set caFile instead.`,
    });
  }
  return found;
}

function readSecretKeyFile(path: string, field: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (error) {
    throw configError(
      [{ field, message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}` }],
      "secret key file unreadable",
    );
  }
  if (text.length < 32) {
    throw configError(
      [{ field, message: `${path} holds ${text.length} characters; at least 32 are needed` }],
      "secret key too short",
    );
  }
  return text;
}

/**
 * Loads and validates the configuration. Throws `AppError("CONFIG_INVALID")` whose `issues` name every bad key,
 * or `AppError("CONFIG_UNSAFE")` in production when an unsafe default is in effect (one issue per default).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const issues: FieldIssue[] = [];

  // 1. The YAML file.
  const explicit = options.file ?? env["OPENSSPR_CONFIG"];
  let file: string | null = null;
  if (explicit !== undefined && explicit !== "") {
    file = resolve(cwd, explicit);
  } else if (existsSync(join(cwd, DEFAULT_CONFIG_FILE))) {
    file = resolve(cwd, DEFAULT_CONFIG_FILE);
  }
  const fromFile = file === null ? {} : readYAMLFile(file, issues);
  if (file !== null) findUnknownKeys(fromFile, "", issues, file);

  // 2. Environment, 3. command line.
  const fromEnv = readEnvironment(env, issues);
  const fromArgs = readOverrides(options.overrides ?? {}, issues);
  const merged = deepMerge(deepMerge(fromFile, fromEnv.values), fromArgs.values);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".");
      const source = fromArgs.sources.get(path) ?? fromEnv.sources.get(path) ?? file ?? "defaults";
      let value: unknown = merged;
      for (const part of issue.path) {
        value =
          value !== null && typeof value === "object"
            ? (value as Record<string | number, unknown>)[part as string]
            : undefined;
      }
      const shown = value === undefined ? "" : `, got ${describeValue(value)}`;
      issues.push({ field: path === "" ? "(root)" : path, message: `${issue.message}${shown} (from ${source})` });
    }
  }
  if (issues.length > 0 || !parsed.success) throw configError(issues, "configuration invalid");
  const config = parsed.data;
  // Unset publicUrl follows the port, so `serve --port 8080` prints (and links to) the right address.
  const publicUrlSet =
    fromArgs.sources.has("server.publicUrl") ||
    fromEnv.sources.has("server.publicUrl") ||
    (fromFile["server"] as Record<string, unknown> | undefined)?.["publicUrl"] !== undefined;
  if (!publicUrlSet) config.server.publicUrl = `http://localhost:${config.server.port}`;

  // 4. The secret key.
  const secretKeyPath = resolve(cwd, config.dataDir, SECRET_KEY_FILE_NAME);
  const warnings: ConfigWarning[] = [];
  let secretKeySource: LoadedConfig["secretKeySource"];
  if (config.secretKey !== undefined) {
    secretKeySource = "config";
  } else if (config.secretKeyFile !== undefined) {
    config.secretKey = readSecretKeyFile(resolve(cwd, config.secretKeyFile), "secretKeyFile");
    secretKeySource = "secret-key-file";
  } else if (existsSync(secretKeyPath)) {
    config.secretKey = readSecretKeyFile(secretKeyPath, "secretKey");
    secretKeySource = "data-dir";
    const mode = statSync(secretKeyPath).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      warnings.push({
        code: "secret-key-permissions",
        key: "secretKey",
        message: `${secretKeyPath} is readable by other users (mode ${mode.toString(8)}): run chmod 600 ${secretKeyPath}`,
      });
    }
  } else {
    secretKeySource = (options.secretKey ?? "generate") === "generate" ? "generated" : "absent";
  }

  // 5. Unsafe defaults: warnings, or a refusal in production (checked before anything is written).
  const unsafe = unsafeDefaults(config, secretKeySource);
  if (env["NODE_ENV"] === "production" && unsafe.length > 0) {
    throw new AppError("CONFIG_UNSAFE", {
      issues: unsafe.map((w) => ({ field: w.key, message: w.message })),
      detail: "unsafe development defaults with NODE_ENV=production",
    });
  }
  if (secretKeySource === "generated") {
    config.secretKey = generateSecretKey(secretKeyPath, options.randomBytes ?? randomBytes);
  }
  return { config, warnings: [...unsafe, ...warnings], file, secretKeySource, secretKeyPath };
}

/** 48 random bytes, base64url, written with mode 0600 (created exclusively: never overwrites a key). */
function generateSecretKey(path: string, bytes: (size: number) => Buffer): string {
  const key = bytes(48).toString("base64url");
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, key + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readSecretKeyFile(path, "secretKey");
    throw configError(
      [{ field: "dataDir", message: `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}` }],
      "data directory not writable",
    );
  }
  chmodSync(path, 0o600);
  return key;
}

/** One line per issue, for the CLI (no stack trace). */
export function formatConfigProblem(error: AppError): string {
  const title =
    error.code === "CONFIG_UNSAFE"
      ? "refusing to start with NODE_ENV=production: unsafe development defaults are in effect"
      : "configuration error";
  return [`${title}:`, ...error.issues.map((issue) => `  - ${issue.field}: ${issue.message}`)].join("\n");
}
