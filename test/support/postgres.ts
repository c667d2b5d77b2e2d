/**
 * A throwaway PostgreSQL server for integration tests: `initdb` into a temp directory, `postgres` on a free
 * loopback port, a fresh database per call to `newDatabase()`. When the tests run as root, the server runs
 * as the `postgres` OS user (PostgreSQL refuses to run as root).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface PostgresServer {
  /** A database created for this server (`postgres://postgres@127.0.0.1:<port>/<db>`). */
  url: string;
  /** Creates another empty database and returns its URL. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
}

const BIN_DIRS = ["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/17/bin"];

function binary(name: string): string {
  for (const dir of BIN_DIRS) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return name; // on PATH
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** The command line, wrapped in `runuser -u postgres --` when we are root. */
function command(name: string, args: string[]): [string, string[]] {
  return asRoot ? ["runuser", ["-u", "postgres", "--", binary(name), ...args]] : [binary(name), args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, options: { timeoutMs: number; what: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 20;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new Error(`timed out waiting for ${options.what}`);
}

let databaseCounter = 0;

export async function startPostgres(): Promise<PostgresServer> {
  const root = mkdtempSync(join(tmpdir(), "opensspr-pg-"));
  const dataDir = join(root, "data");
  if (asRoot) await run("chown", ["-R", "postgres:postgres", root]);

  const [initCmd, initArgs] = command("initdb", [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  await run(initCmd, initArgs, { cwd: root });

  let child: ChildProcess | undefined;
  let port = 0;
  let output = "";
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    port = await freePort();
    const [cmd, args] = command("postgres", [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-k",
      root,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=200",
    ]);
    const started = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    started.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    let exited = false;
    started.once("exit", () => {
      exited = true;
    });
    try {
      await waitFor(
        async () => {
          if (exited) return true;
          try {
            await run(binary("pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-t", "1"]);
            return true;
          } catch {
            return false;
          }
        },
        { timeoutMs: 30_000, what: "postgres to accept connections" },
      );
    } catch (error) {
      started.kill("SIGKILL");
      throw error;
    }
    if (!exited) child = started; // otherwise the port was taken: try another
  }
  if (child === undefined) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`postgres did not start:\n${output}`);
  }
  const server = child;

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  async function newDatabase(): Promise<string> {
    databaseCounter += 1;
    const name = `opensspr_test_${process.pid}_${databaseCounter}`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return `postgres://postgres@127.0.0.1:${port}/${name}`;
  }

  const url = await newDatabase();
  let stopped = false;
  return {
    url,
    newDatabase,
    async stop() {
      if (stopped) return;
      stopped = true;
      const exit = new Promise<void>((resolve) => {
        if (server.exitCode !== null) resolve();
        else server.once("exit", () => resolve());
      });
      try {
        const [cmd, args] = command("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"]);
        await run(cmd, args, { cwd: root });
      } catch {
        server.kill("SIGKILL");
      }
      await exit;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
