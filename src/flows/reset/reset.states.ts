/**
 * The reset / unlock flow as an explicit state machine (SPEC §6, reference §2.2, STYLE rule 6).
 * The diagram beside this file (`reset.states.mmd`) draws the same table; change both together.
 *
 * The identify step (S1) creates the flow, so a flow row never sits in an "identify" state: it starts in
 * `choosing_path` (when unlock-only is offered, S3) or `choosing_method` (gate 1, S4). Unknown, disabled,
 * out-of-scope, blocked and unregistered identifiers walk exactly the same states (decoy) and never leave
 * `in_challenge` by a proof.
 *
 * If the rules change, add NEW state names rather than re-purposing old ones, so flows already in progress
 * can finish (Kratos v1/v2).
 */
import { AppError } from "../../errors/app-error.ts";

export const RESET_STATES = [
  /** S3: "I forgot my password" vs "I know my password, but still can't sign in". */
  "choosing_path",
  /** S4/S5: pick the method for the current gate (`data.gate` is 1 or 2). */
  "choosing_method",
  /** A method's challenge is running (code sent, questions shown, TOTP asked). */
  "in_challenge",
  /** S6 (reset path): every gate passed; waiting for the new password. */
  "awaiting_new_password",
  /** The new password was accepted by the policy and is being written (claimed, so one request writes). */
  "writing_password",
  /** S6 (unlock path): every gate passed; waiting for the user to confirm the unlock. */
  "awaiting_unlock",
  /** The unlock is being written. */
  "writing_unlock",
  /** S7: the password was reset or the account unlocked. Terminal; the flow is consumed. */
  "done",
  /** A gate was passed but the account may not (any longer) use SSPR: §9.1 message. Terminal. */
  "refused",
  /** The code/answers ran out of tries (REQ-015): start again. Terminal. */
  "failed",
] as const;

export type ResetState = (typeof RESET_STATES)[number];

/** What moves the flow. Routes name the event; the service asserts it before doing any work. */
export type ResetEvent =
  | "choose_path"
  | "choose_method"
  | "begin_challenge"
  | "verify_challenge"
  | "gate_passed"
  | "all_gates_passed"
  | "submit_password"
  | "password_refused"
  | "password_written"
  | "confirm_unlock"
  | "unlock_refused"
  | "unlock_written"
  | "refuse"
  | "exhaust"
  | "contact_admin";

type TransitionTable = { readonly [S in ResetState]: Partial<Record<ResetEvent, readonly ResetState[]>> };

/**
 * Every allowed transition: state → event → possible next states. Anything not listed is refused with
 * FLOW_STEP_INVALID (REQ-025: no step skipping, e.g. posting a password before the gates).
 */
export const RESET_TRANSITIONS = {
  choosing_path: {
    choose_path: ["choosing_method"],
    contact_admin: ["choosing_path"],
  },
  choosing_method: {
    choose_method: ["in_challenge"],
    contact_admin: ["choosing_method"],
  },
  in_challenge: {
    // Switching method discards the partly verified state (REQ-025).
    choose_method: ["in_challenge"],
    begin_challenge: ["in_challenge"],
    verify_challenge: ["in_challenge"],
    gate_passed: ["choosing_method"],
    all_gates_passed: ["awaiting_new_password", "awaiting_unlock"],
    refuse: ["refused"],
    exhaust: ["failed"],
    contact_admin: ["in_challenge"],
  },
  awaiting_new_password: {
    submit_password: ["writing_password"],
    refuse: ["refused"],
    contact_admin: ["awaiting_new_password"],
  },
  writing_password: {
    // A directory refusal or outage gives the step back so the user can retry (SPEC §3).
    password_refused: ["awaiting_new_password"],
    password_written: ["done"],
  },
  awaiting_unlock: {
    confirm_unlock: ["writing_unlock"],
    refuse: ["refused"],
    contact_admin: ["awaiting_unlock"],
  },
  writing_unlock: {
    unlock_refused: ["awaiting_unlock"],
    unlock_written: ["done"],
  },
  done: {},
  refused: { contact_admin: ["refused"] },
  failed: { contact_admin: ["failed"] },
} as const satisfies TransitionTable;

export function isResetState(value: string): value is ResetState {
  return (RESET_STATES as readonly string[]).includes(value);
}

/** The states `event` may move `from` into; empty when the event is not allowed there. */
export function nextStates(from: ResetState, event: ResetEvent): readonly ResetState[] {
  const row: Partial<Record<ResetEvent, readonly ResetState[]>> = RESET_TRANSITIONS[from];
  return row[event] ?? [];
}

/** Throws FLOW_STEP_INVALID unless `event` may move `from` into `to` (or anywhere, when `to` is omitted). */
export function assertTransition(from: string, event: ResetEvent, to?: ResetState): void {
  if (!isResetState(from)) throw new AppError("FLOW_STEP_INVALID", { detail: `unknown reset state ${from}` });
  const allowed = nextStates(from, event);
  if (allowed.length === 0 || (to !== undefined && !allowed.includes(to))) {
    throw new AppError("FLOW_STEP_INVALID", { detail: `${event} not allowed in ${from}${to ? ` → ${to}` : ""}` });
  }
}

/** Terminal states: nothing but the "contact your administrator" form is possible. */
export function isTerminal(state: ResetState): boolean {
  return state === "done" || state === "refused" || state === "failed";
}
