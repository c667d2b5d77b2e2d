/**
 * Builds the whole application for a test: validated config (SQLite in memory, fixed secret key, the
 * development outbox as mail transport, cheap argon2), the real registry with a manual clock, the real
 * HTTP server (used through `app.inject`, no socket). Helpers create builtin users/groups and read the
 * development mailbox — the oracle for anything sent by email/SMS/voice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { type ConfigInput, configSchema } from "../../src/config/schema.ts";
import type { DirectoryUser, GroupRef } from "../../src/directory/connector.ts";
import { buildServer } from "../../src/http/server.ts";
import { createManualClock, type ManualClock } from "../../src/kernel/clock.ts";
import { newId } from "../../src/kernel/ids.ts";
import { createLogger } from "../../src/kernel/logger.ts";
import { generateTOTP } from "../../src/methods/totp/totp.method.ts";
import { DEFAULT_POLICY, type SSPRPolicy } from "../../src/policy/policy.types.ts";
import { buildRegistry } from "../../src/registry.ts";
import type { Registry } from "../../src/registry.types.ts";
import type { DevMailboxRow } from "../../src/store/types.ts";
import { createClient, type HTTPClient } from "./http-client.ts";

/** The fixed secret key of every test app (derived keys are therefore stable across runs). */
export const TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz";
/** A password that passes the default password policy (not on the banned list, long enough). */
export const TEST_PASSWORD = "Correct-Horse-Battery-Staple-42";

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

export interface BuildTestAppOptions {
  clock?: ManualClock;
  /** Merged (deeply) over the test defaults. */
  config?: DeepPartial<ConfigInput>;
  /** Merged (one level deep) over DEFAULT_POLICY and saved as policy version 1 when given. */
  policy?: Partial<SSPRPolicy>;
  /** Keep every log line (JSON strings) in `logs` instead of discarding them. */
  captureLogs?: boolean;
}

export interface CreateUserInput {
  userName: string;
  displayName?: string;
  email?: string | null;
  mobile?: string | null;
  officePhone?: string | null;
  /** @default TEST_PASSWORD */
  password?: string;
  /** Group names; created when missing. */
  groups?: string[];
  /** @default true */
  enabled?: boolean;
}

