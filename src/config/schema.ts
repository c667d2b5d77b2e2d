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
    // The same object serves `directory.ldap` and `directory.activeDirectory`: both paths are secrets.
    bindPassword: secret(
      secret(z.string().default(""), "directory.ldap.bindPassword"),
      "directory.activeDirectory.bindPassword",
    ).describe("Service account password."),
    userBase: z.string().default("").describe("Base DN for user searches."),
    userFilter: z.string().default("(objectClass=inetOrgPerson)").describe("Filter every user entry matches."),
    identifierAttributes: z
      .array(z.string())
      .default(["uid", "mail"])
      .describe("Attributes a typed identifier is matched against."),
    groupBase: z.string().default("").describe("Base DN for group searches."),
    groupMembership: z.enum(["memberOf", "search"]).default("search").describe("How groups are found."),
    passwordWrite: z
      .enum(["passwordModify", "replace"])
      .default("passwordModify")
      .describe("RFC 3062 extended op or userPassword replace."),
    attributes: z
      .object({
        displayName: z.string().default("cn").describe("Attribute holding the display name."),
        email: z.string().default("mail").describe("Attribute holding the email address."),
        mobile: z.string().default("mobile").describe("Attribute holding the mobile number."),
        officePhone: z.string().default("telephoneNumber").describe("Attribute holding the office phone number."),
      })
      .prefault({})
      .describe("Directory attributes mapped to OpenSSPR's user fields (pre-populated contact data)."),
    connectTimeoutMs: z.number().int().positive().default(5000).describe("TCP/TLS connect timeout in milliseconds."),
    timeoutMs: z.number().int().positive().default(5000).describe("Timeout of one LDAP operation in milliseconds."),
    poolSize: z.number().int().min(1).max(32).default(4).describe("Service-account connections kept open."),
    userNameAttribute: z.string().default("uid").describe("Attribute holding the sign-in name shown as the user name."),
    groupFilter: z
      .string()
      .default("(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))")
      .describe("Filter every group entry matches."),
    groupNameAttribute: z
      .string()
      .default("cn")
      .describe("Attribute holding a group's name (policy scope, admin groups)."),
    groupMemberAttribute: z.string().default("member").describe("Attribute of a group listing its members' DNs."),
    maxGroupDepth: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe("Deepest group nesting followed (cycles are ignored)."),
    passwordPolicyDN: z
      .string()
      .default("")
      .describe(
        "OpenLDAP: the default ppolicy entry (ppolicy_default), read for lockout duration and maximum age when a user has no pwdPolicySubentry.",
      ),
    protectedAccountFilter: z
      .string()
      .default("")
      .describe(
        "Users matching this filter are protected: self-service reset and unlock are refused (ADM-07, REQ-105). Empty: none.",
      ),
    policyHints: z
      .enum(["1.2.840.113556.1.4.2066", "1.2.840.113556.1.4.2239", "off"])
      .default("1.2.840.113556.1.4.2066")
      .describe(
        "Active Directory: LDAP_SERVER_POLICY_HINTS control sent (non-critical) with resets so the DC enforces history and minimum age (2066 works on 2008 R2 and later, 2239 on 2012 and later).",
      ),
  })
  .prefault({});

/** Active Directory: the same keys with AD defaults (LDAPS, sAMAccountName, objectClass=user, adminCount=1). */
const activeDirectory = ldap
  .unwrap()
  .extend({
    urls: z
      .array(z.string())
      .default(["ldaps://127.0.0.1:636"])
      .describe("Server URLs (ldaps://, or ldap:// with startTLS), tried in order (failover)."),
    userFilter: z
      .string()
      .default("(&(objectCategory=person)(objectClass=user))")
      .describe(
        "Filter every user entry matches. Disabled accounts are found and then refused by their status (enabled=false), so they get the same generic answer as unknown ones; add (!(userAccountControl:1.2.840.113556.1.4.803:=2)) to hide them entirely.",
      ),
    identifierAttributes: z
      .array(z.string())
      .default(["sAMAccountName", "userPrincipalName", "mail"])
      .describe("Attributes a typed identifier is matched against."),
    userNameAttribute: z.string().default("sAMAccountName").describe("Attribute holding the sign-in name."),
    groupFilter: z.string().default("(objectClass=group)").describe("Filter every group entry matches."),
    protectedAccountFilter: z
      .string()
      .default("(adminCount=1)")
      .describe("Users matching this filter are protected (AdminSDHolder): self-service reset and unlock are refused."),
    attributes: z
      .object({
        displayName: z.string().default("displayName").describe("Attribute holding the display name."),
        email: z.string().default("mail").describe("Attribute holding the email address."),
        mobile: z.string().default("mobile").describe("Attribute holding the mobile number."),
        officePhone: z.string().default("telephoneNumber").describe("Attribute holding the office phone number."),
      })
      .prefault({})
      .describe("Directory attributes mapped to OpenSSPR's user fields (pre-populated contact data)."),
  })
  .prefault({});

