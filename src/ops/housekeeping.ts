/**
 * Periodic clean-up of what the store accumulates: expired codes, flows, sessions and nonces, throttle
 * events older than the longest window (24 h, THR-01), and audit records past `audit.retentionDays`
 * (SPEC §9). Runs in every instance; each delete is idempotent, so two instances doing it is harmless.
 */
import type { Config } from "../config/schema.ts";
import { type Clock, DAY_MS, HOUR_MS } from "../kernel/clock.ts";
import type { Logger } from "../kernel/logger.ts";
import type { Stores } from "../store/types.ts";

export interface HousekeepingReport {
  codes: number;
  flows: number;
  sessions: number;
  nonces: number;
  throttleEvents: number;
  auditRecords: number;
}

export interface Housekeeping {
  runOnce(): Promise<HousekeepingReport>;
  start(): void;
  stop(): Promise<void>;
}

/** Throttle events are needed for the longest window (24 h) plus a margin for clock skew between instances. */
const THROTTLE_KEEP_MS = DAY_MS + HOUR_MS;

export function createHousekeeping(deps: {
  stores: Pick<Stores, "codes" | "flows" | "sessions" | "nonces" | "throttles" | "audit">;
  clock: Clock;
  config: Pick<Config, "audit">;
  log: Logger;
  /** @default 15 minutes */
  intervalMs?: number;
}): Housekeeping {
  const intervalMs = deps.intervalMs ?? 15 * 60 * 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function runOnce(): Promise<HousekeepingReport> {
    const now = deps.clock.now();
    const report: HousekeepingReport = {
      codes: await deps.stores.codes.deleteExpired(now),
      flows: await deps.stores.flows.deleteExpired(now),
      sessions: await deps.stores.sessions.deleteExpired(now),
      nonces: await deps.stores.nonces.deleteExpired(now),
      throttleEvents: await deps.stores.throttles.deleteOlderThan(new Date(now.getTime() - THROTTLE_KEEP_MS)),
      auditRecords: await deps.stores.audit.deleteOlderThan(
        new Date(now.getTime() - deps.config.audit.retentionDays * DAY_MS),
      ),
    };
    deps.log.info({ housekeeping: report }, "housekeeping: expired data removed");
    return report;
  }

  function loop(): void {
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => deps.log.error({ err: error }, "housekeeping failed"))
        .finally(loop);
    }, intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start(): void {
      if (timer !== undefined) return;
      running = runOnce().catch((error: unknown) => deps.log.error({ err: error }, "housekeeping failed"));
      loop();
    },
    async stop(): Promise<void> {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
