/**
 * Composition root: builds every dependency once, in order, from the validated configuration.
 * Tests call `buildRegistry` with overrides (manual clock, in-memory SQLite, a test directory).
 */
import { createAuditRecorder } from "./audit/recorder.ts";
import type { Config } from "./config/schema.ts";
import type { DirectoryConnector } from "./directory/connector.ts";
import { createDirectoryConnector } from "./directory/factory.ts";
import { type Clock, systemClock } from "./kernel/clock.ts";
import { createLogger, type Logger } from "./kernel/logger.ts";
import { createArgon2Hasher } from "./kernel/passwords.ts";
import { type Random, secureRandom } from "./kernel/random.ts";
import { deriveKeyRing } from "./kernel/secrets.ts";
import { createCodeService } from "./methods/codes.ts";
import { createMethodRegistry } from "./methods/index.ts";
import { createNotifier } from "./notify/notifier.ts";
import { createOutboxWorker } from "./notify/outbox-worker.ts";
import { createPasswordPolicyService } from "./policy/password-policy.ts";
import { createPolicyService } from "./policy/policy.service.ts";
import { createThrottleService } from "./policy/throttles.ts";
import type { Registry } from "./registry.types.ts";
import { createSqlStores } from "./store/sql/stores.ts";
import type { Stores } from "./store/types.ts";

export interface RegistryOverrides {
  clock?: Clock;
  random?: Random;
  log?: Logger;
  stores?: Stores;
  directory?: DirectoryConnector;
}

export async function buildRegistry(config: Config, overrides: RegistryOverrides = {}): Promise<Registry> {
  if (config.secretKey === undefined) throw new Error("secretKey must be resolved before the registry is built");
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? secureRandom;
  const log = overrides.log ?? createLogger({ level: config.logging.level });
  const keys = deriveKeyRing(config.secretKey);
  const hasher = createArgon2Hasher(config.security.argon2);
  const stores =
    overrides.stores ?? (await createSqlStores({ url: config.database.url, dataDir: config.dataDir, log }));
  const directory =
    overrides.directory ?? (await createDirectoryConnector({ config, stores, hasher, clock, random, log }));
  const audit = createAuditRecorder({ stores, clock, random, log });
  const policy = createPolicyService({ stores, clock, audit, directory, config });
  const passwordPolicy = createPasswordPolicyService({ policy, hasher });
  const throttles = createThrottleService({ stores, clock, audit, directory });
  const notifier = createNotifier({ stores, clock, random, config });
  const outboxWorker = createOutboxWorker({ stores, clock, config, log });
  const codes = createCodeService({ stores, clock, random, keys, config });
  const methods = createMethodRegistry({
    stores,
    clock,
    random,
    keys,
    config,
    hasher,
    codes,
    notifier,
    throttles,
    log,
    audit,
  });

  return {
    config,
    clock,
    random,
    keys,
    log,
    stores,
    hasher,
    directory,
    policy,
    passwordPolicy,
    throttles,
    audit,
    notifier,
    outboxWorker,
    codes,
    methods,
    async close() {
      await outboxWorker.stop();
      await directory.close?.();
      await stores.close();
    },
  };
}
