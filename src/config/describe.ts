/**
 * Reads the zod configuration schema as data: every key with its type, default, constraints, description and
 * environment variable. One walk feeds the loader (env coercion, unknown-key detection), `opensspr config print`
 * and the generated `docs/configuration.md`, so the three cannot drift apart.
 */
import { stringify } from "yaml";
import { z } from "zod";
import { type Config, configSchema, isSecretPath } from "./schema.ts";

/** How a value typed as text (environment variable, CLI flag) is turned into the key's type. */
export type ConfigValueKind =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "string-list"
  | "number-list"
  | "string-map"
  | "enum"
  | "boolean-or-string";

export interface ConfigKeyInfo {
  /** Dotted path, e.g. `server.publicUrl`. */
  path: string;
  kind: ConfigValueKind;
  /** Human-readable type for documentation, e.g. `integer (0–65535)`. */
  typeLabel: string;
  enumValues: string[];
  /** `undefined` when the key has no default (it is optional). */
  defaultValue: unknown;
  description: string;
  secret: boolean;
  /** The `OPENSSPR_…` variable that sets it (`__` between nesting levels). */
  envVar: string;
}

/** A group of keys (an object in the schema), for documentation headings. */
export interface ConfigSectionInfo {
  path: string;
  description: string;
}

type AnySchema = z.ZodType;

interface Unwrapped {
  inner: AnySchema;
  defaultValue: unknown;
  description: string;
}

function defOf(schema: AnySchema): { type: string; innerType?: AnySchema; defaultValue?: unknown } {
  return (schema as unknown as { def: { type: string; innerType?: AnySchema; defaultValue?: unknown } }).def;
}

/** Strips default/prefault/optional wrappers, keeping the outermost description and the default. */
function unwrap(schema: AnySchema): Unwrapped {
  let current = schema;
  let defaultValue: unknown;
  let description = current.description ?? "";
  for (;;) {
    const def = defOf(current);
    if (def.type === "default" && def.innerType !== undefined) {
      if (defaultValue === undefined) defaultValue = def.defaultValue;
      current = def.innerType;
    } else if ((def.type === "optional" || def.type === "prefault") && def.innerType !== undefined) {
      current = def.innerType;
    } else {
      break;
    }
    if (description === "" && current.description !== undefined) description = current.description;
  }
  return { inner: current, defaultValue, description };
}

function shapeOf(schema: AnySchema): Record<string, AnySchema> | null {
  return defOf(schema).type === "object" ? (schema as unknown as z.ZodObject).shape : null;
}

