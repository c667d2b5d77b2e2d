/**
 * `opensspr serve` as an operator starts it: a child process on a free port with a fresh data directory.
 * It must come up (/healthz 200), print the one-time administrator set-up link exactly once (and the link must
 * open the set-up page), and on SIGTERM finish cleanly with exit code 0 within a bounded time.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";

const BIN = join(import.meta.dirname, "..", "..", "bin", "opensspr.mjs");
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Served {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const roots: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function serve(args: string[], extraEnv: Record<string, string> = {}): Promise<Served> {
  const root = mkdtempSync(join(tmpdir(), "opensspr-serve-"));
  roots.push(root);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OPENSSPR_") && k !== "DATABASE_URL") env[k] = v;
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    cwd: root,
    env: {
      ...env,
      NODE_ENV: "test",
      OPENSSPR_DATA_DIR: join(root, "data"),
      OPENSSPR_PORT: String(port),
      OPENSSPR_PUBLIC_URL: `http://127.0.0.1:${port}`,
      OPENSSPR_SECURITY__ARGON2__MEMORY_COST: "8192",
      OPENSSPR_SECURITY__ARGON2__TIME_COST: "1",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, port, output: () => output, exited };
}

/** Polls /healthz until it answers 200 (bounded), failing early if the process dies. */
async function waitHealthy(served: Served): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (served.child.exitCode !== null) assert.fail(`serve exited with ${served.child.exitCode}:\n${served.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${served.port}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`serve did not become healthy within ${START_TIMEOUT_MS} ms:\n${served.output()}`);
}

/** Waits (bounded) until the output contains `pattern`; the banner is printed right after listen. */
async function waitForOutput(served: Served, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = served.output().match(pattern);
    if (match !== null) return match;
    if (Date.now() > deadline) assert.fail(`output never matched ${pattern}:\n${served.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(served: Served): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  served.child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS).unref());
  const result = await Promise.race([served.exited, timeout]);
  if (result === "timeout")
    assert.fail(`serve did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${served.output()}`);
  return result;
}

describe("opensspr serve", () => {
  test("starts, prints the first-run link once (it opens the set-up page), and exits 0 on SIGTERM", async () => {
    const served = await serve([]);
    await waitHealthy(served);
    const [, link] = await waitForOutput(served, /(http:\/\/127\.0\.0\.1:\d+\/admin\/setup\?token=\S+)/);
    assert.ok(link !== undefined);
    assert.equal(served.output().split("/admin/setup?token=").length - 1, 1, "the link is printed exactly once");
    assert.match(served.output(), new RegExp(`OpenSSPR is running: http://127\\.0\\.0\\.1:${served.port}`));

    const setup = await fetch(link);
    assert.equal(setup.status, 200);
    assert.match(await setup.text(), /<form[^>]+action="\/admin\/setup"/);
    const forged = await fetch(link.replace(/token=.*/, "token=not-the-token"));
    assert.notEqual(forged.status, 200, "a wrong token must not open the set-up page");

    const { code } = await stop(served);
    assert.equal(code, 0, served.output());
    assert.match(served.output(), /shutdown step done/);
  });

  test("--demo loads the demo organisation, so no set-up link is printed and the portal answers", async () => {
    const served = await serve(["--demo"]);
    await waitHealthy(served);
    await waitForOutput(served, /Press Ctrl\+C to stop/);
    assert.match(served.output(), /Demo organisation loaded: 12 user\(s\) and 4 group\(s\) created/);
    assert.match(served.output(), /megan\.bowen\s+\S+\s+administrator/);
    assert.doesNotMatch(served.output(), /\/admin\/setup\?token=/);
    const portal = await fetch(`http://127.0.0.1:${served.port}/`);
    assert.equal(portal.status, 200);
    const { code } = await stop(served);
    assert.equal(code, 0, served.output());
  });
});
