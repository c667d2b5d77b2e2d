/**
 * The outbox worker (ARCHITECTURE "Outbox"): polls for due messages every `outbox.pollIntervalMs`, claims
 * them (safe across instances), dispatches each through its channel, and on failure schedules a retry with
 * exponential back-off and jitter until `outbox.maxAttempts`, then marks it failed for good. Messages a
 * crashed instance left in `sending` are requeued on start and periodically, so nothing is lost.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../kernel/clock.ts";
import type { Logger } from "../kernel/logger.ts";
import { type Random, secureRandom } from "../kernel/random.ts";
import type { OutboxWorker } from "../registry.types.ts";
import type { OutboxRow, Stores } from "../store/types.ts";
import type { Channel } from "./channels/channel.ts";
import { createDevOutboxChannel } from "./channels/dev-outbox.channel.ts";
import { createSMTPChannel } from "./channels/smtp.channel.ts";
import { createTwilioChannel } from "./channels/twilio.channel.ts";
import { createWebhookChannel } from "./channels/webhook.channel.ts";

export interface OutboxWorkerDeps {
  stores: Pick<Stores, "outbox" | "devMailbox">;
  clock: Clock;
  /** `sms` picks the SMS/voice provider adapter; without it SMS/voice go to the development outbox. */
  config: Pick<Config, "outbox" | "mail"> & Partial<Pick<Config, "sms">>;
  log: Logger;
  /** Jitter source. @default secureRandom */
  random?: Random;
  /** Channel per message channel; defaults follow `mail.transport` (SMS/voice: development outbox). */
  channels?: Partial<Record<OutboxRow["channel"], Channel>>;
  /** Messages claimed per poll. @default 10 */
  batchSize?: number;
  /** A message `sending` for longer than this is considered abandoned by a crashed worker. @default max(60 s, 4 × SMTP timeout) */
  staleAfterMs?: number;
}

/** First retry after about this long; doubles each attempt. */
export const RETRY_BASE_MS = 2_000;
/** Longest wait between two attempts. */
export const RETRY_MAX_MS = 60 * 60 * 1000;

/** Back-off before attempt `failedAttempts + 1`: exponential, capped, with "equal jitter" (50–100 %). */
export function retryDelayMs(failedAttempts: number, random: Random): number {
  const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, failedAttempts - 1));
  const jitter = random.int(1_000_001) / 1_000_000; // [0, 1]
  return Math.round(exponential * (0.5 + 0.5 * jitter));
}

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const random = deps.random ?? secureRandom;
  const batchSize = deps.batchSize ?? 10;
  const staleAfterMs = deps.staleAfterMs ?? Math.max(60_000, 4 * deps.config.mail.smtp.timeoutMs);
  const devOutbox = createDevOutboxChannel({ stores: deps.stores, clock: deps.clock, random });
  let smtp: Channel | undefined;
  let phone: Channel | undefined;

  function channelFor(row: OutboxRow): Channel {
    const configured = deps.channels?.[row.channel];
    if (configured !== undefined) return configured;
    if (row.channel === "email") {
      if (deps.config.mail.transport !== "smtp") return devOutbox;
      smtp ??= createSMTPChannel({ config: deps.config });
      return smtp;
    }
    const sms = deps.config.sms;
    if (sms === undefined || sms.provider === "outbox") return devOutbox;
    phone ??= sms.provider === "twilio" ? createTwilioChannel(sms.twilio) : createWebhookChannel(sms.webhook);
    return phone;
  }

  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let inFlight: Promise<number> = Promise.resolve(0);
  let lastRequeueAt = Number.NEGATIVE_INFINITY;

  async function requeueStaleIfDue(): Promise<void> {
    const now = deps.clock.now();
    if (now.getTime() - lastRequeueAt < staleAfterMs / 2) return;
    lastRequeueAt = now.getTime();
    const requeued = await deps.stores.outbox.requeueStale(new Date(now.getTime() - staleAfterMs));
    if (requeued > 0) deps.log.warn({ requeued }, "outbox: requeued messages abandoned in sending state");
  }

  async function dispatch(row: OutboxRow): Promise<void> {
    const channel = channelFor(row);
    let result: Awaited<ReturnType<Channel["send"]>>;
    try {
      result = await channel.send(row);
    } catch (error) {
      result = {
        ok: false,
        error: error instanceof Error ? error.message.slice(0, 500) : "delivery failed",
        retryable: true,
      };
    }
    if (result.ok) {
      await deps.stores.outbox.markSent(row.id, deps.clock.now());
      deps.log.info(
        { outboxId: row.id, channel: row.channel, via: channel.name, template: row.template },
        "outbox: delivered",
      );
      return;
    }
    // `claimDue` counts the attempt when it claims the row, so `row.attempts` includes this one.
    const failedAttempts = Math.max(1, row.attempts);
    const final = !result.retryable || failedAttempts >= deps.config.outbox.maxAttempts;
    const nextAttemptAt = new Date(deps.clock.now().getTime() + retryDelayMs(failedAttempts, random));
    await deps.stores.outbox.markFailed(row.id, { error: result.error, nextAttemptAt, final });
    deps.log.warn(
      {
        outboxId: row.id,
        channel: row.channel,
        via: channel.name,
        attempts: failedAttempts,
        final,
        error: result.error,
      },
      final ? "outbox: delivery failed for good" : "outbox: delivery failed, will retry",
    );
  }

  async function tick(): Promise<number> {
    await requeueStaleIfDue();
    const rows = await deps.stores.outbox.claimDue(deps.clock.now(), batchSize);
    // The claimed batch is delivered concurrently (the SMTP channel pools connections): one slow message does
    // not hold up the codes queued behind it.
    await Promise.all(rows.map((row) => dispatch(row)));
    return rows.length;
  }

  /** Runs `tick` after whatever is in flight, so two ticks never overlap within one worker. */
  function runExclusive(): Promise<number> {
    const next = inFlight.then(tick, tick);
    inFlight = next.catch((error: unknown) => {
      deps.log.error({ err: error }, "outbox: poll failed");
      return 0;
    });
    return next;
  }

  function schedule(): void {
    if (!started) return;
    timer = setTimeout(() => {
      void runExclusive()
        .catch(() => 0)
        .finally(schedule);
    }, deps.config.outbox.pollIntervalMs);
    timer.unref();
  }

  return {
    start(): void {
      if (started) return;
      started = true;
      lastRequeueAt = Number.NEGATIVE_INFINITY;
      void runExclusive()
        .catch(() => 0)
        .finally(schedule);
    },

    async drain(): Promise<number> {
      let total = 0;
      for (;;) {
        const processed = await runExclusive();
        total += processed;
        if (processed < batchSize) return total;
      }
    },

    async stop(): Promise<void> {
      started = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      await smtp?.close?.();
      await phone?.close?.();
      smtp = undefined;
      phone = undefined;
    },
  };
}
