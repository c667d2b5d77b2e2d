import { z } from "zod";

/**
 * The configuration schema. Every key has a documented default (`.describe()` is the documentation;
 * `opensspr config print` and docs/configuration.md are generated from it). Secrets are marked with
 * `secret()` so they are masked when printed.
 */
const SECRET_KEYS = new Set<string>();
function secret<T extends z.ZodType>(schema: T, path: string): T {
  SECRET_KEYS.add(path);
  return schema;
}
export function isSecretPath(path: string): boolean {
  return SECRET_KEYS.has(path);
}

const argon2 = z
  .object({
    memoryCost: z.number().int().min(8192).default(19456).describe("argon2id memory in KiB (OWASP: 19456)."),
    timeCost: z.number().int().min(1).default(2).describe("argon2id iterations (OWASP: 2)."),
    parallelism: z.number().int().min(1).default(1).describe("argon2id lanes (OWASP: 1)."),
  })
  .prefault({});

const ldap = z
  .object({
    urls: z.array(z.string()).default(["ldap://127.0.0.1:389"]).describe("Server URLs, tried in order (failover)."),
    startTLS: z.boolean().default(false).describe("Upgrade ldap:// connections with StartTLS."),
    caFile: z.string().optional().describe("PEM file with the CA that signed the server certificate."),
    tlsRejectUnauthorized: z.boolean().default(true).describe("Refuse servers whose certificate does not verify."),
    bindDN: z.string().default("").describe("Service account DN."),
    bindPassword: secret(z.string().default(""), "directory.ldap.bindPassword").describe("Service account password."),
    userBase: z.string().default("").describe("Base DN for user searches."),
    userFilter: z.string().default("(objectClass=inetOrgPerson)").describe("Filter every user entry matches."),
    identifierAttributes: z.array(z.string()).default(["uid", "mail"]).describe("Attributes a typed identifier is matched against."),
    groupBase: z.string().default("").describe("Base DN for group searches."),
    groupMembership: z.enum(["memberOf", "search"]).default("search").describe("How groups are found."),
    passwordWrite: z.enum(["passwordModify", "replace"]).default("passwordModify").describe("RFC 3062 extended op or userPassword replace."),
    attributes: z
      .object({
        displayName: z.string().default("cn"),
        email: z.string().default("mail"),
        mobile: z.string().default("mobile"),
        officePhone: z.string().default("telephoneNumber"),
      })
      .prefault({})
      .describe("Directory attributes mapped to OpenSSPR's user fields (pre-populated contact data)."),
    connectTimeoutMs: z.number().int().positive().default(5000),
    timeoutMs: z.number().int().positive().default(5000),
    poolSize: z.number().int().min(1).max(32).default(4),
  })
  .prefault({});

export const configSchema = z.object({
  dataDir: z.string().default("./data").describe("Directory for the SQLite database, generated secrets and dev files."),
  secretKey: secret(z.string().min(32).optional(), "secretKey").describe(
    "Master secret (≥ 32 chars) from which code digests, CSRF and encryption keys are derived. Generated into dataDir on first start if absent (development only).",
  ),
  server: z
    .object({
      host: z.string().default("127.0.0.1").describe("Listen address."),
      port: z.number().int().min(0).max(65535).default(3000).describe("Listen port."),
      publicUrl: z.string().url().default("http://localhost:3000").describe(
        "The portal's public URL. Every link and the WebAuthn origin are built from it, never from the Host header.",
      ),
      trustProxy: z.union([z.boolean(), z.string()]).default(false).describe("Trust X-Forwarded-* from these proxies."),
      bodyLimitBytes: z.number().int().min(1024).max(10_000_000).default(65536).describe("Largest accepted request body."),
      allowedReturnOrigins: z.array(z.string()).default([]).describe(
        "Origins `return_to` may point at after registration (the portal's own origin is always allowed).",
      ),
    })
    .prefault({}),
  database: z
    .object({
      url: z.string().default("").describe(
        "`postgres://…` for PostgreSQL; empty for SQLite at `<dataDir>/opensspr.db`; `sqlite::memory:` for tests.",
      ),
    })
    .prefault({}),
  directory: z
    .object({
      kind: z.enum(["builtin", "ldap", "active-directory"]).default("builtin").describe("Where accounts and passwords live."),
      adminGroups: z.array(z.string()).default(["opensspr-admins"]).describe(
        "Members (nested) of these groups are OpenSSPR administrators and fall under the administrator policy.",
      ),
      helpdeskGroups: z.array(z.string()).default(["opensspr-helpdesk"]).describe("Members are helpdesk agents."),
      ldap,
      activeDirectory: ldap,
    })
    .prefault({}),
  mail: z
    .object({
      transport: z.enum(["outbox", "smtp"]).default("outbox").describe(
        "`outbox` keeps mail in the development outbox (admin portal); `smtp` delivers it.",
      ),
      from: z.string().default("OpenSSPR <no-reply@localhost>").describe("From address."),
      smtp: z
        .object({
          host: z.string().default("127.0.0.1"),
          port: z.number().int().default(587),
          secure: z.boolean().default(false).describe("Implicit TLS (port 465)."),
          requireTLS: z.boolean().default(false).describe("Require STARTTLS."),
          user: z.string().default(""),
          password: secret(z.string().default(""), "mail.smtp.password"),
          timeoutMs: z.number().int().positive().default(10000),
        })
        .prefault({}),
    })
    .prefault({}),
  security: z
    .object({
      argon2,
      captchaMaxNumber: z.number().int().min(1000).max(10_000_000).default(100_000).describe(
        "Proof-of-work difficulty (altcha maxNumber). Higher is slower for bots and people.",
      ),
      signInMaxAttempts: z.number().int().min(1).default(5).describe("Failed portal sign-ins per account per 15 minutes."),
      sessionTtlSeconds: z.number().int().min(60).default(3600).describe("Idle lifetime of portal sessions."),
    })
    .prefault({}),
  flows: z
    .object({
      resetTtlSeconds: z.number().int().min(60).default(900).describe("FLOW-01: a reset flow lives 15 minutes."),
      codeTtlSeconds: z.number().int().min(30).default(300).describe("FLOW-02: a code is valid 5 minutes."),
      codeDigits: z.number().int().min(6).max(10).default(8).describe("Digits in a one-time code."),
      codeMaxAttempts: z.number().int().min(1).max(10).default(5).describe("Guesses allowed per code."),
    })
    .prefault({}),
  outbox: z
    .object({
      pollIntervalMs: z.number().int().min(10).default(500),
      maxAttempts: z.number().int().min(1).default(8),
    })
    .prefault({}),
  audit: z.object({ retentionDays: z.number().int().min(1).default(365) }).prefault({}),
  logging: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") }).prefault({}),
  i18n: z.object({ defaultLocale: z.enum(["en", "fr", "de"]).default("en") }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
