/**
 * `opensspr serve [--demo]`: start the portal, print where it is, print the one-time administrator set-up
 * link on a first start, and shut down gracefully on SIGINT/SIGTERM (a second signal forces the exit).
 */
import { mkdirSync } from "node:fs";
import { installShutdown } from "../kernel/shutdown.ts";
import { startServer } from "../main.ts";
import { type GlobalOptions, loadCLIConfig, print, printWarnings } from "./context.ts";
import { loadDemoData, printDemoSummary } from "./demo.ts";

export interface ServeOptions {
  demo: boolean;
  host?: string;
  port?: string;
}

export async function serveCommand(global: GlobalOptions, options: ServeOptions): Promise<void> {
  const loaded = loadCLIConfig(global, {
    overrides: { "server.host": options.host, "server.port": options.port },
  });
  printWarnings(loaded.warnings, { production: process.env["NODE_ENV"] === "production" });
  // Private from the start: it holds the SQLite database (and, in development, the secret key).
  mkdirSync(loaded.config.dataDir, { recursive: true, mode: 0o700 });

  const running = await startServer({
    loaded,
    ...(options.demo
      ? {
          beforeListen: async (registry) => {
            printDemoSummary(await loadDemoData(registry));
          },
        }
      : {}),
  });
  installShutdown({ steps: running.shutdownSteps, log: running.registry.log });

  print("");
  print(`OpenSSPR is running: ${running.publicUrl}  (listening on ${running.listenUrl})`);
  print(`  password portal  ${new URL("/", running.publicUrl).href}`);
  print(`  admin portal     ${new URL("/admin", running.publicUrl).href}`);
  if (running.firstRunLink !== null) {
    print("");
    print("No administrator exists yet. Open this one-time link to create the first one:");
    print(`  ${running.firstRunLink}`);
  }
  print("");
  print("Press Ctrl+C to stop.");
}
