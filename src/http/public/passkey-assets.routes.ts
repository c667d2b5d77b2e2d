/**
 * Serves the WebAuthn browser library from the installed `@simplewebauthn/browser` package under our own
 * origin (the CSP allows scripts from 'self' only; no CDN).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";

const require = createRequire(import.meta.url);

export async function registerPasskeyAssetRoutes(app: FastifyInstance): Promise<void> {
  // The package exports only its entry points; its folder is two levels above the CommonJS entry.
  const packageDir = dirname(dirname(require.resolve("@simplewebauthn/browser")));
  const bundle = await readFile(join(packageDir, "dist", "bundle", "index.umd.min.js"));
  app.get("/assets/vendor/simplewebauthn-browser.js", async (_request, reply) => {
    return reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=86400").send(bundle);
  });
}
