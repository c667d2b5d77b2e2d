/**
 * Registration of security info (SPEC §6 "Registration", reference §3.1–3.2, REG-01..06): sign in with the
 * directory password, show the methods the policy allows, add/confirm/remove each one through the method's
 * enrollment contract, "Looks good". Also decides the enforced-registration interrupt (POL-07) and the
 * reconfirmation (POL-08). HTTP-independent: it returns outcomes; `http/public/registration.routes.tsx`
 * turns them into pages, redirects and JSON.
 */

import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError, type FieldIssue } from "../../errors/app-error.ts";
import { DAY_MS, MINUTE_MS } from "../../kernel/clock.ts";
import { dummyPasswordHash } from "../../kernel/passwords.ts";
import { hmacHex } from "../../kernel/secrets.ts";
import type { EnrollConfirmOutcome, EnrollContext, EnrollStartOutcome, Method } from "../../methods/method.ts";
import type { SSPRPolicy } from "../../policy/policy.types.ts";
import type { Eligibility, Registry, RequestContext } from "../../registry.types.ts";
import type { EnrollmentRow, MethodId, RegistrationStateRow } from "../../store/types.ts";

export type RegistrationDeps = Pick<
  Registry,
  "config" | "clock" | "keys" | "hasher" | "directory" | "policy" | "audit" | "stores" | "methods"
>;

/** Failed sign-ins allowed per account (or per unknown identifier) per window. */
export const SIGN_IN_WINDOW_MS = 15 * MINUTE_MS;
/** Failed sign-ins allowed per source address per window (a NAT'd office shares one address). */
export const SIGN_IN_MAX_FAILURES_PER_IP = 20;

/** The order methods are shown in: most to least secure (REG-04). */
const DISPLAY_ORDER: readonly MethodId[] = [
  "passkey",
  "totp",
  "sms-code",
  "voice-mobile",
  "voice-office",
  "email-code",
  "security-questions",
];

/** Methods without an enrollment of their own whose data another method's registration holds. */
const SHARED_ENROLLMENT: Partial<Record<MethodId, { method: MethodId; input: Record<string, string> }>> = {
  "voice-mobile": { method: "sms-code", input: { delivery: "voice" } },
};

/** Method names as the reference writes them in audit reasons ("User registered Email."). */
const AUDIT_METHOD_NAMES: Record<MethodId, string> = {
  "email-code": "Email",
  "sms-code": "Phone",
  "voice-mobile": "Phone",
  "voice-office": "Office phone",
  totp: "Authenticator app",
  "security-questions": "Security questions",
  passkey: "Passkey",
};

export type SignInOutcome =
  | { kind: "signed-in"; user: DirectoryUser }
  /** Unknown user, wrong password, disabled account: one answer for all (enumeration-neutral). */
  | { kind: "invalid" }
  | { kind: "throttled" };

/** Why the user is being sent through registration right now. */
export type InterruptKind =
  /** POL-07: in scope, registration required, not registered. */
  | "register"
  /** POL-08: registered, but the last confirmation is older than `reconfirmDays`. */
  | "reconfirm";

/** Directory contact data the user can confirm (register) or change (SPEC §4, DATA-04). */
export interface PrepopulatedContact {
  /** `email` (directory `mail`), `mobile` (`mobile`) or `office` (`telephoneNumber`, admin-set only). */
  field: "email" | "mobile" | "office";
  value: string;
  /** Whether the user can confirm it here (office phone is admin/directory-set only). */
  confirmable: boolean;
}

export interface EnrollmentView {
  id: string;
  method: MethodId;
  label: string;
  status: EnrollmentRow["status"];
  source: EnrollmentRow["source"];
  createdAt: Date;
  confirmedAt: Date | null;
}

