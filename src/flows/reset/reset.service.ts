/**
 * The reset / unlock flow (SPEC §6–§8, reference §2.2, §5, §9.1): HTTP-independent. Routes parse input,
 * call one function here, and render the returned `ResetView` as a page or as JSON.
 *
 * Enumeration neutrality (SPEC §6, REQ-001..005, STYLE rule 4): an unknown, disabled, out-of-scope,
 * unregistered or blocked identifier gets a flow too, walks the same states with the POLICY's method list,
 * and its methods run in decoy mode (`user: null`): same store work, nothing sent, never proved. The true
 * reason goes only to the audit log.
 *
 * Flow binding (REQ-024, REQ-031): the flow id alone is useless. Identify returns a 256-bit token (cookie for
 * pages, JSON for the API); only its keyed digest is stored and every step compares it in constant time.
 *
 * Concurrency: every write is an optimistic, version-checked update; a request that loses the race re-reads
 * the flow and re-applies its outcome only if the flow is still where it was (`commit`). The password write
 * is claimed first (`writing_password`) so two submissions cannot both reach the directory.
 */

import { AUDIT_ACTIVITIES, FLOW_REASONS } from "../../audit/events.ts";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError, type FieldIssue } from "../../errors/app-error.ts";
import { addSeconds, HOUR_MS, MINUTE_MS } from "../../kernel/clock.ts";
import { newId } from "../../kernel/ids.ts";
import { token } from "../../kernel/random.ts";
import { hmacHex, safeEqual } from "../../kernel/secrets.ts";
import { t } from "../../messages/index.ts";
import type { ChallengeContext, ChallengeView, Method } from "../../methods/method.ts";
import { METHOD_IDS, methodFamily } from "../../policy/families.ts";
import type { SSPRPolicy } from "../../policy/policy.types.ts";
import type { Eligibility, EligibilityReason, Registry, RequestContext } from "../../registry.types.ts";
import type { FlowRow, MethodId } from "../../store/types.ts";
import { assertTransition, isResetState, type ResetEvent, type ResetState } from "./reset.states.ts";

export type ResetDeps = Pick<
  Registry,
  | "config"
  | "clock"
  | "random"
  | "keys"
  | "log"
  | "stores"
  | "directory"
  | "policy"
  | "passwordPolicy"
  | "throttles"
  | "audit"
  | "notifier"
  | "methods"
> & {
  /** The proof-of-work check (http/captcha.ts); in the service so every pathway enforces it (REQ-030). */
  captcha: { verify(payload: unknown): Promise<{ ok: true } | { ok: false; reason: string }> };
};

/** Source-address and per-flow limits (SPEC §8 "plus per source address"); per-account ones are THR-01..06. */
export const RESET_LIMITS = {
  /** Identify submissions per source address. */
  identifyPerIp: { limit: 20, windowMs: MINUTE_MS },
  /** Proof submissions (codes, answers, TOTP) per source address. */
  proofsPerIp: { limit: 60, windowMs: HOUR_MS },
  /** Code sends / destination checks per source address. */
  sendsPerIp: { limit: 30, windowMs: HOUR_MS },
  /** "Contact your administrator" emails per source address. */
  contactPerIp: { limit: 3, windowMs: HOUR_MS },
} as const;

/** Identifiers longer than this are refused before any lookup. */
export const MAX_IDENTIFIER_LENGTH = 256;

export type ResetPath = "reset" | "unlock";

/** What the page or the API shows for the current step. */
export interface ResetView {
  flowId: string;
  state: ResetState;
  expiresAt: string;
  /** choosing_path: both paths offered. */
  paths: ResetPath[] | null;
  path: ResetPath;
  /** Current gate (1 or 2) while gates are being passed. */
  gate: 1 | 2 | null;
  /** Methods offered for this gate (policy list at gate 1, REQ-005). */
  methods: { id: MethodId; label: string }[];
  method: MethodId | null;
  challenge: ChallengeView | null;
  /** Message id of the last outcome (wrong code, new questions...). */
  message: string | null;
  /** `error` when the last submission was refused (pages show it as an alert; the API returns 422). */
  messageKind: "error" | "info" | null;
  attemptsLeft: number | null;
  /** Password / unlock results and §9.1 refusals. */
  result: "password_reset" | "unlocked" | "not_locked" | null;
  refusal: { code: string; message: string } | null;
  /** "Contact your administrator" (FLOW-04, POL-11/12). */
  helpdesk: HelpdeskContact;
  contactedAdmin: boolean;
}

export type HelpdeskContact = { kind: "url"; url: string } | { kind: "email"; address: string } | { kind: "form" };

/** §9.1 user-facing refusals by eligibility reason (message ids in reset.messages.ts). */
const REFUSALS: Record<EligibilityReason | "blocked", { code: string; message: string }> = {
  policy_none: { code: "SSPR_0009", message: "reset.refusal.tenant_disabled" },
  writeback_disabled: { code: "SSPR_0010", message: "reset.refusal.writeback" },
  admin_sspr_disabled: { code: "SSPR_0011", message: "reset.refusal.not_configured" },
  not_in_scope: { code: "SSPR_0013", message: "reset.refusal.not_in_group" },
  not_registered: { code: "SSPR_0014", message: "reset.refusal.not_registered" },
  account_disabled: { code: "SSPR_0029", message: "reset.refusal.admin_action" },
  protected_account: { code: "SSPR_0029", message: "reset.refusal.admin_action" },
  blocked: { code: "SSPR_0015", message: "reset.refusal.blocked" },
};

