/**
 * The server under test for the reset-flow benchmark, in its own process (so its RSS is its own): builtin
 * directory, SQLite file in a temp dir, mail over SMTP to the sink, the CAPTCHA at its lowest difficulty,
 * argon2id with the configured (default OWASP) parameters. argv: <dataDir> <smtpPort> <users> [<ldap JSON>].
 * With the optional fifth argument — `directory.ldap` settings as JSON — the server uses that OpenLDAP
 * directory (whose `bench-<i>` users the driver created, mail pre-populated) instead of the builtin one.
 * Prints `READY <port>`; stops on SIGTERM.
 */

import { configSchema } from "../../src/config/schema.ts";
import { historyFingerprint } from "../../src/directory/builtin/builtin.connector.ts";
import { buildServer } from "../../src/http/server.ts";
import { newId } from "../../src/kernel/ids.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { DEFAULT_POLICY } from "../../src/policy/policy.types.ts";
import { buildRegistry } from "../../src/registry.ts";

export const BENCH_PASSWORD = "Initial-Bench-Password-2024";

const [dataDir, smtpPort, userCount, ldapJSON] = process.argv.slice(2);
if (dataDir === undefined || smtpPort === undefined || userCount === undefined) {
  console.error("usage: server.ts <dataDir> <smtpPort> <users>");
  process.exit(2);
}

const config = configSchema.parse({
  dataDir,
  secretKey: "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
  server: { host: "127.0.0.1", port: 0, publicUrl: "http://127.0.0.1", trustProxy: "127.0.0.1" },
  database: { url: "" },
  directory:
    ldapJSON === undefined
      ? { kind: "builtin" }
      : { kind: "ldap", ldap: JSON.parse(ldapJSON) as Record<string, unknown> },
  mail: { transport: "smtp", smtp: { host: "127.0.0.1", port: Number(smtpPort), timeoutMs: 5000 } },
  // Lowest difficulty the schema accepts (altcha maxnumber 1000).
  security: { captchaMaxNumber: 1000 },
  // The outbox worker polls often so that mail latency does not hide the flow's own cost.
  outbox: { pollIntervalMs: 10 },
  logging: { level: "silent" },
});

/**
 * `BENCH_COUNT_LDAP=1`: counts the LDAP operations the server sends (by kind) and prints them to stderr on
 * SIGTERM as `LDAP-OPS {...}` — how many round trips one flow costs the directory.
 */
const ldapOps: Record<string, number> = {};
if (process.env.BENCH_COUNT_LDAP === "1" && ldapJSON !== undefined) {
  const { Client } = await import("ldapts");
  const proto = Client.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ["bind", "startTLS", "search", "modify", "exop", "unbind"]) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const key = name === "search" ? `search(${(args[1] as { scope?: string } | undefined)?.scope ?? "sub"})` : name;
      ldapOps[key] = (ldapOps[key] ?? 0) + 1;
      return original.apply(this, args);
    };
  }
}

const registry = await buildRegistry(config, { log: createLogger({ level: "silent" }) });
if (process.env.BENCH_COUNT_LDAP === "1" && ldapJSON !== undefined) {
  // The connector calls behind those operations, by method.
  const count = (target: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(target)) {
      if (typeof value !== "function" || name === "close") continue;
      target[name] = (...args: unknown[]) => {
        const key = `connector.${prefix}${name}`;
        ldapOps[key] = (ldapOps[key] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    }
  };
  count(registry.directory as unknown as Record<string, unknown>, "");
  if (registry.directory.passwords !== undefined)
    count(registry.directory.passwords as unknown as Record<string, unknown>, "passwords.");
}
const current = await registry.policy.current();
await registry.policy.save(
  { ...DEFAULT_POLICY, enabled: "all", methodsRequired: 1, methods: ["email-code"] },
  { expectedVersion: current.version, actor: { id: "bench", name: "bench" }, ctx: null },
);
const hash = ldapJSON === undefined ? await registry.hasher.hash(BENCH_PASSWORD) : "";
const now = new Date();
for (let i = 0; i < (ldapJSON === undefined ? Number(userCount) : 0); i++) {
  const id = newId(registry.random, now);
  await registry.stores.builtin.insertUser({
    id,
    userName: `bench-${i}`,
    displayName: `Bench User ${i}`,
    email: `bench-${i}@bench.test`,
    mobile: null,
    officePhone: null,
    enabled: true,
    passwordHash: hash,
    passwordChangedAt: now,
    mustChangePassword: false,
    lockedAt: null,
    failedLogins: 0,
    createdAt: now,
    updatedAt: now,
  });
  // As if the password had been set through the product: its history fingerprint exists, so a reset costs one
  // argon2 hash (accounts written straight into the store would pay one extra verification on first reset).
  await registry.stores.builtin.setPassword(id, hash, {
    at: now,
    mustChange: false,
    keepHistory: DEFAULT_POLICY.passwords.historyCount,
    historyEntry: historyFingerprint(registry.keys.passwordHistory, id, BENCH_PASSWORD, now),
  });
}
const app = await buildServer(registry);
await app.listen({ host: "127.0.0.1", port: 0 });
registry.outboxWorker.start();
const address = app.server.address();
process.stdout.write(`READY ${typeof address === "object" && address !== null ? address.port : 0}\n`);
process.on("SIGTERM", () => {
  if (Object.keys(ldapOps).length > 0) process.stderr.write(`LDAP-OPS ${JSON.stringify(ldapOps)}\n`);
  void app
    .close()
    .then(() => registry.close())
    .then(() => process.exit(0));
});
