/**
 * Graceful shutdown (SPEC §11): on the first SIGINT/SIGTERM run the steps in order (stop accepting and finish
 * in-flight requests, stop the outbox worker, close directory and store), then exit 0. A step that throws or a
 * shutdown that overruns its deadline exits 1. A second signal while shutting down exits at once (code 1): the
 * operator asked twice. The outbox is durable, so a forced exit loses no mail; it is resent after restart.
 */
import type { Logger } from "./logger.ts";

export interface ShutdownStep {
  /** Shown in the log: "http", "outbox worker", "registry". */
  name: string;
  run(): Promise<void>;
}

export interface ShutdownOptions {
  steps: ShutdownStep[];
  log: Pick<Logger, "info" | "warn" | "error">;
  /** Longest a graceful shutdown may take before it is cut short. @default 10000 */
  timeoutMs?: number;
  signals?: readonly NodeJS.Signals[];
  /** @default process.exit */
  exit?: (code: number) => void;
  /** Where signals come from. @default process */
  emitter?: Pick<NodeJS.Process, "on" | "off">;
}

export interface ShutdownHandle {
  /** Runs the steps as if a signal had arrived (tests, fatal errors). Resolves with the exit code it used. */
  trigger(reason: string): Promise<number>;
  /** Removes the signal listeners. */
  dispose(): void;
}

export const FORCED_EXIT_CODE = 1;

export function installShutdown(options: ShutdownOptions): ShutdownHandle {
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const emitter = options.emitter ?? process;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let running: Promise<number> | null = null;

  async function runSteps(): Promise<number> {
    let code = 0;
    for (const step of options.steps) {
      try {
        await step.run();
        options.log.info({ step: step.name }, "shutdown step done");
      } catch (error) {
        code = 1;
        options.log.error({ step: step.name, err: error }, "shutdown step failed");
      }
    }
    return code;
  }

  async function trigger(reason: string): Promise<number> {
    if (running !== null) return running;
    options.log.info({ reason }, "shutting down: finishing in-flight requests (send the signal again to force)");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        options.log.error({ timeoutMs }, "graceful shutdown overran its deadline; exiting");
        resolve(1);
      }, timeoutMs);
      // Deliberately not unref'd: it keeps the process alive until exit() is called with the right code.
    });
    running = Promise.race([runSteps(), deadline]).then((code) => {
      clearTimeout(timer);
      dispose();
      exit(code);
      return code;
    });
    return running;
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running !== null) {
      options.log.warn({ signal }, "second signal: forcing exit");
      exit(FORCED_EXIT_CODE);
      return;
    }
    void trigger(signal);
  };

  function dispose(): void {
    for (const signal of signals) emitter.off(signal, onSignal);
  }

  for (const signal of signals) emitter.on(signal, onSignal);
  return { trigger, dispose };
}
