/**
 * Starts `smtp-server-process.ts` as a separate process and reads what it received. Every end-to-end test
 * that reads codes from mail uses this: the mail really travels over SMTP on a loopback port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ReceivedMail {
  from: string;
  to: string[];
  envelopeTo: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  receivedAt: string;
}

export interface TestSMTPServer {
  port: number;
  messages(): Promise<ReceivedMail[]>;
  /** Resolves with the first received message matching `predicate`, polling until `timeoutMs`. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

const PROCESS_SCRIPT = fileURLToPath(new URL("./smtp-server-process.ts", import.meta.url));
const POLL_MS = 25;

/**
 * @param options.port listen on this port (to bring a stopped server back on the same port); default: a free one.
 */
export async function startSMTPServer(
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<TestSMTPServer> {
  const dir = mkdtempSync(join(tmpdir(), "opensspr-smtp-"));
  const file = join(dir, "messages.jsonl");
  writeFileSync(file, "");
  const child = spawn(process.execPath, ["--import", "tsx", PROCESS_SCRIPT, file, String(options.port ?? 0)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const port = await waitForReady(child, options.startTimeoutMs ?? 15_000, () => stderr).catch((error: unknown) => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  async function messages(): Promise<ReceivedMail[]> {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as ReceivedMail);
  }

  return {
    port,
    messages,
    async waitFor(predicate, timeoutMs): Promise<ReceivedMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await messages()).find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timeout);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitForReady(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(
      () => reject(new Error(`SMTP test server did not start within ${timeoutMs} ms: ${stderr()}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const match = /READY (\d+)/.exec(buffer);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`SMTP test server exited (${code}) before listening: ${stderr()}`));
    });
  });
}