/** `publicUrl` → `PUBLIC_URL`, `bindDN` → `BIND_DN`, `startTLS` → `START_TLS`. */
export function envSegment(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

export function envVarFor(path: string): string {
  return "OPENSSPR_" + path.split(".").map(envSegment).join("__");
}

interface JSONSchemaLeaf {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  format?: string;
  enum?: unknown[];
  anyOf?: JSONSchemaLeaf[];
  items?: JSONSchemaLeaf;
  additionalProperties?: unknown;
}

function rangeLabel(leaf: JSONSchemaLeaf): string {
  const min = leaf.minimum ?? (leaf.exclusiveMinimum !== undefined ? leaf.exclusiveMinimum + 1 : undefined);
  const max = leaf.maximum !== undefined && leaf.maximum < Number.MAX_SAFE_INTEGER ? leaf.maximum : undefined;
  const safeMin = min !== undefined && min > Number.MIN_SAFE_INTEGER ? min : undefined;
  if (safeMin !== undefined && max !== undefined) return ` (${safeMin}–${max})`;
  if (safeMin !== undefined) return ` (≥ ${safeMin})`;
  if (max !== undefined) return ` (≤ ${max})`;
  return "";
}

function classify(schema: AnySchema): { kind: ConfigValueKind; typeLabel: string; enumValues: string[] } {
  const leaf = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JSONSchemaLeaf;
  if (leaf.enum !== undefined) {
    const values = leaf.enum.map(String);
    return { kind: "enum", typeLabel: values.map((v) => `\`${v}\``).join(" | "), enumValues: values };
  }
  const types = Array.isArray(leaf.type) ? leaf.type : (leaf.anyOf?.map((a) => String(a.type)) ?? []);
  if (types.includes("boolean") && types.includes("string")) {
    return { kind: "boolean-or-string", typeLabel: "boolean or string", enumValues: [] };
  }
  switch (leaf.type) {
    case "integer":
      return { kind: "integer", typeLabel: "integer" + rangeLabel(leaf), enumValues: [] };
    case "number":
      return { kind: "number", typeLabel: "number" + rangeLabel(leaf), enumValues: [] };
    case "boolean":
      return { kind: "boolean", typeLabel: "boolean", enumValues: [] };
    case "array": {
      const itemType = leaf.items?.type;
      if (itemType === "integer" || itemType === "number") {
        return { kind: "number-list", typeLabel: "list of numbers", enumValues: [] };
      }
      return { kind: "string-list", typeLabel: "list of strings", enumValues: [] };
    }
    case "object":
      return { kind: "string-map", typeLabel: "mapping of strings", enumValues: [] };
    default: {
      const extra =
        leaf.format === "uri" ? "URL" : leaf.minLength !== undefined ? `string (≥ ${leaf.minLength} chars)` : "string";
      return { kind: "string", typeLabel: extra, enumValues: [] };
    }
  }
}

function walk(schema: AnySchema, prefix: string, keys: ConfigKeyInfo[], sections: ConfigSectionInfo[]): void {
  const shape = shapeOf(schema);
  if (shape === null) return;
  for (const [name, child] of Object.entries(shape)) {
    const path = prefix === "" ? name : `${prefix}.${name}`;
    const { inner, defaultValue, description } = unwrap(child);
    if (shapeOf(inner) !== null) {
      sections.push({ path, description });
      walk(inner, path, keys, sections);
      continue;
    }
    const { kind, typeLabel, enumValues } = classify(inner);
    keys.push({
      path,
      kind,
      typeLabel,
      enumValues,
      defaultValue,
      description,
      secret: isSecretPath(path),
      envVar: envVarFor(path),
    });
  }
}

let cached: { keys: ConfigKeyInfo[]; sections: ConfigSectionInfo[] } | null = null;

function described(): { keys: ConfigKeyInfo[]; sections: ConfigSectionInfo[] } {
  if (cached === null) {
    const keys: ConfigKeyInfo[] = [];
    const sections: ConfigSectionInfo[] = [];
    walk(configSchema, "", keys, sections);
    cached = { keys, sections };
  }
  return cached;
}

/** Every leaf key of the configuration, in schema order. */
export function listConfigKeys(): ConfigKeyInfo[] {
  return described().keys;
}

/** Every object (section) of the configuration, in schema order. */
export function listConfigSections(): ConfigSectionInfo[] {
  return described().sections;
}

export function findConfigKey(path: string): ConfigKeyInfo | undefined {
  return described().keys.find((k) => k.path === path);
}

/** True when `path` names a section (an object), e.g. `server` or `directory.ldap`. */
export function isConfigSection(path: string): boolean {
  return described().sections.some((s) => s.path === path);
}

/** A secret by declaration, or by name as a safety net for keys added later without `secret()`. */
export function isMaskedPath(path: string): boolean {
  return isSecretPath(path) || /password$/i.test(path);
}

export const MASK = "********";

/** Deep copy of `value` with every secret replaced by `MASK` (empty secrets stay empty, so "not set" shows). */
export function maskSecrets(value: unknown, prefix = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => v);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const path = prefix === "" ? k : `${prefix}.${k}`;
      if (isMaskedPath(path) && typeof v === "string") out[k] = v === "" ? "" : MASK;
      else if (/headers$/i.test(path) && v !== null && typeof v === "object" && !Array.isArray(v)) {
        // Webhook headers usually carry an API key: show the names, not the values.
        out[k] = Object.fromEntries(Object.keys(v).map((name) => [name, MASK]));
      } else out[k] = maskSecrets(v, path);
    }
    return out;
  }
  return value;
}

