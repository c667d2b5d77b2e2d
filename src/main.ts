/**
 * Process entry for the server: validated config → registry → HTTP server → listen → outbox worker.
 * `opensspr serve` (src/cli/serve.ts) calls `startServer` and installs the signal handlers; tests call it too.
 */
import type { AddressInfo } from "node:net";
import type { LoadedConfig } from "./config/load.ts";
import { createFirstRunLink } from "./http/admin/first-run.ts";
import { buildServer } from "./http/server.ts";
import { createLogger, type Logger } from "./kernel/logger.ts";
import type { ShutdownStep } from "./kernel/shutdown.ts";
import { createHousekeeping } from "./ops/housekeeping.ts";
import { buildRegistry, type RegistryOverrides } from "./registry.ts";
import type { Registry } from "./registry.types.ts";

export interface StartServerOptions {
  loaded: LoadedConfig;
  overrides?: RegistryOverrides;
  /** Runs after the registry is built and before the server listens (`--demo` loads its data here). */
  beforeListen?: (registry: Registry) => Promise<void>;
}

export interface RunningServer {
  registry: Registry;
  /** The address the socket is bound to, e.g. `http://127.0.0.1:3000`. */
  listenUrl: string;
  /** `server.publicUrl`: what users open. */
  publicUrl: string;
  /** The one-time administrator set-up link while no administrator exists, else null. */
  firstRunLink: string | null;
  /**
   * In order: stop accepting and finish in-flight requests, stop the outbox worker and housekeeping, close
   * directory and store.
   */
  shutdownSteps: ShutdownStep[];
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options.loaded;
  const log: Logger = options.overrides?.log ?? createLogger({ level: config.logging.level });
  const registry = await buildRegistry(config, { ...options.overrides, log });
  let app: Awaited<ReturnType<typeof buildServer>> | null = null;
  try {
    if (options.beforeListen !== undefined) await options.beforeListen(registry);
    app = await buildServer(registry);
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    await app?.close().catch(() => {});
    await registry.close().catch(() => {});
    throw error;
  }
  registry.outboxWorker.start();
  // Expired codes/flows/sessions, old throttle events and audit records past retention (every 15 minutes).
  const housekeeping = createHousekeeping({ stores: registry.stores, clock: registry.clock, config, log });
  housekeeping.start();

  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const listenUrl = `http://${host}:${address.port}`;
  const link = await createFirstRunLink(registry);
  const server = app;
  log.info({ listenUrl, publicUrl: config.server.publicUrl }, "OpenSSPR started");

  return {
    registry,
    listenUrl,
    publicUrl: config.server.publicUrl,
    firstRunLink: link === null || link === undefined ? null : String(link),
    shutdownSteps: [
      { name: "http server (finishing in-flight requests)", run: () => server.close() },
      { name: "outbox worker", run: () => registry.outboxWorker.stop() },
      { name: "housekeeping", run: () => housekeeping.stop() },
      { name: "directory and store", run: () => registry.close() },
    ],
  };
}
