/**
 * Reset-flow benchmark (not a test): `npm run bench:reset-flow`.
 *
 * Starts an SMTP sink process and the server process (builtin directory, SQLite file in a temp dir, CAPTCHA
 * at its LOWEST difficulty), then runs complete reset flows over real HTTP at concurrency 1, 4 and 16 —
 * captcha (solved with altcha-lib's `solveChallenge`, like any headless client) → identify → path → email
 * method → type the address → read the code from the sink → verify → new password — one fresh user per flow,
 * each flow from its own client address (X-Forwarded-For through a trusted loopback proxy, so the per-address
 * limits do not throttle the benchmark). Reports flows/s, p50/p99 latency per flow, the server's RSS, and in
 * the same run the machine's argon2id rate with the configured parameters; writes
 * `bench/results/reset-flow-builtin.json`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { solveChallenge } from "altcha-lib/v1";
import { configSchema } from "../../src/config/schema.ts";
import { createArgon2Hasher } from "../../src/kernel/passwords.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
/** `BENCH_CPU_PROFILE_DIR=dir`: one short level with the server under `--cpu-prof` (profiling the hot path). */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
const LEVELS =
  PROFILE_DIR === undefined
    ? [
        { concurrency: 1, flows: 30 },
        { concurrency: 4, flows: 80 },
        { concurrency: 16, flows: 160 },
      ]
    : [{ concurrency: 2, flows: 30 }];
const TOTAL_USERS = LEVELS.reduce((sum, level) => sum + level.flows, 0);
const NEW_PASSWORD_PREFIX = "Lantern-Orchid-Quartz-";

interface Child {
  process: ChildProcess;
  port: number;
  lines: AsyncIterableIterator<string> | null;
}

async function startChild(
  script: string,
  args: string[],
  onLine?: (line: string) => void,
  nodeArgs: string[] = [],
): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", join(HERE, script), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const reader = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 60_000);
    let ready = false;
    reader.on("line", (line) => {
      if (!ready && line.startsWith("READY ")) {
        ready = true;
        clearTimeout(timer);
        resolve({ process: child, port: Number(line.slice(6)), lines: null });
        return;
      }
      onLine?.(line);
    });
    child.on("exit", (code) => {
      if (!ready) reject(new Error(`${script} exited with ${code}`));
    });
  });
}

/** Codes from the sink, handed to whoever waits for that recipient. */
const codes = new Map<string, string>();
const waiters = new Map<string, (code: string) => void>();
function onSinkLine(line: string): void {
  const [kind, recipient, code] = line.split(" ");
  if (kind !== "MAIL" || recipient === undefined || code === undefined || code === "-") return;
  const waiter = waiters.get(recipient);
  if (waiter !== undefined) {
    waiters.delete(recipient);
    waiter(code);
  } else {
    codes.set(recipient, code);
  }
}
function codeFor(recipient: string, timeoutMs: number): Promise<string> {
  const ready = codes.get(recipient);
  if (ready !== undefined) {
    codes.delete(recipient);
    return Promise.resolve(ready);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(recipient);
      reject(new Error(`no code for ${recipient}`));
    }, timeoutMs);
    waiters.set(recipient, (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** The few response fields the benchmark reads (identify, steps, captcha). */
interface BenchJSON {
  flowId: string;
  token: string;
  flow: { state: string };
  algorithm: string;
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<BenchJSON> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: "application/json",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path} → ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as BenchJSON;
}

/** One complete reset flow for user `index`; returns its latency in ms. */
async function flow(base: string, index: number): Promise<number> {
  const started = performance.now();
  const ip = { "x-forwarded-for": `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` };
  const challenge = await call(base, "GET", "/api/v1/reset/captcha", undefined, ip);
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber)
    .promise;
  if (solution === null) throw new Error("captcha not solved");
  const captcha = Buffer.from(
    JSON.stringify({
      algorithm: challenge.algorithm,
      challenge: challenge.challenge,
      number: solution.number,
      salt: challenge.salt,
      signature: challenge.signature,
    }),
  ).toString("base64");
  const identify = await call(base, "POST", "/api/v1/reset", { identifier: `bench-${index}`, captcha }, ip);
  const headers = { ...ip, "x-flow-token": identify.token };
  const path = `/api/v1/reset/${identify.flowId}`;
  if (identify.flow.state === "choosing_path") await call(base, "POST", `${path}/path`, { path: "reset" }, headers);
  await call(base, "POST", `${path}/method`, { method: "email-code" }, headers);
  const recipient = `bench-${index}@bench.test`;
  const code = codeFor(recipient, 60_000);
  await call(base, "POST", `${path}/send`, { email: recipient }, headers);
  const verified = await call(base, "POST", `${path}/verify`, { code: await code }, headers);
  if (verified.flow.state !== "awaiting_new_password") throw new Error(`verify: ${JSON.stringify(verified.flow)}`);
  // A passed gate replaces the flow token (REQ-084).
  headers["x-flow-token"] = verified.token;
  const password = `${NEW_PASSWORD_PREFIX}${index}-Qz`;
  const done = await call(base, "POST", `${path}/password`, { password, confirm: password }, headers);
  if (done.flow.state !== "done") throw new Error(`password: ${JSON.stringify(done.flow)}`);
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)] as number;
}