export const configSchema = z.object({
  dataDir: z.string().default("./data").describe("Directory for the SQLite database, generated secrets and dev files."),
  secretKey: secret(z.string().min(32).optional(), "secretKey").describe(
    "Master secret (≥ 32 chars) from which code digests, CSRF and encryption keys are derived. Generated into dataDir on first start if absent (development only).",
  ),
  secretKeyFile: z
    .string()
    .optional()
    .describe(
      "File holding the secret key (a systemd/Docker secret), read when `secretKey` is not set. Keep it outside dataDir and out of backups of the database.",
    ),
  server: z
    .object({
      host: z.string().default("127.0.0.1").describe("Listen address."),
      port: z.number().int().min(0).max(65535).default(3000).describe("Listen port."),
      publicUrl: z
        .string()
        .url()
        .default("http://localhost:3000")
        .describe(
          "The portal's public URL. Every link and the WebAuthn origin are built from it, never from the Host header. When unset: http://localhost:<server.port>.",
        ),
      trustProxy: z.union([z.boolean(), z.string()]).default(false).describe("Trust X-Forwarded-* from these proxies."),
      bodyLimitBytes: z
        .number()
        .int()
        .min(1024)
        .max(10_000_000)
        .default(65536)
        .describe("Largest accepted request body."),
      allowedReturnOrigins: z
        .array(z.string())
        .default([])
        .describe("Origins `return_to` may point at after registration (the portal's own origin is always allowed)."),
    })
    .prefault({}),
  database: z
    .object({
      url: z
        .string()
        .default("")
        .describe(
          "`postgres://…` for PostgreSQL; empty for SQLite at `<dataDir>/opensspr.db`; `sqlite::memory:` for tests.",
        ),
    })
    .prefault({}),
  directory: z
    .object({
      kind: z
        .enum(["builtin", "ldap", "active-directory"])
        .default("builtin")
        .describe("Where accounts and passwords live."),
      adminGroups: z
        .array(z.string())
        .default(["opensspr-admins"])
        .describe(
          "Members (nested) of these groups are OpenSSPR administrators and fall under the administrator policy.",
        ),
      helpdeskGroups: z.array(z.string()).default(["opensspr-helpdesk"]).describe("Members are helpdesk agents."),
      ldap,
      activeDirectory,
    })
    .prefault({}),
  mail: z
    .object({
      transport: z
        .enum(["outbox", "smtp"])
        .default("outbox")
        .describe("`outbox` keeps mail in the development outbox (admin portal); `smtp` delivers it."),
      from: z.string().default("OpenSSPR <no-reply@localhost>").describe("From address."),
      smtp: z
        .object({
          host: z.string().default("127.0.0.1").describe("SMTP server host name."),
          port: z.number().int().default(587).describe("SMTP server port (587 submission, 465 implicit TLS)."),
          secure: z.boolean().default(false).describe("Implicit TLS (port 465)."),
          requireTLS: z.boolean().default(false).describe("Require STARTTLS."),
          user: z.string().default("").describe("SMTP user name; empty for no authentication."),
          password: secret(z.string().default(""), "mail.smtp.password").describe("SMTP password."),
          timeoutMs: z
            .number()
            .int()
            .positive()
            .default(10000)
            .describe("Connection and command timeout in milliseconds."),
        })
        .prefault({}),
    })
    .prefault({}),
  security: z
    .object({
      argon2,
      captchaMaxNumber: z
        .number()
        .int()
        .min(1000)
        .max(10_000_000)
        .default(100_000)
        .describe("Proof-of-work difficulty (altcha maxNumber). Higher is slower for bots and people."),
      signInMaxAttempts: z
        .number()
        .int()
        .min(1)
        .default(5)
        .describe("Failed portal sign-ins per account per 15 minutes."),
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
  sms: z
    .object({
      provider: z
        .enum(["outbox", "twilio", "webhook"])
        .default("outbox")
        .describe(
          "SMS and voice delivery: `outbox` keeps messages in the development outbox; `twilio` uses a Twilio-compatible REST API; `webhook` calls a generic HTTP endpoint.",
        ),
      defaultCountry: z
        .string()
        .length(2)
        .default("US")
        .describe("ISO country whose national number format is accepted without a `+` prefix (e.g. `US`, `GB`, `FR`)."),
      allowedCountries: z
        .array(z.string().length(2))
        .default([])
        .describe("SMS-pumping defence: countries codes may be sent to. Empty = the default country only."),
      caps: z
        .object({
          perDestinationPerHour: z.number().int().min(1).default(5).describe("Codes sent to one number per hour."),
          perAccountPerHour: z
            .number()
            .int()
            .min(1)
            .default(5)
            .describe("SMS/voice codes sent for one account per hour (THR-03)."),
          globalPerHour: z
            .number()
            .int()
            .min(1)
            .default(500)
            .describe("All SMS/voice codes per hour, whole deployment."),
        })
        .prefault({}),
      twilio: z
        .object({
          baseUrl: z
            .string()
            .url()
            .default("https://api.twilio.com")
            .describe("API base URL (a compatible provider or a test server)."),
          accountSid: z.string().default("").describe("Account SID (HTTP Basic user)."),
          authToken: secret(z.string().default(""), "sms.twilio.authToken").describe(
            "Auth token (HTTP Basic password).",
          ),
          from: z.string().default("").describe("Sender number in E.164, or a Messaging Service SID (`MG…`)."),
          voiceLanguage: z.string().default("en-US").describe("Language of the voice call's text-to-speech."),
          timeoutMs: z.number().int().positive().default(10000).describe("Request timeout in milliseconds."),
        })
        .prefault({}),
      webhook: z
        .object({
          method: z.enum(["POST", "PUT", "GET"]).default("POST").describe("HTTP method of the webhook request."),
          url: z.string().default("").describe("Endpoint; `{{to}}`, `{{channel}}` may appear (URL-encoded)."),
          headers: z.record(z.string(), z.string()).default({}).describe("Extra request headers (e.g. an API key)."),
          bodyTemplate: z
            .string()
            .default('{"to":"{{to}}","channel":"{{channel}}","message":"{{message}}"}')
            .describe(
              "Request body; `{{to}}`, `{{channel}}` (`sms`/`voice`), `{{message}}` are substituted, JSON-escaped when the content type is JSON.",
            ),
          contentType: z.string().default("application/json").describe("Content-Type of the request body."),
          successStatus: z
            .array(z.number().int())
            .default([200, 201, 202, 204])
            .describe("Statuses that mean delivered."),
          timeoutMs: z.number().int().positive().default(10000).describe("Request timeout in milliseconds."),
        })
        .prefault({}),
    })
    .prefault({}),
  outbox: z
    .object({
      pollIntervalMs: z
        .number()
        .int()
        .min(10)
        .default(500)
        .describe("How often the delivery worker looks for due messages."),
      maxAttempts: z
        .number()
        .int()
        .min(1)
        .default(8)
        .describe("Delivery attempts (with back-off) before a message is marked failed."),
    })
    .prefault({}),
  audit: z
    .object({
      retentionDays: z.number().int().min(1).default(365).describe("Audit records older than this are deleted."),
    })
    .prefault({}),
  logging: z
    .object({
      level: z
        .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
        .default("info")
        .describe("Lowest level written to the JSON log on stdout."),
    })
    .prefault({}),
  i18n: z
    .object({
      defaultLocale: z
        .enum(["en", "fr", "de"])
        .default("en")
        .describe("Language used when neither `?lang=` nor Accept-Language picks a supported one."),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
