/**
 * The server under test for the reset-flow benchmark, in its own process (so its RSS is its own): builtin
 * directory, SQLite file in a temp dir, mail over SMTP to the sink, the CAPTCHA at its lowest difficulty,
 * argon2id with the configured (default OWASP) parameters. argv: <dataDir> <smtpPort> <users>.
 * Prints `READY <port>`; stops on SIGTERM.
 */
import { configSchema } from "../../src/config/schema.ts";
import { buildServer } from "../../src/http/server.ts";
import { newId } from "../../src/kernel/ids.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { DEFAULT_POLICY } from "../../src/policy/policy.types.ts";
import { buildRegistry } from "../../src/registry.ts";

export const BENCH_PASSWORD = "Initial-Bench-Password-2024";

const [dataDir, smtpPort, userCount] = process.argv.slice(2);
if (dataDir === undefined || smtpPort === undefined || userCount === undefined) {
  console.error("usage: server.ts <dataDir> <smtpPort> <users>");
  process.exit(2);
}

const config = configSchema.parse({
  dataDir,
  secretKey: "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
  server: { host: "127.0.0.1", port: 0, publicUrl: "http://127.0.0.1", trustProxy: "127.0.0.1" },
  database: { url: "" },
  directory: { kind: "builtin" },
  mail: { transport: "smtp", smtp: { host: "127.0.0.1", port: Number(smtpPort), timeoutMs: 5000 } },
  // Lowest difficulty the schema accepts (altcha maxnumber 1000).
  security: { captchaMaxNumber: 1000 },
  // The outbox worker polls often so that mail latency does not hide the flow's own cost.
  outbox: { pollIntervalMs: 10 },
  logging: { level: "silent" },
});

const registry = await buildRegistry(config, { log: createLogger({ level: "silent" }) });
const current = await registry.policy.current();
await registry.policy.save(
  { ...DEFAULT_POLICY, enabled: "all", methodsRequired: 1, methods: ["email-code"] },
  { expectedVersion: current.version, actor: { id: "bench", name: "bench" }, ctx: null },
);
const hash = await registry.hasher.hash(BENCH_PASSWORD);
const now = new Date();
for (let i = 0; i < Number(userCount); i++) {
  await registry.stores.builtin.insertUser({
    id: newId(registry.random, now),
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
}
const app = await buildServer(registry);
await app.listen({ host: "127.0.0.1", port: 0 });
registry.outboxWorker.start();
const address = app.server.address();
process.stdout.write(`READY ${typeof address === "object" && address !== null ? address.port : 0}\n`);
process.on("SIGTERM", () => {
  void app
    .close()
    .then(() => registry.close())
    .then(() => process.exit(0));
});