export interface MethodEntry {
  id: MethodId;
  labelMessage: string;
  /** The user can add it here (it has an enrollment side). */
  canEnroll: boolean;
  /** Largest number of registrations; 0 when `canEnroll` is false. */
  maxPerUser: number;
  /** The user can add another one now (below `maxPerUser`, or replace the single one). */
  canAddAnother: boolean;
  /** Active registrations. */
  enrollments: EnrollmentView[];
  /** Started but not yet confirmed. */
  pending: EnrollmentView[];
  /** The user has data for it (an active registration or usable directory data). */
  hasData: boolean;
  prepopulated: PrepopulatedContact | null;
}

export interface RegistrationOverview {
  user: { id: string; userName: string; displayName: string };
  eligibility: Pick<
    Eligibility,
    "inScope" | "registered" | "isAdmin" | "methodsRequired" | "allowedMethods" | "usableMethods"
  >;
  methods: MethodEntry[];
  /** Registrations of methods the current policy no longer allows: still shown so they can be removed. */
  otherEnrollments: EnrollmentView[];
  registeredAt: Date | null;
  reviewedAt: Date | null;
  reconfirmDue: boolean;
  /** Non-null when the interrupt applies (the route decides whether the user dismissed it this session). */
  interrupt: InterruptKind | null;
  /** Security-question choices (POL-06) when the method is allowed. */
  securityQuestions: { toRegister: number; predefined: number[]; custom: string[] } | null;
}

export type StartOutcome =
  | { kind: "invalid"; issues: FieldIssue[] }
  | { kind: "code-sent"; enrollmentId: string; destinationMasked: string; codeLength: number }
  | { kind: "totp-setup"; enrollmentId: string; otpauthURI: string; qrSVG: string; secretBase32: string }
  | { kind: "webauthn-create"; enrollmentId: string; options: Record<string, unknown> }
  | { kind: "active"; enrollmentId: string; becameRegistered: boolean };

export type ConfirmOutcome =
  | { kind: "active"; enrollmentId: string; becameRegistered: boolean }
  | { kind: "rejected"; message: string; attemptsLeft: number }
  | { kind: "exhausted"; message: string };

export type RemoveOutcome = {
  kind: "removed";
  /** The user was registered before and no longer is: the page warns (reset will not work any more). */
  noLongerRegistered: boolean;
};

export interface RegistrationStatus {
  userId: string;
  userName: string;
  inScope: boolean;
  registered: boolean;
  methodsRequired: 1 | 2;
  registeredMethods: MethodId[];
  reconfirmDue: boolean;
  /** Registration is required now (POL-07 interrupt or POL-08 reconfirmation would apply). */
  interrupt: InterruptKind | null;
}

export interface RegistrationService {
  signIn(input: { identifier: string; password: string }, ctx: RequestContext): Promise<SignInOutcome>;
  /** The signed-in user again (session → directory); `null` when gone or disabled. */
  loadUser(userId: string): Promise<DirectoryUser | null>;
  overview(user: DirectoryUser): Promise<RegistrationOverview>;
  start(user: DirectoryUser, methodId: MethodId, input: unknown, ctx: RequestContext): Promise<StartOutcome>;
  confirm(user: DirectoryUser, enrollmentId: string, input: unknown, ctx: RequestContext): Promise<ConfirmOutcome>;
  remove(user: DirectoryUser, enrollmentId: string, ctx: RequestContext): Promise<RemoveOutcome>;
  /** The user's own unconfirmed registration (the "enter the code" page); ENROLLMENT_NOT_FOUND otherwise. */
  pendingEnrollment(user: DirectoryUser, enrollmentId: string): Promise<EnrollmentView>;
  /** "Looks good" (REG-03). REGISTRATION_INCOMPLETE while fewer than `methodsRequired` methods have data. */
  review(user: DirectoryUser, ctx: RequestContext): Promise<void>;
  /** The user dismissed the interrupt (REG-02): audited as a failure; asked again at the next sign-in. */
  cancelInterrupt(user: DirectoryUser, ctx: RequestContext): Promise<void>;
  /** For other sign-in systems (`GET /api/v1/users/{id}/registration-status`); `null` for unknown. */
  status(identifier: string): Promise<RegistrationStatus | null>;
}

