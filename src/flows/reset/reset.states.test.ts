/**
 * The reset state machine and its diagram must say the same thing (STYLE rule 6): every transition of
 * RESET_TRANSITIONS is drawn in reset.states.mmd and every drawn arrow is in the table; steps out of order
 * are refused.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isAppError } from "../../errors/app-error.ts";
import { assertTransition, RESET_STATES, RESET_TRANSITIONS } from "./reset.states.ts";

function tableEdges(): Set<string> {
  const edges = new Set<string>();
  for (const [from, events] of Object.entries(RESET_TRANSITIONS)) {
    for (const [event, targets] of Object.entries(events as Record<string, readonly string[]>)) {
      // contact_admin keeps the state; the diagram notes it once instead of drawing it everywhere.
      if (event === "contact_admin") continue;
      for (const to of targets) edges.add(`${from} --> ${to}: ${event}`);
    }
  }
  return edges;
}

function diagramEdges(): Set<string> {
  const text = readFileSync(join(import.meta.dirname, "reset.states.mmd"), "utf8");
  const edges = new Set<string>();
  for (const line of text.split("\n")) {
    const match = /^\s*(\w+) --> (\w+): (\w+)/.exec(line);
    if (match !== null) edges.add(`${match[1]} --> ${match[2]}: ${match[3]}`);
  }
  return edges;
}

test("the diagram draws exactly the transition table", () => {
  assert.deepEqual([...diagramEdges()].sort(), [...tableEdges()].sort());
});

test("every state has a row, and terminal states lead nowhere but the contact form", () => {
  assert.deepEqual(Object.keys(RESET_TRANSITIONS).sort(), [...RESET_STATES].sort());
  assert.deepEqual(Object.keys(RESET_TRANSITIONS.done), []);
  assert.deepEqual(Object.keys(RESET_TRANSITIONS.failed), ["contact_admin"]);
});

test("skipping steps is refused with FLOW_STEP_INVALID", () => {
  for (const [from, event] of [
    ["choosing_method", "submit_password"],
    ["choosing_path", "verify_challenge"],
    ["in_challenge", "submit_password"],
    ["done", "submit_password"],
    ["awaiting_unlock", "submit_password"],
  ] as const) {
    assert.throws(
      () => assertTransition(from, event),
      (error: unknown) => isAppError(error) && error.code === "FLOW_STEP_INVALID",
      `${from} / ${event}`,
    );
  }
  assert.doesNotThrow(() => assertTransition("awaiting_new_password", "submit_password", "writing_password"));
  assert.throws(() => assertTransition("awaiting_new_password", "submit_password", "done"));
  assert.throws(() => assertTransition("no_such_state", "choose_path"));
});
