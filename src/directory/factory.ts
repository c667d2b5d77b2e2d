/**
 * Builds the one directory connector a deployment uses (SPEC §3), from `config.directory.kind`.
 * LDAP and Active Directory are loaded with a dynamic `import()` so a builtin deployment never loads ldapts
 * (and so the builtin path works whatever state those modules are in).
 *
 * Connector modules export `createLDAPConnector(config.directory.ldap, deps)` and
 * `createADConnector(config.directory.activeDirectory, deps)`; `deps` is the slice below.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../kernel/clock.ts";
import type { Logger } from "../kernel/logger.ts";
import type { PasswordHasher } from "../kernel/passwords.ts";
import type { Random } from "../kernel/random.ts";
import { deriveKeyRing } from "../kernel/secrets.ts";
import type { Stores } from "../store/types.ts";
import { createBuiltinConnector } from "./builtin/builtin.connector.ts";
import type { DirectoryConnector } from "./connector.ts";

export type DirectoryFactoryDeps = {
  config: Config;
  stores: Stores;
  hasher: PasswordHasher;
  clock: Clock;
  random: Random;
  log: Logger;
};

type ExternalFactory = (settings: Config["directory"]["ldap"], deps: DirectoryFactoryDeps) => DirectoryConnector;

/** Module path and export name per external kind (relative to this file). */
const EXTERNAL = {
  ldap: { module: "./ldap/ldap.connector.ts", exportName: "createLDAPConnector", settings: "ldap" },
  "active-directory": {
    module: "./active-directory/ad.connector.ts",
    exportName: "createADConnector",
    settings: "activeDirectory",
  },
} as const;

export async function createDirectoryConnector(deps: DirectoryFactoryDeps): Promise<DirectoryConnector> {
  const kind = deps.config.directory.kind;
  if (kind === "builtin") {
    return createBuiltinConnector({
      stores: deps.stores,
      hasher: deps.hasher,
      clock: deps.clock,
      log: deps.log,
      config: deps.config,
      ...(deps.config.secretKey === undefined
        ? {}
        : { historyKey: deriveKeyRing(deps.config.secretKey).passwordHistory }),
    });
  }
  const entry = EXTERNAL[kind];
  // A variable specifier: the module is resolved at run time only when this kind is configured.
  const specifier: string = entry.module;
  const loaded = (await import(specifier)) as Record<string, unknown>;
  const factory = loaded[entry.exportName];
  if (typeof factory !== "function") {
    throw new Error(`${entry.module} does not export ${entry.exportName}()`);
  }
  return (factory as ExternalFactory)(deps.config.directory[entry.settings], deps);
}
