/**
 * Shared set-up for the methods / notify / audit unit tests: real SQLite stores in memory, a manual clock,
 * a real notifier writing to the outbox (the oracle for sent codes), fast argon2 parameters, and a
 * throttle service that records every hit and refuses the counters a test marks as exhausted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuditRecorder } from "../../src/audit/recorder.ts";
import { type Config, configSchema } from "../../src/config/schema.ts";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import { createManualClock, type ManualClock } from "../../src/kernel/clock.ts";
import { createLogger, type Logger } from "../../src/kernel/logger.ts";
import { createArgon2Hasher, type PasswordHasher } from "../../src/kernel/passwords.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { deriveKeyRing, type KeyRing } from "../../src/kernel/secrets.ts";
import { createCodeService } from "../../src/methods/codes.ts";
import type { MethodDeps } from "../../src/methods/deps.ts";
import { createNotifier } from "../../src/notify/notifier.ts";
import { DEFAULT_POLICY, type SSPRPolicy } from "../../src/policy/policy.types.ts";
import type { RequestContext, ThrottleCounter, ThrottleService } from "../../src/registry.types.ts";
import { createSqlStores, type SqlStores } from "../../src/store/sql/stores.ts";
import type { OutboxRow } from "../../src/store/types.ts";

export interface RecordingThrottles extends ThrottleService {
  accountHits: { userId: string; counter: ThrottleCounter }[];
  keyHits: { key: string; limit: number; windowMs: number }[];
  /** Counters (or `key:<prefix>`) that answer "not allowed". */
  refuse: Set<string>;
}

export function recordingThrottles(): RecordingThrottles {
  const throttles: RecordingThrottles = {
    accountHits: [],
    keyHits: [],
    refuse: new Set(),
    async hitAccount(userId, counter) {
      throttles.accountHits.push({ userId, counter });
      return { allowed: !throttles.refuse.has(counter) };
    },
    async isAccountBlocked() {
      return null;
    },
    async hitKey(key, options) {
      throttles.keyHits.push({ key, ...options });
      const refused = [...throttles.refuse].some((r) => r.startsWith("key:") && key.startsWith(r.slice(4)));
      return { allowed: !refused };
    },
    async clearAccount() {},
    async unblock() {},
  };
  return throttles;
}

export interface TestEnv extends MethodDeps {
  stores: SqlStores;
  clock: ManualClock;
  keys: KeyRing;
  config: Config;
  hasher: PasswordHasher;
  throttles: RecordingThrottles;
  log: Logger;
  /** Messages enqueued to `recipient`, newest first. */
  outboxFor(recipient: string): Promise<OutboxRow[]>;
  close(): Promise<void>;
}

export const FAST_ARGON2 = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

export async function createTestEnv(configInput: Record<string, unknown> = {}): Promise<TestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), "opensspr-methods-"));
  const stores = await createSqlStores({ url: "sqlite::memory:", dataDir });
  const clock = createManualClock(new Date("2026-03-02T10:00:00.000Z"));
  const config = configSchema.parse({ dataDir, ...configInput });
  const keys = deriveKeyRing("test-secret-key-that-is-at-least-32-characters");
  const random = secureRandom;
  const codes = createCodeService({ stores, clock, random, keys, config });
  const notifier = createNotifier({ stores, clock, random, config });
  return {
    stores,
    clock,
    random,
    keys,
    config,
    hasher: createArgon2Hasher(FAST_ARGON2),
    codes,
    notifier,
    throttles: recordingThrottles(),
    log: createLogger({ level: "silent" }),
    audit: createAuditRecorder({ stores, clock, random, log: createLogger({ level: "silent" }) }),
    async outboxFor(recipient) {
      const { rows } = await stores.outbox.list({ offset: 0, limit: 1000 });
      return rows.filter((row) => row.recipient === recipient);
    },
    async close() {
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testUser(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: "u-alice",
    userName: "alice",
    displayName: "Alice Martin",
    email: "alice@corp.example",
    mobile: null,
    officePhone: null,
    ...overrides,
  };
}

export const REQUEST: RequestContext = {
  ip: "203.0.113.7",
  userAgent: "node-test",
  requestId: "req-0001",
  locale: "en",
};

export function testPolicy(overrides: Partial<SSPRPolicy> = {}): SSPRPolicy {
  return { ...DEFAULT_POLICY, enabled: "all", methods: ["email-code", "totp", "security-questions"], ...overrides };
}

/** The code in the newest message to `recipient` (the mail is the oracle, as in the real flow). */
export async function lastCodeSentTo(env: TestEnv, recipient: string): Promise<string> {
  const [latest] = await env.outboxFor(recipient);
  const match = latest === undefined ? null : /\b(\d{6,10})\b/.exec(latest.body);
  if (match === null) throw new Error(`no code was sent to ${recipient}`);
  return match[1] as string;
}