/** Linux: current and peak resident set size of a process, in MB. */
function rssOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { rssMB: Math.round(kb("VmRSS") / 102.4) / 10, peakMB: Math.round(kb("VmHWM") / 102.4) / 10 };
}

/** Linux: user+system CPU time of a process so far, in ms (all its threads: argon2 runs off the main one). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command name), in ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** argon2id hashes per second with the configured parameters, `parallel` hashes in flight for `ms`. */
async function argon2Rate(parallel: number, ms: number): Promise<{ perSecond: number; cpuMsPerHash: number }> {
  const config = configSchema.parse({});
  const hasher = createArgon2Hasher(config.security.argon2);
  await hasher.hash("warm-up");
  let done = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: parallel }, async (_, lane) => {
      while (performance.now() < deadline) {
        await hasher.hash(`bench-${lane}-${done}`);
        done++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: done / ((performance.now() - started) / 1000),
    cpuMsPerHash: (cpu.user + cpu.system) / 1000 / done,
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "opensspr-bench-"));
  const sink = await startChild("smtp-sink.ts", [], onSinkLine);
  const server = await startChild(
    "server.ts",
    [dataDir, String(sink.port), String(TOTAL_USERS + 1)],
    undefined,
    PROFILE_DIR === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`],
  );
  const base = `http://127.0.0.1:${server.port}`;
  const pid = server.process.pid as number;
  const config = configSchema.parse({});
  console.log("OpenSSPR reset-flow benchmark (builtin directory, SQLite file, SMTP sink on loopback)");
  console.log("NOTE: the proof-of-work CAPTCHA runs at its LOWEST difficulty (altcha maxnumber 1000).");
  console.log(
    `load average before the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (other work on this machine skews every figure)`,
  );
  console.log(
    `argon2id: m=${config.security.argon2.memoryCost} KiB, t=${config.security.argon2.timeCost}, p=${config.security.argon2.parallelism}; ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "?"})`,
  );

  const results: Record<string, unknown>[] = [];
  let next = 0;
  try {
    // One warm-up flow (JIT, SQLite pages, zxcvbn dictionaries) on its own user, counted in no level.
    await flow(base, next++);
    for (const level of LEVELS) {
      const latencies: number[] = [];
      const failures: string[] = [];
      const indexes = Array.from({ length: level.flows }, (_, i) => next + i);
      next += level.flows;
      const started = performance.now();
      const cpuBefore = cpuMsOf(pid);
      await Promise.all(
        Array.from({ length: level.concurrency }, async () => {
          for (let index = indexes.shift(); index !== undefined; index = indexes.shift()) {
            try {
              latencies.push(await flow(base, index));
            } catch (error) {
              failures.push(error instanceof Error ? error.message : String(error));
            }
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const memory = rssOf(pid);
      const serverCpuMsPerFlow = latencies.length === 0 ? 0 : Math.round((cpuMsOf(pid) - cpuBefore) / latencies.length);
      const row = {
        concurrency: level.concurrency,
        flows: latencies.length,
        failures: failures.length,
        seconds: Math.round(seconds * 100) / 100,
        flowsPerSecond: Math.round((latencies.length / seconds) * 100) / 100,
        p50ms: Math.round(percentile(latencies, 50)),
        p99ms: Math.round(percentile(latencies, 99)),
        serverCpuMsPerFlow,
        serverRssMB: memory.rssMB,
        serverPeakRssMB: memory.peakMB,
      };
      results.push(row);
      console.log(
        `c=${row.concurrency.toString().padStart(2)}  flows=${row.flows} (${row.failures} failed)  ${row.flowsPerSecond} flows/s  p50=${row.p50ms} ms  p99=${row.p99ms} ms  server CPU=${row.serverCpuMsPerFlow} ms/flow  RSS=${row.serverRssMB} MB (peak ${row.serverPeakRssMB} MB)`,
      );
      if (failures.length > 0) console.log(`  first failure: ${failures[0]}`);
    }
  } finally {
    server.process.kill("SIGTERM");
    sink.process.kill("SIGTERM");
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(dataDir, { recursive: true, force: true });

  // The machine's argon2id limit, measured after the server stopped (nothing else competing).
  const rates = [await argon2Rate(availableParallelism(), 3000), await argon2Rate(availableParallelism() * 2, 3000)];
  const argon2PerSecond = Math.round(Math.max(...rates.map((r) => r.perSecond)) * 10) / 10;
  const argon2CpuMsPerHash = Math.round(Math.min(...rates.map((r) => r.cpuMsPerHash)) * 10) / 10;
  const best = Math.max(...results.map((r) => Number(r.flowsPerSecond)));
  const ratio = Math.round((best / argon2PerSecond) * 1000) / 1000;
  // Load-independent view: when CPU-bound, flows/s ÷ argon2/s = CPU per hash ÷ CPU per flow.
  const cpuPerFlow = Math.min(...results.map((r) => Number(r.serverCpuMsPerFlow)).filter((v) => v > 0));
  const cpuRatio = Math.round((argon2CpuMsPerHash / cpuPerFlow) * 1000) / 1000;
  const c4 = results.find((r) => r.concurrency === 4);
  console.log(`argon2id rate: ${argon2PerSecond} hashes/s`);
  console.log(`best flows/s ÷ argon2 rate = ${ratio}  (target ≥ 0.8)`);
  console.log(
    `CPU view (less sensitive to other load): ${argon2CpuMsPerHash} ms CPU per argon2 hash ÷ ${cpuPerFlow} ms server CPU per flow = ${cpuRatio}`,
  );
  console.log(
    `p99 at concurrency 4 = ${c4?.p99ms} ms (target < 250 ms); peak RSS = ${Math.max(...results.map((r) => Number(r.serverPeakRssMB)))} MB (target < 250 MB)`,
  );

  const out = {
    benchmark: "reset-flow",
    directory: "builtin",
    store: "sqlite-file",
    captcha: { algorithm: "SHA-256", maxnumber: 1000, note: "lowest difficulty" },
    argon2: config.security.argon2,
    cpus: availableParallelism(),
    loadAverageAtEnd: loadavg(),
    at: new Date().toISOString(),
    levels: results,
    argon2HashesPerSecond: argon2PerSecond,
    ratioBestFlowsToArgon2: ratio,
    argon2CpuMsPerHash,
    serverCpuMsPerFlowBest: cpuPerFlow,
    ratioByCpu: cpuRatio,
    targets: { ratio: 0.8, p99AtConcurrency4Ms: 250, rssMB: 250 },
  };
  if (PROFILE_DIR !== undefined) {
    console.log(`CPU profile of the server written under ${PROFILE_DIR} (results file left unchanged)`);
    return;
  }
  const file = join(HERE, "..", "results", "reset-flow-builtin.json");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`results written to ${file}`);
}

await main();