/** `opensspr config print`: the effective configuration as YAML, secrets masked. */
export function renderConfigYAML(config: Config): string {
  // Re-parsing puts the keys back in schema order (the loader sets secretKey last).
  return stringify(maskSecrets(configSchema.parse(config)), { lineWidth: 0 });
}

function formatDefault(key: ConfigKeyInfo): string {
  if (key.defaultValue === undefined) {
    return key.path === "secretKey" ? "*(generated into `dataDir/secret.key`)*" : "*(not set)*";
  }
  if (typeof key.defaultValue === "string" && key.defaultValue === "") return '`""`';
  return "`" + JSON.stringify(key.defaultValue) + "`";
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Flat environment aliases (also in `load.ts`), documented with the keys. */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  OPENSSPR_PORT: "server.port",
  OPENSSPR_HOST: "server.host",
  OPENSSPR_PUBLIC_URL: "server.publicUrl",
  OPENSSPR_LOG_LEVEL: "logging.level",
  DATABASE_URL: "database.url",
};

/** The generated `docs/configuration.md` (`npm run docs:config`). */
export function renderConfigDocs(): string {
  const { keys, sections } = described();
  const lines: string[] = [
    "<!-- Generated by `npm run docs:config` from src/config/schema.ts. Do not edit by hand. -->",
    "# Configuration reference",
    "",
    "OpenSSPR reads, in increasing order of precedence:",
    "",
    "1. the defaults below;",
    "2. a YAML file: `--config <file>`, else `$OPENSSPR_CONFIG`, else `./opensspr.yaml` when it exists;",
    "3. environment variables: `OPENSSPR_` + the key path in upper case with `__` between levels",
    "   (`server.port` → `OPENSSPR_SERVER__PORT`), plus the flat aliases listed at the end;",
    "4. command-line flags of `opensspr serve` (`--host`, `--port`).",
    "",
    "Values from the environment are converted to the key's type: numbers, `true`/`false`/`1`/`0`/`yes`/`no`",
    "for booleans, comma-separated text (or a JSON array) for lists, and a JSON object for mappings.",
    "An unknown key or an invalid value stops start-up with a message that names the key (exit code 2).",
    "`opensspr config print` shows the effective configuration with secrets masked.",
    "",
    "Keys marked 🔒 are secrets: they are masked by `config print` and should come from the environment or",
    "a secret file rather than a file in version control.",
    "",
    "Unsafe development defaults — the development mail outbox (`mail.transport: outbox`), a generated secret",
    "key, an `http://` public URL, a placeholder secret key, `server.trustProxy: true` and",
    "`tlsRejectUnauthorized: false` — print a warning at start; with `NODE_ENV=production` OpenSSPR refuses",
    "to start until each is fixed.",
    "",
  ];
  const topLevel = keys.filter((k) => !k.path.includes("."));
  const emit = (title: string, description: string, rows: ConfigKeyInfo[]): void => {
    if (rows.length === 0) return;
    lines.push(`## ${title}`, "");
    if (description !== "") lines.push(description, "");
    lines.push("| Key | Type | Default | Environment variable | Description |", "|---|---|---|---|---|");
    for (const key of rows) {
      lines.push(
        `| \`${key.path}\`${key.secret ? " 🔒" : ""} | ${escapeCell(key.typeLabel)} | ${escapeCell(formatDefault(key))} | \`${key.envVar}\` | ${escapeCell(key.description)} |`,
      );
    }
    lines.push("");
  };
  emit("General", "", topLevel);
  for (const section of sections) {
    const rows = keys.filter(
      (k) => k.path.startsWith(section.path + ".") && k.path.split(".").length === section.path.split(".").length + 1,
    );
    emit(`\`${section.path}\``, section.description, rows);
  }
  lines.push("## Environment aliases", "", "| Variable | Key |", "|---|---|");
  for (const [name, path] of Object.entries(ENV_ALIASES)) lines.push(`| \`${name}\` | \`${path}\` |`);
  lines.push(
    "",
    "`OPENSSPR_CONFIG` names the YAML file. `NODE_ENV=production` turns the unsafe-default warnings into refusals.",
    "",
  );
  return lines.join("\n");
}