/** Audit reason for each decoy cause (reference §8.2). */
const DECOY_AUDIT_REASON: Record<DecoyReason, string> = {
  unknown: FLOW_REASONS.unknownAccount,
  policy_none: FLOW_REASONS.tenantDisabled,
  not_in_scope: FLOW_REASONS.notInGroup,
  admin_sspr_disabled: FLOW_REASONS.notEnabled,
  not_registered: FLOW_REASONS.insufficientMethods,
  account_disabled: FLOW_REASONS.disabledAccount,
  protected_account: FLOW_REASONS.protectedAccount,
  writeback_disabled: FLOW_REASONS.notEnabled,
  blocked: AUDIT_ACTIVITIES.blocked.name,
};

type DecoyReason = EligibilityReason | "unknown" | "blocked";

const STARTED: Record<MethodId, string> = {
  "email-code": FLOW_REASONS.startedEmail,
  "sms-code": FLOW_REASONS.startedSMS,
  "voice-mobile": FLOW_REASONS.startedVoiceMobile,
  "voice-office": FLOW_REASONS.startedVoiceOffice,
  totp: FLOW_REASONS.startedAppCode,
  "security-questions": FLOW_REASONS.startedQuestions,
  passkey: FLOW_REASONS.startedPasskey,
};
const COMPLETED: Record<MethodId, string> = {
  "email-code": FLOW_REASONS.completedEmail,
  "sms-code": FLOW_REASONS.completedSMS,
  "voice-mobile": FLOW_REASONS.completedVoiceMobile,
  "voice-office": FLOW_REASONS.completedVoiceOffice,
  totp: FLOW_REASONS.completedAppCode,
  "security-questions": FLOW_REASONS.completedQuestions,
  passkey: FLOW_REASONS.completedPasskey,
};

/** The flow's server-side data (FlowRow.data). Never a secret in clear. */
export interface ResetFlowData {
  tokenDigest: string;
  /** As typed (trimmed), for the audit target name. */
  identifier: string;
  /** The matched account, also when it is a decoy (audit only). */
  userId: string | null;
  userName: string | null;
  /** No gate can ever be passed. */
  decoy: boolean;
  decoySeed: string;
  /** Blocked during the flow (THR-xx tripped): no more sends, no more proofs. */
  blocked: boolean;
  isAdmin: boolean;
  methodsRequired: 1 | 2;
  /** Methods this account has data for (real accounts only). */
  usable: MethodId[];
  path: ResetPath;
  gate: 1 | 2;
  passed: { method: MethodId; family: string }[];
  method: MethodId | null;
  methodState: Record<string, unknown>;
  view: ChallengeView | null;
  message: string | null;
  messageKind: "error" | "info" | null;
  attemptsLeft: number | null;
  result: ResetView["result"];
  refusal: { code: string; message: string } | null;
  contactedAdmin: boolean;
}

interface LoadedFlow {
  row: FlowRow;
  state: ResetState;
  data: ResetFlowData;
}

export interface ResetService {
  /** S1: identifier + CAPTCHA → a new flow (for every identifier, REQ-001). */
  identify(
    input: { identifier: string; captcha: unknown },
    ctx: RequestContext,
  ): Promise<{ flowId: string; token: string; view: ResetView }>;
  view(flowId: string, flowToken: string | undefined): Promise<ResetView>;
  choosePath(flowId: string, flowToken: string | undefined, path: ResetPath, ctx: RequestContext): Promise<ResetView>;
  chooseMethod(flowId: string, flowToken: string | undefined, method: string, ctx: RequestContext): Promise<ResetView>;
  /** Sends a code to the typed destination, or sends it again ("Try again", FLOW-04). */
  begin(
    flowId: string,
    flowToken: string | undefined,
    input: Record<string, string>,
    ctx: RequestContext,
  ): Promise<ResetView>;
  verify(
    flowId: string,
    flowToken: string | undefined,
    input: Record<string, string>,
    ctx: RequestContext,
  ): Promise<ResetView & { newToken?: string }>;
  /** Server-side strength feedback for the meter (works without JS: the form's "check" button). */
  strength(
    flowId: string,
    flowToken: string | undefined,
    password: string,
  ): Promise<{ score: 0 | 1 | 2 | 3 | 4; feedback: string[] }>;
  setPassword(
    flowId: string,
    flowToken: string | undefined,
    input: { password: string; confirm: string },
    ctx: RequestContext,
  ): Promise<ResetView>;
  unlock(flowId: string, flowToken: string | undefined, ctx: RequestContext): Promise<ResetView>;
  contactAdmin(flowId: string, flowToken: string | undefined, ctx: RequestContext): Promise<ResetView>;
  /** The helpdesk contact shown on the identify page (no flow yet). */
  helpdesk(): Promise<HelpdeskContact>;
}

/** REQ-116: trim, NFKC; control, zero-width and bidi characters refused. */
export function canonicalIdentifier(raw: string): string | null {
  const value = raw.normalize("NFKC").trim();
  if (value.length === 0 || value.length > MAX_IDENTIFIER_LENGTH) return null;
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(value)) return null;
  return value;
}

export function helpdeskContact(policy: SSPRPolicy): HelpdeskContact {
  const contact = policy.helpdesk.contact.trim();
  if (/^https?:\/\/\S+$/i.test(contact)) return { kind: "url", url: contact };
  const mail = contact.replace(/^mailto:/i, "");
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) return { kind: "email", address: mail };
  return { kind: "form" };
}

