/**
 * `opensspr serve` shutdown (src/kernel/shutdown.ts): the first SIGINT/SIGTERM finishes in-flight work in order and
 * exits 0; a failing step still lets the others run (the store gets closed) but exits 1; a second signal forces
 * the exit; a step that hangs cannot keep the process alive past the deadline.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";
import { FORCED_EXIT_CODE, installShutdown, type ShutdownStep } from "../../src/kernel/shutdown.ts";

const quietLog = { info: () => {}, warn: () => {}, error: () => {} };

function harness(steps: ShutdownStep[], options: { timeoutMs?: number } = {}) {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const handle = installShutdown({
    steps,
    log: quietLog,
    emitter: emitter as unknown as Pick<NodeJS.Process, "on" | "off">,
    exit: (code) => {
      exits.push(code);
      resolveExit(code);
    },
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { emitter, exits, exited, handle };
}

describe("graceful shutdown", () => {
  test("SIGTERM runs every step in order, then exits 0 and stops listening for signals", async () => {
    const order: string[] = [];
    const steps = ["http", "outbox worker", "store"].map((name) => ({
      name,
      run: async () => {
        order.push(name);
      },
    }));
    const { emitter, exits, exited } = harness(steps);
    emitter.emit("SIGTERM", "SIGTERM");
    assert.equal(await exited, 0);
    assert.deepEqual(order, ["http", "outbox worker", "store"]);
    assert.deepEqual(exits, [0]);
    assert.equal(emitter.listenerCount("SIGTERM"), 0);
    assert.equal(emitter.listenerCount("SIGINT"), 0);
  });

  test("a failing step does not stop the later ones (the store still closes) but the exit code is 1", async () => {
    const order: string[] = [];
    const { emitter, exited } = harness([
      {
        name: "http",
        run: async () => {
          throw new Error("close failed");
        },
      },
      {
        name: "store",
        run: async () => {
          order.push("store");
        },
      },
    ]);
    emitter.emit("SIGINT", "SIGINT");
    assert.equal(await exited, 1);
    assert.deepEqual(order, ["store"]);
  });

  test("a second signal while shutting down forces the exit at once", async () => {
    let release: () => void = () => {};
    const { emitter, exits, exited } = harness([
      { name: "http", run: () => new Promise<void>((resolve) => (release = resolve)) },
    ]);
    emitter.emit("SIGTERM", "SIGTERM");
    emitter.emit("SIGINT", "SIGINT");
    assert.equal(await exited, FORCED_EXIT_CODE);
    assert.deepEqual(exits, [FORCED_EXIT_CODE]);
    release();
  });

  test("a step that never finishes is cut short by the deadline (exit 1)", async () => {
    const { exited, handle } = harness([{ name: "stuck", run: () => new Promise<void>(() => {}) }], { timeoutMs: 50 });
    const triggered = handle.trigger("test");
    assert.equal(await exited, 1);
    assert.equal(await triggered, 1);
  });
});
