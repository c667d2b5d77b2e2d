/**
 * The outbox worker (ARCHITECTURE "Outbox"): delivers what the notifier queued, retries failures with
 * back-off until `outbox.maxAttempts`, recovers messages a crashed worker left in `sending`, and blanks the
 * body (which may hold a code) once delivered. A lost or endlessly retried code means a user who cannot reset.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createLogger } from "../../src/kernel/logger.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import type { Channel, ChannelMessage, DeliveryResult } from "../../src/notify/channels/channel.ts";
import { createOutboxWorker, RETRY_BASE_MS, RETRY_MAX_MS, retryDelayMs } from "../../src/notify/outbox-worker.ts";
import { createTestEnv, type TestEnv } from "./methods-fixtures.ts";

/** A channel that fails the next `failures` sends, then delivers; records what it delivered. */
function flakyChannel(options: {
  failures: number;
  retryable?: boolean;
}): Channel & { delivered: ChannelMessage[]; calls: number } {
  let remaining = options.failures;
  const channel = {
    name: "flaky",
    delivered: [] as ChannelMessage[],
    calls: 0,
    async send(message: ChannelMessage): Promise<DeliveryResult> {
      channel.calls++;
      if (remaining > 0) {
        remaining--;
        return {
          ok: false,
          error: "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1",
          retryable: options.retryable ?? true,
        };
      }
      channel.delivered.push(message);
      return { ok: true };
    },
  };
  return channel;
}

describe("outbox worker", () => {
  let env: TestEnv;
  const log = createLogger({ level: "silent" });
  before(async () => {
    env = await createTestEnv({ outbox: { pollIntervalMs: 10, maxAttempts: 3 } });
  });
  after(async () => env.close());
  beforeEach(() => {
    env.clock.advance(24 * 3600 * 1000);
  });

  async function enqueue(recipient: string): Promise<string> {
    const { id } = await env.notifier.enqueue({
      channel: "email",
      recipient,
      template: "email-verification-code",
      params: { code: "24681357", ttlMinutes: "5" },
      locale: "en",
    });
    return id;
  }
  async function row(id: string) {
    const { rows } = await env.stores.outbox.list({ offset: 0, limit: 1000 });
    return rows.find((r) => r.id === id);
  }

  test("delivers to the development outbox and blanks the stored body", async () => {
    const id = await enqueue("dev@corp.example");
    const worker = createOutboxWorker({ stores: env.stores, clock: env.clock, config: env.config, log });
    assert.equal(await worker.drain(), 1);
    const { rows } = await env.stores.devMailbox.list({ recipient: "dev@corp.example", offset: 0, limit: 10 });
    assert.equal(rows.length, 1);
    assert.ok(rows[0]?.body.includes("24681357"));
    assert.equal(rows[0]?.subject, "OpenSSPR account email verification code");
    const sent = await row(id);
    assert.equal(sent?.status, "sent");
    assert.equal(sent?.body, "");
    assert.equal(await worker.drain(), 0, "a delivered message is not sent twice");
  });

  test("a failure is retried after a back-off, then delivered", async () => {
    const channel = flakyChannel({ failures: 1 });
    const worker = createOutboxWorker({
      stores: env.stores,
      clock: env.clock,
      config: env.config,
      log,
      channels: { email: channel },
    });
    const id = await enqueue("retry@corp.example");
    assert.equal(await worker.drain(), 1);
    const failed = await row(id);
    assert.equal(failed?.status, "queued");
    assert.match(failed?.lastError ?? "", /ECONNREFUSED/);
    const waitMs = (failed?.nextAttemptAt.getTime() ?? 0) - env.clock.now().getTime();
    assert.ok(waitMs >= RETRY_BASE_MS / 2 && waitMs <= RETRY_BASE_MS, `back-off ${waitMs} ms`);
    assert.equal(await worker.drain(), 0, "not retried before its time");
    env.clock.advance(waitMs);
    assert.equal(await worker.drain(), 1);
    assert.equal((await row(id))?.status, "sent");
    assert.equal(channel.delivered.length, 1);
  });

  test("gives up after outbox.maxAttempts", async () => {
    const channel = flakyChannel({ failures: 100 });
    const worker = createOutboxWorker({
      stores: env.stores,
      clock: env.clock,
      config: env.config,
      log,
      channels: { email: channel },
    });
    const id = await enqueue("never@corp.example");
    for (let i = 0; i < 5; i++) {
      await worker.drain();
      env.clock.advance(RETRY_MAX_MS);
    }
    assert.equal(channel.calls, 3);
    const failed = await row(id);
    assert.equal(failed?.status, "failed");
    assert.equal(failed?.body, "", "a message given up on does not keep its code");
  });

  test("a permanent refusal is not retried", async () => {
    const channel = flakyChannel({ failures: 1, retryable: false });
    const worker = createOutboxWorker({
      stores: env.stores,
      clock: env.clock,
      config: env.config,
      log,
      channels: { email: channel },
    });
    const id = await enqueue("unknown-user@corp.example");
    await worker.drain();
    env.clock.advance(RETRY_MAX_MS);
    assert.equal(await worker.drain(), 0);
    assert.equal((await row(id))?.status, "failed");
  });

  test("messages a crashed worker left in 'sending' are delivered by the next one", async () => {
    const id = await enqueue("crash@corp.example");
    const claimed = await env.stores.outbox.claimDue(env.clock.now(), 100); // the worker that then crashed
    assert.ok(claimed.some((r) => r.id === id));
    const worker = createOutboxWorker({
      stores: env.stores,
      clock: env.clock,
      config: env.config,
      log,
      staleAfterMs: 60_000,
    });
    assert.equal(await worker.drain(), 0, "a message another worker may still be sending is left alone");
    env.clock.advance(60_001);
    const fresh = createOutboxWorker({
      stores: env.stores,
      clock: env.clock,
      config: env.config,
      log,
      staleAfterMs: 60_000,
    });
    assert.equal(await fresh.drain(), 1);
    assert.equal((await row(id))?.status, "sent");
  });

  test("start() polls on its own and stop() waits for the message in flight", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let called = false;
    const slow: Channel = {
      name: "slow",
      async send() {
        called = true;
        await gate;
        return { ok: true };
      },
    };
    const worker = createOutboxWorker({
      stores: env.stores,
      clock: env.clock,
      config: env.config,
      log,
      channels: { email: slow },
    });
    worker.start();
    const id = await enqueue("polled@corp.example");
    const deadline = Date.now() + 5_000;
    while (!called && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(called, "the poll loop picked the message up without drain()");
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    assert.equal(stopped, false, "stop() does not return while a message is being sent");
    release();
    await stopping;
    assert.equal((await row(id))?.status, "sent");
  });

  test("back-off grows exponentially with jitter and is capped", () => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      const delay = retryDelayMs(attempt, secureRandom);
      const full = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
      assert.ok(delay >= full / 2 && delay <= full, `attempt ${attempt}: ${delay}`);
    }
  });
});