export function createResetService(deps: ResetDeps): ResetService {
  const ttlSeconds = deps.config.flows.resetTtlSeconds;

  const digestToken = (value: string): string => hmacHex(deps.keys.tokenDigest, "reset-flow", value);

  const unlockOffered = (policy: SSPRPolicy): boolean =>
    policy.writeback.allowUnlockWithoutReset && deps.directory.unlock !== undefined;

  const methodWithChallenge = (id: MethodId): (Method & { challenge: NonNullable<Method["challenge"]> }) | null => {
    const method = deps.methods.get(id);
    return method?.challenge === undefined
      ? null
      : (method as Method & { challenge: NonNullable<Method["challenge"]> });
  };

  /** Gate 1: the policy's list (same for everyone, REQ-005). Gate 2: the account's other families. */
  function offeredMethods(policy: SSPRPolicy, data: ResetFlowData): MethodId[] {
    if (data.gate === 1 || data.decoy) {
      return METHOD_IDS.filter((m) => policy.methods.includes(m) && methodWithChallenge(m) !== null);
    }
    const usedFamilies = new Set(data.passed.map((p) => p.family));
    return METHOD_IDS.filter(
      (m) => data.usable.includes(m) && !usedFamilies.has(methodFamily(m)) && methodWithChallenge(m) !== null,
    );
  }

  async function toView(flow: LoadedFlow, policy?: SSPRPolicy): Promise<ResetView> {
    const current = policy ?? (await deps.policy.current()).policy;
    const { data, state } = flow;
    const gateStates: ResetState[] = ["choosing_method", "in_challenge"];
    const methods = gateStates.includes(state)
      ? offeredMethods(current, data).map((id) => ({ id, label: methodWithChallenge(id)?.labelMessage ?? id }))
      : [];
    return {
      flowId: flow.row.id,
      state,
      expiresAt: flow.row.expiresAt.toISOString(),
      paths: state === "choosing_path" ? ["reset", "unlock"] : null,
      path: data.path,
      gate: gateStates.includes(state) ? data.gate : null,
      methods,
      method: state === "in_challenge" ? data.method : null,
      challenge: state === "in_challenge" ? data.view : null,
      message: data.message,
      messageKind: data.messageKind,
      attemptsLeft: data.attemptsLeft,
      result: data.result,
      refusal: data.refusal,
      helpdesk: helpdeskContact(current),
      contactedAdmin: data.contactedAdmin,
    };
  }

  async function load(
    flowId: string,
    flowToken: string | undefined,
    options: { allowExpired?: boolean } = {},
  ): Promise<LoadedFlow> {
    if (typeof flowId !== "string" || !/^[0-9a-z]{10,40}$/.test(flowId)) throw new AppError("FLOW_NOT_FOUND");
    const row = await deps.stores.flows.get(flowId);
    const data = row?.data as ResetFlowData | undefined;
    // A missing or wrong token looks exactly like an unknown flow (REQ-031).
    const tokenOk =
      row !== null &&
      data !== undefined &&
      typeof flowToken === "string" &&
      flowToken.length > 0 &&
      flowToken.length <= 128 &&
      safeEqual(digestToken(flowToken), String(data.tokenDigest));
    if (row === null || row.kind !== "reset" || !tokenOk || data === undefined || !isResetState(row.state)) {
      throw new AppError("FLOW_NOT_FOUND");
    }
    // FLOW-01: 15 minutes; at the deadline the flow is over.
    if (options.allowExpired !== true && deps.clock.now().getTime() >= row.expiresAt.getTime()) {
      throw new AppError("FLOW_EXPIRED");
    }
    return { row, state: row.state, data };
  }

  /**
   * Applies `change` to the freshest flow and writes it if nobody else did meanwhile (optimistic version);
   * on a lost race, re-reads and re-applies. `change` returns null to leave the flow as it is.
   */
  async function commit(
    first: LoadedFlow,
    flowToken: string | undefined,
    change: (flow: LoadedFlow) => { state: ResetState; data: ResetFlowData } | null,
  ): Promise<LoadedFlow> {
    let flow = first;
    for (let attempt = 0; attempt < 8; attempt++) {
      const next = change(flow);
      if (next === null) return flow;
      const updatedAt = deps.clock.now();
      const written = await deps.stores.flows.update(flow.row.id, flow.row.version, {
        state: next.state,
        data: next.data as unknown as Record<string, unknown>,
        updatedAt,
      });
      if (written) {
        return {
          row: {
            ...flow.row,
            state: next.state,
            data: next.data as unknown as Record<string, unknown>,
            version: flow.row.version + 1,
            updatedAt,
          },
          state: next.state,
          data: next.data,
        };
      }
      flow = await load(flow.row.id, flowToken, { allowExpired: true });
    }
    throw new AppError("VERSION_CONFLICT");
  }

  /** Moves by `event` (asserted against the table on the fresh flow). */
  function step(event: ResetEvent, to: ResetState, patch: (data: ResetFlowData) => Partial<ResetFlowData>) {
    return (flow: LoadedFlow): { state: ResetState; data: ResetFlowData } => {
      assertTransition(flow.state, event, to);
      return { state: to, data: { ...flow.data, ...patch(flow.data) } };
    };
  }

  async function audit(
    flow: { data: ResetFlowData; row?: FlowRow | undefined; flowId?: string },
    outcome: "success" | "failure",
    reason: string,
    ctx: RequestContext,
    details: Record<string, unknown> = {},
    activity: "flowProgress" | "resetSelfService" | "unlockSelfService" | "contactAdmin" = "flowProgress",
  ): Promise<void> {
    const target = { id: flow.data.userId, name: flow.data.userName ?? flow.data.identifier };
    await deps.audit.record({
      activity,
      outcome,
      reason,
      actor: target,
      target,
      ctx,
      details: { flowId: flow.row?.id ?? flow.flowId, ...details },
    });
  }

  /** The method's view of this flow: the real account only when it may pass this gate. */
  function challengeContext(
    flow: LoadedFlow,
    method: MethodId,
    user: DirectoryUser | null,
    enrollments: ChallengeContext["enrollments"],
    policy: SSPRPolicy,
    ctx: RequestContext,
    state: Record<string, unknown>,
  ): ChallengeContext {
    const real = user !== null && !flow.data.decoy && !flow.data.blocked && flow.data.usable.includes(method);
    return {
      flowId: flow.row.id,
      user: real ? user : null,
      decoySeed: flow.data.decoySeed,
      enrollments: real ? enrollments : [],
      policy,
      state,
      request: ctx,
    };
  }

  /** The account behind a flow (null for unknown identifiers). Directory outages propagate (503). */
  async function accountOf(
    flow: LoadedFlow,
  ): Promise<{ user: DirectoryUser | null; enrollments: ChallengeContext["enrollments"] }> {
    if (flow.data.userId === null) return { user: null, enrollments: [] };
    const user = await deps.directory.getUser(flow.data.userId);
    if (user === null) return { user: null, enrollments: [] };
    return { user, enrollments: await deps.stores.enrollments.listForUser(user.id) };
  }

  /**
   * What `begin` and `verify` share: the flow (token checked, transition allowed), its method, the per-IP
   * limit, the current policy, whether the account is blocked (then the method runs as a decoy), and the
   * method's challenge context.
   */
  async function prepareChallenge(
    flowId: string,
    flowToken: string | undefined,
    options: {
      event: "begin_challenge" | "verify_challenge";
      ipKey: string;
      ipLimit: { limit: number; windowMs: number };
    },
    ctx: RequestContext,
  ) {
    const flow = await load(flowId, flowToken);
    assertTransition(flow.state, options.event);
    const id = flow.data.method;
    const method = id === null ? null : methodWithChallenge(id);
    if (id === null || method === null) throw new AppError("FLOW_STEP_INVALID");
    await hitIp(options.ipKey, ctx, options.ipLimit);
    const { policy } = await deps.policy.current();
    const blocked = flow.data.blocked || (await isBlocked(flow));
    const { user, enrollments } = await accountOf(flow);
    const context = challengeContext(
      { ...flow, data: { ...flow.data, blocked } },
      id,
      user,
      enrollments,
      policy,
      ctx,
      flow.data.methodState,
    );
    return { flow, id, method, policy, blocked, user, context };
  }

  async function hitIp(key: string, ctx: RequestContext, limit: { limit: number; windowMs: number }): Promise<void> {
    const ip = ctx.ip ?? "unknown";
    const { allowed } = await deps.throttles.hitKey(`ip:${ip}:${key}`, limit);
    if (!allowed) throw new AppError("RATE_LIMITED");
  }

  /** Counts one per-account event; a trip blocks the flow from sending or proving (THR-01..06). */
  async function hitAccount(
    flow: LoadedFlow,
    counter: Parameters<Registry["throttles"]["hitAccount"]>[1],
    ctx: RequestContext,
  ): Promise<boolean> {
    if (flow.data.userId === null || flow.data.decoy) {
      // Same store work for decoys (comparable timing), on a key that blocks nothing.
      await deps.throttles.hitKey(`decoy:${flow.data.decoySeed.slice(0, 32)}:${counter}`, {
        limit: 1_000_000,
        windowMs: HOUR_MS,
      });
      return true;
    }
    const { allowed } = await deps.throttles.hitAccount(flow.data.userId, counter, ctx);
    return allowed;
  }

  async function isBlocked(flow: LoadedFlow): Promise<boolean> {
    const real = flow.data.userId !== null && !flow.data.decoy;
    // Decoys make the same lookup (comparable timing) on an id no account has.
    const block = await deps.throttles.isAccountBlocked(
      real ? String(flow.data.userId) : `decoy-${flow.data.decoySeed.slice(0, 24)}`,
    );
    return real && block !== null;
  }

  /** Re-checks, after a proof, that the account may still reset (eligibility, block). */
  async function refusalFor(user: DirectoryUser): Promise<{ code: string; message: string } | null> {
    if ((await deps.throttles.isAccountBlocked(user.id)) !== null) return REFUSALS.blocked;
    const eligibility = await deps.policy.eligibility(user);
    if (eligibility.eligible) return null;
    const reason = eligibility.reasons[0] ?? "not_registered";
    return REFUSALS[reason];
  }

  async function userEmails(user: DirectoryUser): Promise<string[]> {
    const out = new Map<string, string>();
    if (user.email) out.set(user.email.toLowerCase(), user.email);
    for (const row of await deps.stores.enrollments.listForUser(user.id)) {
      const address = row.data.email;
      if (row.method === "email-code" && row.status === "active" && typeof address === "string" && address !== "") {
        out.set(address.toLowerCase(), address);
      }
    }
    return [...out.values()];
  }

  /** Members (nested) of the configured admin groups, with an email, at most 100 (reference §10 N-3). */
  async function adminRecipients(exceptUserId: string | null): Promise<{ id: string; email: string }[]> {
    const out = new Map<string, { id: string; email: string }>();
    if (deps.directory.membersOf === undefined) return [];
    for (const name of deps.config.directory.adminGroups) {
      const group = await deps.directory.findGroup(name);
      if (group === null) continue;
      for (const member of await deps.directory.membersOf(group, { limit: 100 })) {
        if (member.id === exceptUserId || member.email === null || member.email === "") continue;
        out.set(member.id, { id: member.id, email: member.email });
        if (out.size >= 100) return [...out.values()];
      }
    }
    return [...out.values()];
  }

  async function notifySuccess(
    user: DirectoryUser,
    isAdmin: boolean,
    policy: SSPRPolicy,
    ctx: RequestContext,
  ): Promise<void> {
    const at = deps.clock.now().toISOString();
    if (policy.notifications.userOnReset) {
      for (const recipient of await userEmails(user)) {
        await deps.notifier.enqueue({
          channel: "email",
          recipient,
          template: "password-changed",
          params: { displayName: user.displayName || user.userName, at },
          locale: ctx.locale,
        });
      }
    }
    if (isAdmin && policy.notifications.adminsOnAdminReset) {
      for (const admin of await adminRecipients(user.id)) {
        await deps.notifier.enqueue({
          channel: "email",
          recipient: admin.email,
          template: "admin-password-reset-alert",
          params: { adminName: user.displayName || user.userName, at },
          locale: ctx.locale,
        });
      }
    }
  }

  /** Consumes the flow's effects of success (SPEC §8 / THR-08 / REQ-086). */
  async function afterSuccess(
    user: DirectoryUser,
    flow: LoadedFlow,
    policy: SSPRPolicy,
    ctx: RequestContext,
  ): Promise<void> {
    await deps.stores.sessions.deleteForUser(user.id);
    await deps.throttles.clearAccount(user.id);
    try {
      await notifySuccess(user, flow.data.isAdmin, policy, ctx);
    } catch (error) {
      // The password is already changed: a notification problem must not turn success into an error page.
      deps.log.error({ err: error, flowId: flow.row.id }, "reset notification could not be queued");
    }
  }

  return {
    async helpdesk() {
      return helpdeskContact((await deps.policy.current()).policy);
    },

    async identify(input, ctx) {
      await hitIp("identify", ctx, RESET_LIMITS.identifyPerIp);
      const identifier = canonicalIdentifier(input.identifier);
      if (identifier === null) {
        throw new AppError("VALIDATION_FAILED", {
          issues: [{ field: "identifier", message: t(ctx.locale, "reset.identify.invalid") }],
        });
      }
      const captcha = await deps.captcha.verify(input.captcha);
      if (!captcha.ok) {
        throw new AppError("VALIDATION_FAILED", {
          issues: [{ field: "captcha", message: t(ctx.locale, "reset.captcha.invalid") }],
        });
      }
      const { policy } = await deps.policy.current();
      const decoySeed = hmacHex(deps.keys.decoy, identifier.toLowerCase());

      // A tenant-wide switch-off reveals nothing about any account (SSPR_0009 for everyone).
      if (policy.enabled === "none" && !policy.administrators.enabled) {
        throw new AppError("SSPR_DISABLED");
      }

      const user = await deps.directory.findUser(identifier);
      let eligibility: Eligibility | null = null;
      let decoyReason: DecoyReason | null = null;
      if (user === null) {
        decoyReason = "unknown";
        // Comparable work for the unknown path (REQ-002): the same eligibility lookups on a placeholder.
        try {
          await deps.policy.eligibility({
            id: `decoy-${decoySeed.slice(0, 24)}`,
            userName: identifier,
            displayName: identifier,
            email: null,
            mobile: null,
            officePhone: null,
          });
        } catch {
          // Directories may refuse a made-up account; only the time spent matters here.
        }
      } else {
        eligibility = await deps.policy.eligibility(user);
        if (!eligibility.eligible) decoyReason = eligibility.reasons[0] ?? "not_registered";
      }

      const now = deps.clock.now();
      const flowId = newId(deps.random, now);
      const flowToken = token(deps.random, 32);
      const data: ResetFlowData = {
        tokenDigest: digestToken(flowToken),
        identifier: identifier.slice(0, 128),
        userId: user?.id ?? null,
        userName: user?.userName ?? null,
        decoy: false,
        decoySeed,
        blocked: false,
        isAdmin: eligibility?.isAdmin ?? false,
        methodsRequired: eligibility?.methodsRequired ?? policy.methodsRequired,
        usable: eligibility?.usableMethods ?? [],
        path: "reset",
        gate: 1,
        passed: [],
        method: null,
        methodState: {},
        view: null,
        message: null,
        messageKind: null,
        attemptsLeft: null,
        result: null,
        refusal: null,
        contactedAdmin: false,
      };
      const flowLike: LoadedFlow = {
        row: {
          id: flowId,
          kind: "reset",
          state: "choosing_method",
          data: {},
          version: 1,
          createdAt: now,
          expiresAt: now,
          updatedAt: now,
        },
        state: "choosing_method",
        data,
      };
      // THR-05 reset attempts per account; a blocked account is a decoy to the public but audited (REQ-004).
      if (user !== null) {
        const { allowed } = await deps.throttles.hitAccount(user.id, "reset-attempt", ctx);
        if (!allowed && decoyReason === null) decoyReason = "blocked";
      } else {
        await hitAccount(flowLike, "reset-attempt", ctx);
      }
      data.decoy = decoyReason !== null;
      if (data.decoy) data.usable = [];

      const state: ResetState = unlockOffered(policy) ? "choosing_path" : "choosing_method";
      const row: FlowRow = {
        id: flowId,
        kind: "reset",
        state,
        data: data as unknown as Record<string, unknown>,
        version: 1,
        createdAt: now,
        expiresAt: addSeconds(now, ttlSeconds),
        updatedAt: now,
      };
      await deps.stores.flows.insert(row);
      const flow: LoadedFlow = { row, state, data };
      await audit(flow, "success", FLOW_REASONS.submittedUserId, ctx, { step: "identify" });
      if (decoyReason !== null) {
        await audit(flow, "failure", DECOY_AUDIT_REASON[decoyReason], ctx, { step: "eligibility", cause: decoyReason });
      }
      return { flowId, token: flowToken, view: await toView(flow, policy) };
    },

    async view(flowId, flowToken) {
      return toView(await load(flowId, flowToken));
    },

    async choosePath(flowId, flowToken, path, ctx) {
      const flow = await load(flowId, flowToken);
      assertTransition(flow.state, "choose_path", "choosing_method");
      const { policy } = await deps.policy.current();
      if (path === "unlock" && !unlockOffered(policy)) throw new AppError("FLOW_STEP_INVALID");
      const next = await commit(
        flow,
        flowToken,
        step("choose_path", "choosing_method", () => ({ path, message: null, messageKind: null })),
      );
      await audit(
        next,
        "success",
        path === "unlock" ? "User chose to unlock the account" : "User chose to reset the password",
        ctx,
        {
          step: "path",
          path,
        },
      );
      return toView(next, policy);
    },

    async chooseMethod(flowId, flowToken, methodId, ctx) {
      const flow = await load(flowId, flowToken);
      assertTransition(flow.state, "choose_method");
      const { policy } = await deps.policy.current();
      const offered = offeredMethods(policy, flow.data);
      const id = offered.find((m) => m === methodId);
      const method = id === undefined ? null : methodWithChallenge(id);
      if (id === undefined || method === null) throw new AppError("METHOD_NOT_ALLOWED");
      const { user, enrollments } = await accountOf(flow);
      const outcome = await method.challenge.begin(challengeContext(flow, id, user, enrollments, policy, ctx, {}), {});
      const view: ChallengeView =
        outcome.kind === "view"
          ? outcome.view
          : { kind: "enter-code", hint: "", codeLength: deps.config.flows.codeDigits };
      const next = await commit(
        flow,
        flowToken,
        step("choose_method", "in_challenge", () => ({
          method: id,
          methodState: outcome.state,
          view,
          message: null,
          messageKind: null,
          attemptsLeft: null,
        })),
      );
      await audit(next, "success", STARTED[id], ctx, { step: "method", gate: next.data.gate, method: id });
      return toView(next, policy);
    },

    async begin(flowId, flowToken, input, ctx) {
      // Method-specific counters (THR-02/03/06, destinations) are counted by the methods themselves.
      const { flow, id, method, policy, blocked, context } = await prepareChallenge(
        flowId,
        flowToken,
        { event: "begin_challenge", ipKey: "send", ipLimit: RESET_LIMITS.sendsPerIp },
        ctx,
      );
      const outcome = await method.challenge.begin(context, input);
      // A throttled send looks like a send (REQ-004/REQ-035): same page, nothing delivered.
      const previousHint = flow.data.view !== null && "hint" in flow.data.view ? flow.data.view.hint : "";
      const view: ChallengeView =
        outcome.kind === "view"
          ? outcome.view
          : { kind: "enter-code", hint: previousHint, codeLength: deps.config.flows.codeDigits };
      const next = await commit(flow, flowToken, (fresh) => {
        if (fresh.state !== "in_challenge" || fresh.data.method !== id) return null;
        return step("begin_challenge", "in_challenge", () => ({
          methodState: outcome.state,
          view,
          blocked: fresh.data.blocked || blocked,
          message: "reset.challenge.sent_if_match",
          messageKind: "info",
          attemptsLeft: null,
        }))(fresh);
      });
      return toView(next, policy);
    },

    async verify(flowId, flowToken, input, ctx) {
      // THR-03/04 (app, SMS, questions) are counted by the methods before they compare; a block from any
      // counter, in this flow or another one, turns this flow into a decoy.
      const prepared = await prepareChallenge(
        flowId,
        flowToken,
        { event: "verify_challenge", ipKey: "proof", ipLimit: RESET_LIMITS.proofsPerIp },
        ctx,
      );
      const { flow, id, method, policy, user, context } = prepared;
      let blocked = prepared.blocked;
      const outcome = await method.challenge.verify(context, input);
      const gate = flow.data.gate;

      if (outcome.kind === "proved" && context.user !== null && user !== null) {
        const passed = [...flow.data.passed, { method: id, family: method.family || methodFamily(id) }];
        const allPassed = new Set(passed.map((p) => p.family)).size >= flow.data.methodsRequired;
        const refusal = allPassed ? await refusalFor(user) : null;
        // REQ-084: a passed gate raises the flow's privilege, so its token is replaced; a token planted in
        // the browser before (session fixation) is worth nothing afterwards.
        const newToken = token(deps.random, 32);
        const next = await commit(flow, flowToken, (fresh) => {
          // Another request already moved this gate on: the proof was spent there.
          if (fresh.state !== "in_challenge" || fresh.data.method !== id || fresh.data.gate !== gate) return null;
          const base = {
            tokenDigest: digestToken(newToken),
            passed,
            methodState: {},
            view: null,
            method: null,
            message: null,
            messageKind: null,
            attemptsLeft: null,
          };
          if (!allPassed) return step("gate_passed", "choosing_method", () => ({ ...base, gate: 2 as const }))(fresh);
          if (refusal !== null) return step("refuse", "refused", () => ({ ...base, refusal }))(fresh);
          const to: ResetState = fresh.data.path === "unlock" ? "awaiting_unlock" : "awaiting_new_password";
          return step("all_gates_passed", to, () => base)(fresh);
        });
        if (next.row.version !== flow.row.version) {
          await audit(next, "success", COMPLETED[id], ctx, { step: "verify", gate, method: id });
          if (allPassed) {
            await audit(
              next,
              refusal === null ? "success" : "failure",
              refusal === null ? FLOW_REASONS.completedAll : refusal.message,
              ctx,
              {
                step: "verify",
                refusal: refusal?.code ?? null,
              },
            );
          }
          return { ...(await toView(next, policy)), newToken };
        }
        return toView(next, policy);
      }

      // Not proved: a failed identity proof (THR-01), whatever the reason.
      if (!(await hitAccount(flow, "identity-proof", ctx))) blocked = true;
      // REQ-015: the last allowed wrong guess ends the flow at once (not at the next submission).
      const failed = outcome.kind === "exhausted" || (outcome.kind === "view" && outcome.attemptsLeft === 0);
      const next = await commit(flow, flowToken, (fresh) => {
        if (fresh.state !== "in_challenge" || fresh.data.method !== id || fresh.data.gate !== gate) return null;
        if (failed) {
          return step("exhaust", "failed", () => ({
            methodState: outcome.state,
            view: null,
            blocked: fresh.data.blocked || blocked,
            message: outcome.kind === "view" ? "reset.failed.body" : outcome.message,
            messageKind: "error",
            attemptsLeft: 0,
          }))(fresh);
        }
        const proved = outcome.kind === "proved"; // a decoy that guessed right still fails
        return step("verify_challenge", "in_challenge", () => ({
          methodState: outcome.state,
          view: outcome.kind === "view" ? outcome.view : fresh.data.view,
          blocked: fresh.data.blocked || blocked,
          message: outcome.kind === "view" ? outcome.message : proved ? "method.code.mismatch" : null,
          messageKind: "error",
          attemptsLeft: outcome.kind === "view" ? outcome.attemptsLeft : null,
        }))(fresh);
      });
      await audit(next, "failure", `User failed the ${id} verification`, ctx, {
        step: "verify",
        gate,
        method: id,
        exhausted: failed,
      });
      return toView(next, policy);
    },

    async strength(flowId, flowToken, password) {
      const flow = await load(flowId, flowToken);
      if (flow.state !== "awaiting_new_password") throw new AppError("FLOW_STEP_INVALID");
      const inputs = [flow.data.userName ?? "", flow.data.identifier].filter((v) => v !== "");
      return deps.passwordPolicy.strength(password, inputs);
    },

    async setPassword(flowId, flowToken, input, ctx) {
      const flow = await load(flowId, flowToken);
      assertTransition(flow.state, "submit_password", "writing_password");
      const { policy } = await deps.policy.current();
      if (input.password !== input.confirm) {
        throw new AppError("VALIDATION_FAILED", {
          issues: [{ field: "confirm", message: t(ctx.locale, "reset.password.mismatch") }],
        });
      }
      const { user } = await accountOf(flow);
      if (user === null || flow.data.decoy) throw new AppError("FLOW_STEP_INVALID");
      const refusal = await refusalFor(user);
      if (refusal !== null) {
        const next = await commit(
          flow,
          flowToken,
          step("refuse", "refused", () => ({ refusal })),
        );
        await audit(next, "failure", refusal.message, ctx, { step: "password", refusal: refusal.code });
        return toView(next, policy);
      }
      // History (builtin mode) is enforced by the directory's own write (`reason: "history"`): checking it here
      // too would cost one more argon2 verification per remembered password.
      const check = await deps.passwordPolicy.check(input.password, { user });
      if (!check.ok) {
        await audit(flow, "failure", FLOW_REASONS.fuzzyPolicy, ctx, {
          step: "password",
          rules: check.problems.map((p) => p.rule),
        });
        const issues: FieldIssue[] = check.problems.map((p) => ({
          field: "password",
          message: t(ctx.locale, p.message, p.params),
          rule: p.rule,
        }));
        throw new AppError("PASSWORD_REJECTED", { issues });
      }
      const reset = deps.directory.passwords?.reset;
      if (reset === undefined) throw new AppError("RESET_UNSUPPORTED");

      // Claim the write: exactly one submission reaches the directory (REQ-012).
      const claimed = await commit(
        flow,
        flowToken,
        step("submit_password", "writing_password", () => ({ message: null, messageKind: null })),
      );
      await audit(claimed, "success", FLOW_REASONS.submittedPassword, ctx, { step: "password" });
      let result: Awaited<ReturnType<typeof reset>>;
      try {
        result = await reset(user, input.password, { mustChangeAtNextLogon: false, unlock: true });
      } catch (error) {
        // Directory down: the flow stays usable so the user can retry (SPEC §3); raw error in log/audit only.
        deps.log.error({ err: error, flowId }, "directory reset failed");
        await commit(
          claimed,
          flowToken,
          step("password_refused", "awaiting_new_password", () => ({})),
        );
        await audit(claimed, "failure", FLOW_REASONS.onPremisesUnreachable, ctx, {
          step: "write",
          error: error instanceof Error ? error.message.slice(0, 500) : "unknown",
        });
        throw new AppError("DIRECTORY_UNAVAILABLE", { cause: error });
      }
      if (!result.ok) {
        await commit(
          claimed,
          flowToken,
          step("password_refused", "awaiting_new_password", () => ({})),
        );
        await audit(claimed, "failure", FLOW_REASONS.onPremisesProblem, ctx, {
          step: "write",
          reason: result.reason,
          detail: result.detail,
        });
        throw new AppError("PASSWORD_REJECTED", {
          issues: [
            { field: "password", message: t(ctx.locale, `reset.directory.${result.reason}`), rule: result.reason },
          ],
        });
      }
      const done = await commit(
        claimed,
        flowToken,
        step("password_written", "done", () => ({ result: "password_reset" as const })),
      );
      await afterSuccess(user, done, policy, ctx);
      await audit(done, "success", FLOW_REASONS.resetSucceeded, ctx, {
        step: "done",
        methods: done.data.passed.map((p) => p.method),
      });
      await audit(
        done,
        "success",
        FLOW_REASONS.resetSucceeded,
        ctx,
        { methods: done.data.passed.map((p) => p.method) },
        "resetSelfService",
      );
      return toView(done, policy);
    },

    async unlock(flowId, flowToken, ctx) {
      const flow = await load(flowId, flowToken);
      assertTransition(flow.state, "confirm_unlock", "writing_unlock");
      const { policy } = await deps.policy.current();
      const { user } = await accountOf(flow);
      const unlock = deps.directory.unlock;
      if (user === null || flow.data.decoy || unlock === undefined) throw new AppError("FLOW_STEP_INVALID");
      const refusal = await refusalFor(user);
      if (refusal !== null) {
        const next = await commit(
          flow,
          flowToken,
          step("refuse", "refused", () => ({ refusal })),
        );
        return toView(next, policy);
      }
      const claimed = await commit(
        flow,
        flowToken,
        step("confirm_unlock", "writing_unlock", () => ({ message: null, messageKind: null })),
      );
      let result: Awaited<ReturnType<typeof unlock>>;
      try {
        result = await unlock(user);
      } catch (error) {
        deps.log.error({ err: error, flowId }, "directory unlock failed");
        await commit(
          claimed,
          flowToken,
          step("unlock_refused", "awaiting_unlock", () => ({})),
        );
        await audit(claimed, "failure", FLOW_REASONS.onPremisesUnreachable, ctx, { step: "unlock" });
        throw new AppError("DIRECTORY_UNAVAILABLE", { cause: error });
      }
      if (!result.ok && result.reason === "refused") {
        await commit(
          claimed,
          flowToken,
          step("unlock_refused", "awaiting_unlock", () => ({})),
        );
        await audit(claimed, "failure", FLOW_REASONS.onPremisesProblem, ctx, { step: "unlock", detail: result.detail });
        throw new AppError("UNLOCK_REFUSED");
      }
      const outcome = result.ok ? ("unlocked" as const) : ("not_locked" as const);
      const done = await commit(
        claimed,
        flowToken,
        step("unlock_written", "done", () => ({ result: outcome })),
      );
      // An unlock proves the same as a reset: counters cleared (THR-08). Sessions stay: the password did not change.
      await deps.throttles.clearAccount(user.id);
      await audit(done, "success", FLOW_REASONS.unlockSucceeded, ctx, { step: "done", result: outcome });
      await audit(done, "success", FLOW_REASONS.unlockSucceeded, ctx, { result: outcome }, "unlockSelfService");
      return toView(done, policy);
    },

    async contactAdmin(flowId, flowToken, ctx) {
      const flow = await load(flowId, flowToken, { allowExpired: true });
      const { policy } = await deps.policy.current();
      if (helpdeskContact(policy).kind !== "form") throw new AppError("FLOW_STEP_INVALID");
      if (flow.data.contactedAdmin) return toView(flow, policy);
      assertTransition(flow.state, "contact_admin");
      await hitIp("contact", ctx, RESET_LIMITS.contactPerIp);
      const next = await commit(flow, flowToken, (fresh) => {
        if (fresh.data.contactedAdmin) return null;
        return step("contact_admin", fresh.state, () => ({ contactedAdmin: true }))(fresh);
      });
      if (next.row.version === flow.row.version) return toView(next, policy);
      const { user } = await accountOf(flow).catch(() => ({ user: null }));
      const at = deps.clock.now().toISOString();
      // Sent for every identifier (neutral): admins see whether the account exists, the requester does not.
      for (const admin of await adminRecipients(null)) {
        await deps.notifier.enqueue({
          channel: "email",
          recipient: admin.email,
          template: "contact-admin",
          params: { userName: flow.data.identifier, displayName: user?.displayName ?? "(no matching account)", at },
          locale: ctx.locale,
        });
      }
      await audit(
        next,
        "success",
        `User contacted an admin after trying the ${flow.data.method ?? "reset"} option`,
        ctx,
        { step: "contact" },
        "contactAdmin",
      );
      return toView(next, policy);
    },
  };
}