export interface TestApp {
  app: FastifyInstance;
  registry: Registry;
  clock: ManualClock;
  /** Captured log lines (only with `captureLogs`). */
  logs: string[];
  close(): Promise<void>;
  /** Creates a builtin user (password hashed with the registry's hasher) and returns it as the directory sees it. */
  createUser(input: CreateUserInput): Promise<DirectoryUser>;
  /** Creates a builtin group (or returns the existing one). */
  createGroup(name: string): Promise<GroupRef>;
  addToGroup(userId: string, groupName: string): Promise<void>;
  /** A user in the first configured admin group. */
  createAdmin(input: Omit<CreateUserInput, "groups"> & { groups?: string[] }): Promise<DirectoryUser>;
  /** Saves a policy (merged over the current one) as a new version. */
  savePolicy(patch: Partial<SSPRPolicy>): Promise<void>;
  /** Delivers everything queued in the outbox, then lists the dev mailbox (newest first), optionally for one recipient. */
  mailbox(recipient?: string): Promise<DevMailboxRow[]>;
  /** The last `digits`-digit code sent to `recipient` (after draining the outbox), or null. */
  lastCode(recipient: string, digits?: number): Promise<string | null>;
  /**
   * Registers an authenticator app for `user` through the TOTP method's own enrollment contract and returns
   * its seed and a function giving the code for the test clock's current time (advance the clock 30 s
   * between two uses: a code is accepted once per time step).
   */
  enrollTOTP(user: DirectoryUser): Promise<{ enrollmentId: string; secretBase32: string; code(): string }>;
  /**
   * A browser signed in to the admin portal: creates an administrator (default user name `admin`) with an
   * authenticator app, signs in with password + TOTP over HTTP. Throws if any step does not land where expected.
   */
  signInAdmin(options?: {
    userName?: string;
  }): Promise<{ client: HTTPClient; user: DirectoryUser; totp: { code(): string } }>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

export async function buildTestApp(options: BuildTestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "opensspr-test-"));
  const defaults: Record<string, unknown> = {
    dataDir,
    secretKey: TEST_SECRET_KEY,
    server: { publicUrl: "http://localhost:3000" },
    database: { url: "sqlite::memory:" },
    directory: { kind: "builtin" },
    mail: { transport: "outbox" },
    // Cheapest argon2 the schema accepts: tests that do not measure hashing should not pay for it.
    security: { argon2: { memoryCost: 8192, timeCost: 1, parallelism: 1 } },
    logging: { level: options.captureLogs === true ? "info" : "silent" },
  };
  const config = configSchema.parse(deepMerge(defaults, (options.config ?? {}) as Record<string, unknown>));
  const clock = options.clock ?? createManualClock();
  const logs: string[] = [];
  const log =
    options.captureLogs === true
      ? createLogger({
          level: config.logging.level,
          destination: new Writable({
            write(chunk, _encoding, callback) {
              for (const line of String(chunk).split("\n")) if (line.trim() !== "") logs.push(line);
              callback();
            },
          }),
        })
      : createLogger({ level: "silent" });
  const registry = await buildRegistry(config, { clock, log });
  const app = await buildServer(registry);
  await app.ready();

  const savePolicy = async (patch: Partial<SSPRPolicy>): Promise<void> => {
    const current = await registry.policy.current();
    await registry.policy.save(
      { ...current.policy, ...patch },
      { expectedVersion: current.version, actor: { id: "test", name: "test" }, ctx: null },
    );
  };
  if (options.policy !== undefined) await savePolicy({ ...DEFAULT_POLICY, ...options.policy });

  const createGroup = async (name: string): Promise<GroupRef> => {
    const existing = await registry.stores.builtin.findGroupByName(name);
    if (existing !== null) return { id: existing.id, name: existing.name };
    const row = { id: newId(registry.random, clock.now()), name, description: "", createdAt: clock.now() };
    await registry.stores.builtin.insertGroup(row);
    return { id: row.id, name: row.name };
  };
  const addToGroup = async (userId: string, groupName: string): Promise<void> => {
    const group = await createGroup(groupName);
    await registry.stores.builtin.addMember(group.id, { kind: "user", id: userId });
  };
  const createUser = async (input: CreateUserInput): Promise<DirectoryUser> => {
    const now = clock.now();
    const id = newId(registry.random, now);
    await registry.stores.builtin.insertUser({
      id,
      userName: input.userName,
      displayName: input.displayName ?? input.userName,
      email: input.email === undefined ? `${input.userName}@example.test` : input.email,
      mobile: input.mobile ?? null,
      officePhone: input.officePhone ?? null,
      enabled: input.enabled ?? true,
      passwordHash: await registry.hasher.hash(input.password ?? TEST_PASSWORD),
      passwordChangedAt: now,
      mustChangePassword: false,
      lockedAt: null,
      failedLogins: 0,
      createdAt: now,
      updatedAt: now,
    });
    for (const group of input.groups ?? []) await addToGroup(id, group);
    const user = await registry.directory.getUser(id);
    if (user === null) throw new Error(`created user ${input.userName} is not visible in the directory`);
    return user;
  };
  // Messages delivered at the same (manual) clock time are ordered by when this helper first saw them.
  const seen = new Map<string, number>();
  let seenSequence = 0;
  const mailbox = async (recipient?: string): Promise<DevMailboxRow[]> => {
    await registry.outboxWorker.drain();
    const { rows } = await registry.stores.devMailbox.list({
      ...(recipient !== undefined ? { recipient } : {}),
      offset: 0,
      limit: 500,
    });
    for (const row of [...rows].reverse()) if (!seen.has(row.id)) seen.set(row.id, ++seenSequence);
    return [...rows].sort(
      (a, b) => b.deliveredAt.getTime() - a.deliveredAt.getTime() || (seen.get(b.id) ?? 0) - (seen.get(a.id) ?? 0),
    );
  };

  const testApp: TestApp = {
    app,
    registry,
    clock,
    logs,
    async close() {
      await app.close();
      await registry.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    createUser,
    createGroup,
    addToGroup,
    createAdmin: (input) =>
      createUser({ ...input, groups: [config.directory.adminGroups[0] ?? "opensspr-admins", ...(input.groups ?? [])] }),
    savePolicy,
    mailbox,
    async enrollTOTP(user) {
      const totp = registry.methods.get("totp")?.enrollment;
      if (totp === undefined) throw new Error("the TOTP method has no enrollment");
      const ctx = async () => ({
        user,
        enrollments: await registry.stores.enrollments.listForUser(user.id),
        policy: (await registry.policy.current()).policy,
        request: { ip: "127.0.0.1", userAgent: "test", requestId: "test-setup", locale: "en" },
      });
      const started = await totp.start(await ctx(), {});
      if (started.kind !== "totp-setup") throw new Error(`TOTP setup refused: ${started.kind}`);
      const confirmed = await totp.confirm(await ctx(), started.enrollmentId, {
        code: generateTOTP(started.secretBase32, clock.now()),
      });
      if (confirmed.kind !== "active") throw new Error(`TOTP confirmation refused: ${confirmed.kind}`);
      clock.advance(30_000);
      return {
        enrollmentId: started.enrollmentId,
        secretBase32: started.secretBase32,
        code: () => generateTOTP(started.secretBase32, clock.now()),
      };
    },
    async signInAdmin(options = {}) {
      const userName = options.userName ?? "admin";
      const user = await testApp.createAdmin({ userName, displayName: `Admin ${userName}` });
      const totp = await testApp.enrollTOTP(user);
      const client = createClient(app);
      const first = await client.postForm(
        "/admin/sign-in",
        { userName, password: TEST_PASSWORD },
        { from: "/admin/sign-in" },
      );
      if (first.redirects.at(-1)?.location !== "/admin/sign-in/verify")
        throw new Error(`admin sign-in failed: ${first.status}`);
      const second = await client.postForm("/admin/sign-in/verify", { code: totp.code() });
      if (second.redirects.at(-1)?.location !== "/admin" || second.status !== 200) {
        throw new Error(`admin second step failed: ${second.status}`);
      }
      clock.advance(30_000);
      return { client, user, totp };
    },
    async lastCode(recipient, digits = config.flows.codeDigits) {
      const rows = await mailbox(recipient);
      const pattern = new RegExp(`\\b(\\d{${digits}})\\b`);
      for (const row of rows) {
        const match = pattern.exec(`${row.subject}\n${row.body}`);
        if (match?.[1] !== undefined) return match[1];
      }
      return null;
    },
  };
  return testApp;
}
