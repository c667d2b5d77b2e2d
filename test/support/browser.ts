/**
 * Real-browser support for `test/browser`: Debian's Chromium through playwright-core, and the real server
 * listening on a free loopback port (the same app `buildTestApp` builds, with `server.publicUrl` set to the
 * address the browser uses, so links, cookies and `return_to` checks see the real origin).
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { type BuildTestAppOptions, buildTestApp, type TestApp } from "./app.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Where screenshots go (created on demand; CI keeps it as an artefact). */
export const RESULTS_DIR = join(import.meta.dirname, "..", "..", "test-results");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServedApp extends TestApp {
  /** `http://127.0.0.1:<port>` — equal to `config.server.publicUrl`. */
  baseURL: string;
}

/** Builds the test app with `publicUrl` = its real address and starts listening there. */
export async function serveTestApp(options: BuildTestAppOptions = {}): Promise<ServedApp> {
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const config = { ...(options.config ?? {}), server: { ...(options.config?.server ?? {}), publicUrl: baseURL } };
  const t = await buildTestApp({ ...options, config });
  await t.app.listen({ port, host: "127.0.0.1" });
  return { ...t, baseURL };
}

/** Path of a screenshot under `test-results/` (the directory is created if needed). */
export function screenshotPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, `${name}.png`);
}
