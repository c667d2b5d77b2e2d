/**
 * Abuse protection (SPEC §8, reference §5). Per-account counters THR-01..06, each tripping a 24-hour block of
 * the account from self-service reset; "Blocked from self-service password reset" audited once per block
 * (THR-07); counters cleared on success (THR-08); admins can clear a block. Plus generic per-key limits
 * (source address, destination) that count but never block an account, so an attacker cannot lock the real
 * user out from elsewhere through them.
 *
 * Boundary (reference: "more than five total times"): with a limit of 5, attempts 1–5 inside the window are
 * allowed and the 6th is refused and starts the block. Email: 10 allowed, the 11th blocks.
 * The block lasts 24 h from the attempt that tripped it; attempts while blocked are refused without counting,
 * so they neither extend the block nor re-audit it.
 */
import type { DirectoryConnector } from "../directory/connector.ts";
import { type Clock, DAY_MS, HOUR_MS, MINUTE_MS } from "../kernel/clock.ts";
import type { AuditRecorder, RequestContext, ThrottleCounter, ThrottleService } from "../registry.types.ts";
import type { Stores } from "../store/types.ts";

export interface CounterRule {
  /** Reference rule id. */
  rule: string;
  /** Events allowed inside the window; the next one blocks. */
  limit: number;
  windowMs: number;
  /** Reason recorded with the block (reference THR-10 wording where it has one). */
  reason: string;
}

/** Reference §5, exactly. */
export const THROTTLE_RULES: Readonly<Record<ThrottleCounter, CounterRule>> = {
  "identity-proof": {
    rule: "THR-01",
    limit: 5,
    windowMs: DAY_MS,
    reason: "User failed identity verification too many times and is blocked for 24 hours",
  },
  "phone-validation": {
    rule: "THR-02",
    limit: 5,
    windowMs: HOUR_MS,
    reason: "User tried to verify a phone number too many times and is blocked for 24 hours",
  },
  "app-or-sms": {
    rule: "THR-03",
    limit: 5,
    windowMs: HOUR_MS,
    reason: "User entered too many invalid SMS or authenticator app verification codes and is blocked for 24 hours",
  },
  questions: {
    rule: "THR-04",
    limit: 5,
    windowMs: HOUR_MS,
    reason: "User tried to answer security questions too many times and is blocked for 24 hours",
  },
  "reset-attempt": {
    rule: "THR-05",
    limit: 5,
    windowMs: HOUR_MS,
    reason: "User tried to reset the password too many times and is blocked for 24 hours",
  },
  "email-send": {
    rule: "THR-06",
    limit: 10,
    windowMs: 10 * MINUTE_MS,
    reason: "User requested too many verification emails and is blocked for 24 hours",
  },
};

/** Every counter blocks the account this long. */
export const BLOCK_DURATION_MS = DAY_MS;

export type ThrottleDeps = {
  stores: Pick<Stores, "throttles">;
  clock: Clock;
  audit: AuditRecorder;
  /** Optional: used only to put the user name on the audit record. */
  directory?: Pick<DirectoryConnector, "getUser">;
};

/** Store keys: one namespace for account counters, one for blocks, one for generic limits. */
export const accountCounterKey = (userId: string, counter: ThrottleCounter): string => `acct:${userId}:${counter}`;
export const accountBlockKey = (userId: string): string => `block:${userId}`;
/** The user id of an account block key, or null for any other key. */
export const userIdOfBlockKey = (key: string): string | null =>
  key.startsWith("block:") ? key.slice("block:".length) : null;
const genericKey = (key: string): string => `key:${key}`;

/** This implementation offers every optional member of the contract. */
export type FullThrottleService = ThrottleService & Required<Pick<ThrottleService, "listBlockedAccounts">>;

export function createThrottleService(deps: ThrottleDeps): FullThrottleService {
  const userName = async (userId: string): Promise<string | null> => {
    if (deps.directory === undefined) return null;
    try {
      return (await deps.directory.getUser(userId))?.userName ?? null;
    } catch {
      return null; // a directory hiccup must not stop the block from being audited
    }
  };

  const isAccountBlocked: ThrottleService["isAccountBlocked"] = async (userId) => {
    const block = await deps.stores.throttles.blockedUntil(accountBlockKey(userId), deps.clock.now());
    return block === null ? null : { until: block.until };
  };

  return {
    async hitAccount(userId: string, counter: ThrottleCounter, ctx: RequestContext | null) {
      const rule = THROTTLE_RULES[counter];
      if ((await isAccountBlocked(userId)) !== null) return { allowed: false };
      const now = deps.clock.now();
      const count = await deps.stores.throttles.hit(
        accountCounterKey(userId, counter),
        now,
        new Date(now.getTime() - rule.windowMs),
      );
      if (count <= rule.limit) return { allowed: true };

      const until = new Date(now.getTime() + BLOCK_DURATION_MS);
      const isNewBlock = await deps.stores.throttles.block(accountBlockKey(userId), {
        until,
        reason: rule.reason,
        at: now,
      });
      if (isNewBlock) {
        // THR-07: status "success" means "the user is now throttled for 24 h".
        const name = await userName(userId);
        await deps.audit.record({
          activity: "blocked",
          outcome: "success",
          reason: rule.reason,
          actor: { id: userId, name },
          target: { id: userId, name },
          ctx,
          details: {
            counter,
            rule: rule.rule,
            limit: rule.limit,
            windowMinutes: rule.windowMs / MINUTE_MS,
            until: until.toISOString(),
          },
        });
      }
      return { allowed: false };
    },

    isAccountBlocked,

    async hitKey(key, options) {
      if (!Number.isInteger(options.limit) || options.limit < 1 || !(options.windowMs > 0)) {
        throw new RangeError("hitKey needs a positive integer limit and a positive window");
      }
      const now = deps.clock.now();
      const count = await deps.stores.throttles.hit(genericKey(key), now, new Date(now.getTime() - options.windowMs));
      return { allowed: count <= options.limit };
    },

    async listBlockedAccounts() {
      const blocks = await deps.stores.throttles.listBlocks(deps.clock.now());
      return blocks.flatMap((b) => {
        const userId = userIdOfBlockKey(b.key);
        return userId === null ? [] : [{ userId, until: b.until, reason: b.reason, since: b.createdAt }];
      });
    },

    async clearAccount(userId) {
      await deps.stores.throttles.clear(`acct:${userId}:`);
    },

    async unblock(userId, options) {
      const block = await isAccountBlocked(userId);
      await deps.stores.throttles.unblock(accountBlockKey(userId));
      // Without clearing, the counters still above their limit would re-block at the next attempt.
      await deps.stores.throttles.clear(`acct:${userId}:`);
      await deps.audit.record({
        activity: "blockCleared",
        outcome: "success",
        reason: block === null ? "No active block; counters cleared" : "Block cleared by an administrator",
        actor: options.actor,
        target: { id: userId, name: await userName(userId) },
        ctx: options.ctx,
        details: { wasBlockedUntil: block?.until.toISOString() ?? null },
      });
    },
  };
}
