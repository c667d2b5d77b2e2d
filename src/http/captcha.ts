/**
 * Self-hosted proof-of-work CAPTCHA (SPEC §8, THR-13, REQ-036) with altcha: the server hands out an
 * HMAC-signed challenge (`altcha-lib` v1 format: SHA-256, `maxnumber` = `security.captchaMaxNumber`,
 * 10 minutes), the browser widget (or a headless client with `altcha-lib`'s `solveChallenge`) finds the
 * number, and the server checks the signature, the expiry against OUR clock and that the challenge was
 * never used before (`stores.nonces.useOnce`), so one solved challenge buys exactly one identify.
 *
 * The widget is the package's `external` build (no inline styles, no blob: workers) served from our own
 * origin, with its SHA worker as a file, so it loads under a strict CSP (`script-src 'self'`).
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createChallenge, verifySolution } from "altcha-lib/v1";
import type { FastifyInstance } from "fastify";
import { addSeconds } from "../kernel/clock.ts";
import type { Registry } from "../registry.types.ts";

/** What `GET /api/v1/reset/captcha` returns (altcha v1 challenge). */
export interface CaptchaChallenge {
  algorithm: "SHA-256";
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

export type CaptchaCheck = { ok: true } | { ok: false; reason: "malformed" | "invalid" | "expired" | "replayed" };

export interface CaptchaService {
  challenge(): Promise<CaptchaChallenge>;
  /** Verifies a solved payload (the widget's base64 `altcha` field) and consumes it. */
  verify(payload: unknown): Promise<CaptchaCheck>;
}

/** How long a challenge may be solved and submitted. */
export const CAPTCHA_TTL_SECONDS = 600;
/** Largest payload accepted (the widget's is ~300 bytes). */
const MAX_PAYLOAD_CHARS = 2048;

export function createCaptchaService(deps: Pick<Registry, "config" | "clock" | "keys" | "stores">): CaptchaService {
  const hmacKey = deps.keys.captcha.toString("hex");
  return {
    async challenge(): Promise<CaptchaChallenge> {
      const challenge = await createChallenge({
        algorithm: "SHA-256",
        hmacKey,
        maxnumber: deps.config.security.captchaMaxNumber,
        expires: addSeconds(deps.clock.now(), CAPTCHA_TTL_SECONDS),
      });
      return {
        algorithm: "SHA-256",
        challenge: challenge.challenge,
        maxnumber: challenge.maxnumber ?? deps.config.security.captchaMaxNumber,
        salt: challenge.salt,
        signature: challenge.signature,
      };
    },

    async verify(payload: unknown): Promise<CaptchaCheck> {
      if (typeof payload !== "string" || payload.length === 0 || payload.length > MAX_PAYLOAD_CHARS) {
        return { ok: false, reason: "malformed" };
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, "base64").toString("utf8"));
      } catch {
        return { ok: false, reason: "malformed" };
      }
      if (!isPayload(decoded)) return { ok: false, reason: "malformed" };
      // Expiry against the injected clock (altcha-lib would read Date.now()).
      const expires = Number(new URLSearchParams(decoded.salt.split("?")[1] ?? "").get("expires"));
      if (!Number.isFinite(expires) || expires <= 0) return { ok: false, reason: "invalid" };
      const expiresAt = new Date(expires * 1000);
      if (deps.clock.now().getTime() >= expiresAt.getTime()) return { ok: false, reason: "expired" };
      const valid = await verifySolution(
        {
          algorithm: "SHA-256",
          challenge: decoded.challenge,
          number: decoded.number,
          salt: decoded.salt,
          signature: decoded.signature,
        },
        hmacKey,
        false,
      );
      if (!valid) return { ok: false, reason: "invalid" };
      // Single use (REQ-036): the signature is unique per challenge.
      const first = await deps.stores.nonces.useOnce(`captcha:${decoded.signature}`, expiresAt);
      return first ? { ok: true } : { ok: false, reason: "replayed" };
    },
  };
}

function isPayload(value: unknown): value is { challenge: string; number: number; salt: string; signature: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.algorithm === undefined || v.algorithm === "SHA-256") &&
    typeof v.challenge === "string" &&
    /^[0-9a-f]{64}$/.test(v.challenge) &&
    typeof v.number === "number" &&
    Number.isSafeInteger(v.number) &&
    v.number >= 0 &&
    typeof v.salt === "string" &&
    v.salt.length <= 512 &&
    typeof v.signature === "string" &&
    /^[0-9a-f]{64}$/.test(v.signature)
  );
}

/** Public paths of the widget files (same origin, CSP `script-src 'self'`). */
export const CAPTCHA_ASSETS = {
  script: "/assets/captcha/altcha.js",
  init: "/assets/captcha/init.js",
  worker: "/assets/captcha/sha-worker.js",
  css: "/assets/captcha/altcha.css",
} as const;

/** Registers the widget assets under `/assets/captcha/`. Idempotent per Fastify instance. */
export async function registerCaptchaAssets(app: FastifyInstance): Promise<void> {
  if (app.hasRoute({ method: "GET", url: CAPTCHA_ASSETS.script })) return;
  const require = createRequire(import.meta.url);
  const root = dirname(dirname(require.resolve("altcha/external")));
  const files: { url: string; path: string | null; type: string; body?: string }[] = [
    { url: CAPTCHA_ASSETS.script, path: join(root, "external", "altcha.min.js"), type: "text/javascript" },
    { url: CAPTCHA_ASSETS.css, path: join(root, "external", "altcha.css"), type: "text/css" },
    { url: CAPTCHA_ASSETS.worker, path: join(root, "workers", "sha.js"), type: "text/javascript" },
    {
      url: CAPTCHA_ASSETS.init,
      path: null,
      type: "text/javascript",
      // The external build ships no workers: register the SHA worker from our origin. A classic script,
      // loaded (deferred) right after the widget, which defines the `$altcha` global.
      body: [
        "for (const alg of ['SHA-256', 'SHA-384', 'SHA-512']) {",
        `  globalThis.$altcha.algorithms.set(alg, () => new Worker("${CAPTCHA_ASSETS.worker}"));`,
        "}",
        "",
      ].join("\n"),
    },
  ];
  for (const file of files) {
    const body = file.body ?? (await readFile(file.path as string, "utf8"));
    app.get(file.url, async (_request, reply) => {
      reply.header("content-type", `${file.type}; charset=utf-8`);
      reply.header("cache-control", "public, max-age=3600");
      return body;
    });
  }
}