export function createRegistrationService(deps: RegistrationDeps): RegistrationService {
  const maxFailuresPerAccount = deps.config.security.signInMaxAttempts;

  async function currentPolicy(): Promise<SSPRPolicy> {
    return (await deps.policy.current()).policy;
  }

  function reconfirmDue(policy: SSPRPolicy, eligibility: Eligibility, state: RegistrationStateRow | null): boolean {
    if (!policy.registration.required || policy.registration.reconfirmDays <= 0) return false;
    if (!eligibility.inScope || !eligibility.registered) return false;
    const last = latest(state?.reviewedAt ?? null, state?.registeredAt ?? null);
    // Registered only through directory data the user never confirmed: ask them to confirm it once.
    if (last === null) return true;
    return deps.clock.now().getTime() - last.getTime() >= policy.registration.reconfirmDays * DAY_MS;
  }

  function interruptOf(
    policy: SSPRPolicy,
    eligibility: Eligibility,
    state: RegistrationStateRow | null,
  ): InterruptKind | null {
    if (!policy.registration.required || !eligibility.inScope) return null;
    if (!eligibility.registered) return eligibility.allowedMethods.length > 0 ? "register" : null;
    return reconfirmDue(policy, eligibility, state) ? "reconfirm" : null;
  }

  function auditTarget(user: DirectoryUser): { id: string; name: string } {
    return { id: user.id, name: user.userName };
  }

  /**
   * Keeps `stores.registrations` in step with eligibility after any change and writes the reference's
   * "registered" events once, when the user crosses into registered under the current policy (§1.3).
   */
  async function syncRegistered(
    user: DirectoryUser,
    ctx: RequestContext,
  ): Promise<{ becameRegistered: boolean; wasRegistered: boolean }> {
    const eligibility = await deps.policy.eligibility(user);
    const state = await deps.stores.registrations.get(user.id);
    const now = deps.clock.now();
    const wasRegistered = state?.registeredAt != null;
    if (eligibility.registered && !wasRegistered) {
      await deps.stores.registrations.upsert({
        userId: user.id,
        registeredAt: now,
        reviewedAt: state?.reviewedAt ?? null,
        updatedAt: now,
      });
      const who = auditTarget(user);
      const methods = eligibility.usableMethods.map((m) => AUDIT_METHOD_NAMES[m]).join(" + ");
      await deps.audit.record({
        activity: "registeredAll",
        outcome: "success",
        reason: "User registered all required security info.",
        actor: who,
        target: who,
        ctx,
        details: { methods: eligibility.usableMethods },
      });
      await deps.audit.record({
        activity: "registeredForSSPR",
        outcome: "success",
        reason: `User registered for self-service password reset (${methods}).`,
        actor: who,
        target: who,
        ctx,
        details: { methods: eligibility.usableMethods, methodsRequired: eligibility.methodsRequired },
      });
      return { becameRegistered: true, wasRegistered };
    }
    if (!eligibility.registered && wasRegistered) {
      await deps.stores.registrations.upsert({
        userId: user.id,
        registeredAt: null,
        reviewedAt: state?.reviewedAt ?? null,
        updatedAt: now,
      });
    }
    return { becameRegistered: false, wasRegistered };
  }

  /**
   * Where a method's registrations live. The mobile number is registered once, under `sms-code`, whether it
   * will be used for texts or calls (methods/phone): with only "call my mobile" allowed, it is still added
   * through the `sms-code` enrollment, confirmed by a call.
   */
  function storedAs(methodId: MethodId): { method: MethodId; extraInput: Record<string, string> } {
    const own = deps.methods.get(methodId)?.enrollment;
    const shared = SHARED_ENROLLMENT[methodId];
    if (own === undefined && shared !== undefined && deps.methods.get(shared.method)?.enrollment !== undefined) {
      return { method: shared.method, extraInput: shared.input };
    }
    return { method: methodId, extraInput: {} };
  }

  /** Whether registrations stored as `stored` serve a method the user is allowed. */
  function servesAllowed(stored: MethodId, allowed: readonly MethodId[]): boolean {
    return allowed.some((id) => storedAs(id).method === stored);
  }

  function enrollmentMethod(methodId: MethodId): { method: Method; enrollment: NonNullable<Method["enrollment"]> } {
    const method = deps.methods.get(methodId);
    const enrollment = method?.enrollment;
    if (method === undefined || enrollment === undefined)
      throw new AppError("METHOD_NOT_ALLOWED", { params: { method: methodId } });
    return { method, enrollment };
  }

  async function enrollContext(user: DirectoryUser, policy: SSPRPolicy, ctx: RequestContext): Promise<EnrollContext> {
    return { user, enrollments: await deps.stores.enrollments.listForUser(user.id), policy, request: ctx };
  }

  /** Single-registration methods (email, questions) are changed by registering anew: the old one goes. */
  async function replaceOlder(
    user: DirectoryUser,
    methodId: MethodId,
    keepId: string,
    maxPerUser: number,
  ): Promise<void> {
    const rows = await deps.stores.enrollments.listForUser(user.id);
    const active = rows.filter((r) => r.method === methodId && r.status === "active" && r.id !== keepId);
    const excess = active.length + 1 - maxPerUser;
    if (excess <= 0) return;
    const oldestFirst = [...active].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const row of oldestFirst.slice(0, excess)) await deps.stores.enrollments.delete(row.id);
  }

  async function recordRegisteredInfo(
    user: DirectoryUser,
    row: EnrollmentRow | null,
    methodId: MethodId,
    ctx: RequestContext,
  ): Promise<void> {
    const who = auditTarget(user);
    await deps.audit.record({
      activity: "registeredInfo",
      outcome: "success",
      reason: `User registered ${AUDIT_METHOD_NAMES[methodId]}.`,
      actor: who,
      target: who,
      ctx,
      details: { method: methodId, enrollmentId: row?.id ?? null, label: row?.label ?? null },
    });
  }

  async function afterActive(
    user: DirectoryUser,
    methodId: MethodId,
    enrollmentId: string,
    maxPerUser: number,
    ctx: RequestContext,
  ): Promise<boolean> {
    await replaceOlder(user, methodId, enrollmentId, maxPerUser);
    const row = await deps.stores.enrollments.get(enrollmentId);
    await recordRegisteredInfo(user, row, methodId, ctx);
    const { becameRegistered } = await syncRegistered(user, ctx);
    return becameRegistered;
  }

  async function ownEnrollment(user: DirectoryUser, enrollmentId: string): Promise<EnrollmentRow> {
    const row = await deps.stores.enrollments.get(enrollmentId);
    // Another user's id answers exactly like a missing one (no probing of enrollment ids).
    if (row === null || row.userId !== user.id) throw new AppError("ENROLLMENT_NOT_FOUND");
    return row;
  }

  function view(row: EnrollmentRow): EnrollmentView {
    return {
      id: row.id,
      method: row.method,
      label: row.label,
      status: row.status,
      source: row.source,
      createdAt: row.createdAt,
      confirmedAt: row.confirmedAt,
    };
  }

  function prepopulatedFor(methodId: MethodId, user: DirectoryUser): PrepopulatedContact | null {
    switch (methodId) {
      case "email-code":
        return user.email ? { field: "email", value: user.email, confirmable: true } : null;
      case "sms-code":
      case "voice-mobile":
        return user.mobile ? { field: "mobile", value: user.mobile, confirmable: true } : null;
      case "voice-office":
        return user.officePhone ? { field: "office", value: user.officePhone, confirmable: false } : null;
      default:
        return null;
    }
  }

  /** Sign-in failure keys: per account (or per unknown identifier, so both hit the limit alike) and per IP. */
  function signInKeys(identifierKey: string, ctx: RequestContext): { account: string; ip: string | null } {
    return {
      account: `signin:account:${identifierKey}`,
      ip: ctx.ip === null ? null : `signin:ip:${ctx.ip}`,
    };
  }

  /** Records one event under `key` and says whether it is still within `limit` for the window. */
  async function hit(key: string, limit: number): Promise<boolean> {
    const now = deps.clock.now();
    const count = await deps.stores.throttles.hit(key, now, new Date(now.getTime() - SIGN_IN_WINDOW_MS));
    return count <= limit;
  }

  async function withinLimit(key: string, limit: number): Promise<boolean> {
    const now = deps.clock.now();
    return (await deps.stores.throttles.count(key, new Date(now.getTime() - SIGN_IN_WINDOW_MS))) < limit;
  }

  return {
    async signIn(input, ctx) {
      const identifier = input.identifier.normalize("NFKC").trim();
      const user = identifier === "" ? null : await deps.directory.findUser(identifier);
      // Unknown identifiers are counted under a keyed digest of what was typed (never the raw string in a
      // key), so an unknown name is throttled exactly like a real one and the 429 tells nothing.
      const identifierKey = user?.id ?? `unknown:${hmacHex(deps.keys.tokenDigest, "signin", identifier.toLowerCase())}`;
      const keys = signInKeys(identifierKey, ctx);
      // The account attempt is counted BEFORE the password is checked (atomic in the store), so parallel
      // guesses cannot slip past the limit (REQ-034/081); a success clears it again. The per-address
      // counter counts failures only, so a whole office signing in from one address is not blocked.
      const accountAllowed = await hit(keys.account, maxFailuresPerAccount);
      const ipAllowed = keys.ip === null || (await withinLimit(keys.ip, SIGN_IN_MAX_FAILURES_PER_IP));
      if (!accountAllowed || !ipAllowed) return { kind: "throttled" };

      let ok = false;
      const verify = deps.directory.passwords?.verify;
      if (user === null || verify === undefined) {
        // Same work as a real check, so the response time does not reveal whether the account exists.
        await deps.hasher.verify(await dummyPasswordHash(deps.hasher), input.password);
        if (user !== null && verify === undefined)
          throw new AppError("DIRECTORY_UNAVAILABLE", { detail: "directory cannot verify passwords" });
      } else {
        ok = await verify(user, input.password);
        if (ok && deps.directory.status !== undefined) {
          const status = await deps.directory.status(user);
          if (!status.enabled) ok = false;
        }
      }

      if (!ok || user === null) {
        if (keys.ip !== null) await hit(keys.ip, SIGN_IN_MAX_FAILURES_PER_IP);
        return { kind: "invalid" };
      }
      await deps.stores.throttles.clear(keys.account);
      await deps.audit.record({
        activity: "portalSignIn",
        outcome: "success",
        reason: "User signed in to register security info.",
        actor: auditTarget(user),
        target: auditTarget(user),
        ctx,
      });
      return { kind: "signed-in", user };
    },

    async loadUser(userId) {
      const user = await deps.directory.getUser(userId);
      if (user === null) return null;
      if (deps.directory.status !== undefined) {
        const status = await deps.directory.status(user);
        if (!status.enabled) return null;
      }
      return user;
    },

    async overview(user) {
      const [policy, eligibility, rows, state] = await Promise.all([
        currentPolicy(),
        deps.policy.eligibility(user),
        deps.stores.enrollments.listForUser(user.id),
        deps.stores.registrations.get(user.id),
      ]);
      const allowed = new Set<MethodId>(eligibility.allowedMethods);
      const methods: MethodEntry[] = [];
      for (const id of DISPLAY_ORDER) {
        if (!allowed.has(id)) continue;
        const method = deps.methods.get(id);
        if (method === undefined) continue;
        const stored = storedAs(id).method;
        const enrollment = deps.methods.get(stored)?.enrollment;
        const mine = rows.filter((r) => r.method === stored);
        const active = mine.filter((r) => r.status === "active").map(view);
        const maxPerUser = enrollment?.maxPerUser ?? 0;
        methods.push({
          id,
          labelMessage: method.labelMessage,
          canEnroll: enrollment !== undefined,
          maxPerUser,
          canAddAnother: enrollment !== undefined && (maxPerUser === 1 || active.length < maxPerUser),
          enrollments: active,
          pending: mine.filter((r) => r.status === "pending").map(view),
          hasData: method.hasData(user, rows, policy),
          prepopulated: active.length === 0 ? prepopulatedFor(id, user) : null,
        });
      }
      return {
        user: { id: user.id, userName: user.userName, displayName: user.displayName },
        eligibility: {
          inScope: eligibility.inScope,
          registered: eligibility.registered,
          isAdmin: eligibility.isAdmin,
          methodsRequired: eligibility.methodsRequired,
          allowedMethods: eligibility.allowedMethods,
          usableMethods: eligibility.usableMethods,
        },
        methods,
        otherEnrollments: rows
          .filter((r) => r.status === "active" && !servesAllowed(r.method, eligibility.allowedMethods))
          .map(view),
        registeredAt: state?.registeredAt ?? null,
        reviewedAt: state?.reviewedAt ?? null,
        reconfirmDue: reconfirmDue(policy, eligibility, state),
        interrupt: interruptOf(policy, eligibility, state),
        securityQuestions: allowed.has("security-questions")
          ? {
              toRegister: policy.securityQuestions.toRegister,
              predefined: [...policy.securityQuestions.predefined],
              custom: [...policy.securityQuestions.custom],
            }
          : null,
      };
    },

    async start(user, methodId, input, ctx) {
      const [policy, eligibility] = await Promise.all([currentPolicy(), deps.policy.eligibility(user)]);
      if (!eligibility.allowedMethods.includes(methodId))
        throw new AppError("METHOD_NOT_ALLOWED", { params: { method: methodId } });
      const target = storedAs(methodId);
      const { enrollment } = enrollmentMethod(target.method);
      const context = await enrollContext(user, policy, ctx);
      const mine = context.enrollments.filter((r) => r.method === target.method);
      const active = mine.filter((r) => r.status === "active");
      if (enrollment.maxPerUser > 1 && active.length >= enrollment.maxPerUser) {
        throw new AppError("METHOD_LIMIT_REACHED", { params: { max: enrollment.maxPerUser } });
      }
      // An abandoned setup (closed tab) must not pile up: a new start replaces unconfirmed ones.
      for (const row of mine.filter((r) => r.status === "pending")) await deps.stores.enrollments.delete(row.id);
      const fresh: EnrollContext = {
        ...context,
        enrollments: context.enrollments.filter((r) => r.status === "active"),
      };
      const methodInput =
        Object.keys(target.extraInput).length > 0 &&
        typeof input === "object" &&
        input !== null &&
        !Array.isArray(input)
          ? { ...input, ...target.extraInput }
          : input;
      const outcome: EnrollStartOutcome = await enrollment.start(fresh, methodInput);
      if (outcome.kind !== "active") return outcome;
      const becameRegistered = await afterActive(user, target.method, outcome.enrollmentId, enrollment.maxPerUser, ctx);
      return { kind: "active", enrollmentId: outcome.enrollmentId, becameRegistered };
    },

    async confirm(user, enrollmentId, input, ctx) {
      const row = await ownEnrollment(user, enrollmentId);
      if (row.status !== "pending") throw new AppError("FLOW_STEP_INVALID", { detail: "enrollment already confirmed" });
      const policy = await currentPolicy();
      const eligibility = await deps.policy.eligibility(user);
      if (!servesAllowed(row.method, eligibility.allowedMethods))
        throw new AppError("METHOD_NOT_ALLOWED", { params: { method: row.method } });
      const { enrollment } = enrollmentMethod(row.method);
      const outcome: EnrollConfirmOutcome = await enrollment.confirm(
        await enrollContext(user, policy, ctx),
        enrollmentId,
        input,
      );
      if (outcome.kind !== "active") return outcome;
      const becameRegistered = await afterActive(user, row.method, outcome.enrollmentId, enrollment.maxPerUser, ctx);
      return { kind: "active", enrollmentId: outcome.enrollmentId, becameRegistered };
    },

    async pendingEnrollment(user, enrollmentId) {
      const row = await ownEnrollment(user, enrollmentId);
      if (row.status !== "pending") throw new AppError("ENROLLMENT_NOT_FOUND");
      return view(row);
    },

    async remove(user, enrollmentId, ctx) {
      const row = await ownEnrollment(user, enrollmentId);
      await deps.stores.enrollments.delete(row.id);
      if (row.status === "active") {
        const who = auditTarget(user);
        await deps.audit.record({
          activity: "deletedInfo",
          outcome: "success",
          reason: `User deleted ${AUDIT_METHOD_NAMES[row.method]}.`,
          actor: who,
          target: who,
          ctx,
          details: { method: row.method, enrollmentId: row.id, label: row.label },
        });
      }
      const { wasRegistered } = await syncRegistered(user, ctx);
      const eligibility = await deps.policy.eligibility(user);
      return { kind: "removed", noLongerRegistered: wasRegistered && !eligibility.registered };
    },

    async review(user, ctx) {
      const eligibility = await deps.policy.eligibility(user);
      const who = auditTarget(user);
      if (!eligibility.registered) {
        await deps.audit.record({
          activity: "reviewedInfo",
          outcome: "failure",
          reason: "User failed to review security info.",
          actor: who,
          target: who,
          ctx,
          details: { methodsRequired: eligibility.methodsRequired, usableMethods: eligibility.usableMethods },
        });
        throw new AppError("REGISTRATION_INCOMPLETE", { params: { count: eligibility.methodsRequired } });
      }
      await syncRegistered(user, ctx);
      const now = deps.clock.now();
      const state = await deps.stores.registrations.get(user.id);
      await deps.stores.registrations.upsert({
        userId: user.id,
        registeredAt: state?.registeredAt ?? now,
        reviewedAt: now,
        updatedAt: now,
      });
      await deps.audit.record({
        activity: "reviewedInfo",
        outcome: "success",
        reason: "User successfully reviewed security info.",
        actor: who,
        target: who,
        ctx,
        details: { methods: eligibility.usableMethods },
      });
    },

    async cancelInterrupt(user, ctx) {
      const who = auditTarget(user);
      await deps.audit.record({
        activity: "registeredAll",
        outcome: "failure",
        reason: "User canceled security info registration.",
        actor: who,
        target: who,
        ctx,
      });
    },

    async status(identifier) {
      const trimmed = identifier.normalize("NFKC").trim();
      if (trimmed === "") return null;
      const user = (await deps.directory.getUser(trimmed)) ?? (await deps.directory.findUser(trimmed));
      if (user === null) return null;
      const [policy, eligibility, rows, state] = await Promise.all([
        currentPolicy(),
        deps.policy.eligibility(user),
        deps.stores.enrollments.listForUser(user.id),
        deps.stores.registrations.get(user.id),
      ]);
      const allowed = new Set(eligibility.allowedMethods);
      const registeredMethods = DISPLAY_ORDER.filter(
        (id) => allowed.has(id) && rows.some((r) => r.method === storedAs(id).method && r.status === "active"),
      );
      return {
        userId: user.id,
        userName: user.userName,
        inScope: eligibility.inScope,
        registered: eligibility.registered,
        methodsRequired: eligibility.methodsRequired,
        registeredMethods,
        reconfirmDue: reconfirmDue(policy, eligibility, state),
        interrupt: interruptOf(policy, eligibility, state),
      };
    },
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
