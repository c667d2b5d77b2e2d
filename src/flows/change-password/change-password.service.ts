/**
 * Change a known password (SPEC §6 "Change password", REQ-080..083): user name, current password, new
 * password twice. The directory verifies the current password (a bind as the user for LDAP/AD), so the
 * number of checks per account is kept below a directory lockout threshold (REQ-081) by our own limiter.
 *
 * Enumeration-neutral: an unknown or disabled account, a wrong current password and a directory refusal of
 * the current password all give the same INVALID_CREDENTIALS, after comparable work (a dummy argon2 verify
 * for accounts we cannot check). The password policy runs first with the typed user name, so its answer
 * does not depend on whether the account exists either.
 */

import { FLOW_REASONS } from "../../audit/events.ts";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError, type FieldIssue } from "../../errors/app-error.ts";
import { MINUTE_MS } from "../../kernel/clock.ts";
import { dummyPasswordHash } from "../../kernel/passwords.ts";
import { hmacHex } from "../../kernel/secrets.ts";
import { t } from "../../messages/index.ts";
import type { Registry, RequestContext } from "../../registry.types.ts";

export type ChangePasswordDeps = Pick<
  Registry,
  | "config"
  | "clock"
  | "keys"
  | "log"
  | "stores"
  | "hasher"
  | "directory"
  | "policy"
  | "passwordPolicy"
  | "throttles"
  | "audit"
  | "notifier"
>;

/** REQ-081: current-password checks per account stay below a typical AD lockout threshold (5). */
export const CHANGE_LIMITS = {
  perAccount: { limit: 3, windowMs: 15 * MINUTE_MS },
  perIp: { limit: 20, windowMs: 15 * MINUTE_MS },
} as const;

export interface ChangePasswordInput {
  userName: string;
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export interface ChangePasswordService {
  change(input: ChangePasswordInput, ctx: RequestContext): Promise<{ changed: true }>;
}

/** REQ-080: empty, whitespace-only or NUL-containing secrets are refused before any bind. */
function badSecret(value: string): boolean {
  return value.trim().length === 0 || value.includes("\u0000");
}

export function createChangePasswordService(deps: ChangePasswordDeps): ChangePasswordService {
  return {
    async change(input, ctx) {
      const assertPolicy = async (subject: DirectoryUser, previousHashes: string[]): Promise<void> => {
        const check = await deps.passwordPolicy.check(input.newPassword, {
          user: subject,
          currentPassword: input.currentPassword,
          previousHashes,
        });
        if (check.ok) return;
        throw new AppError("PASSWORD_REJECTED", {
          issues: check.problems.map((p) => ({
            field: "newPassword",
            message: t(ctx.locale, p.message, p.params),
            rule: p.rule,
          })),
        });
      };
      const issues: FieldIssue[] = [];
      const userName = input.userName.normalize("NFKC").trim();
      if (userName.length === 0 || userName.length > 256 || /[\p{Cc}\p{Cf}]/u.test(userName)) {
        issues.push({ field: "userName", message: t(ctx.locale, "change.invalid_user_name") });
      }
      if (badSecret(input.currentPassword)) {
        issues.push({ field: "currentPassword", message: t(ctx.locale, "validation.required") });
      }
      if (badSecret(input.newPassword) || input.newPassword.includes("\u0000")) {
        issues.push({ field: "newPassword", message: t(ctx.locale, "validation.required") });
      }
      if (input.newPassword !== input.confirm) {
        issues.push({ field: "confirm", message: t(ctx.locale, "reset.password.mismatch") });
      }
      if (issues.length > 0) throw new AppError("VALIDATION_FAILED", { issues });

      const ip = ctx.ip ?? "unknown";
      if (!(await deps.throttles.hitKey(`ip:${ip}:change`, CHANGE_LIMITS.perIp)).allowed)
        throw new AppError("RATE_LIMITED");
      // Keyed by the canonical account id when it exists, else by the typed name (same count either way).
      const user = await deps.directory.findUser(userName);
      const accountKey = user?.id ?? `name:${hmacHex(deps.keys.decoy, userName.toLowerCase()).slice(0, 32)}`;
      if (!(await deps.throttles.hitKey(`acct:${accountKey}:change`, CHANGE_LIMITS.perAccount)).allowed) {
        throw new AppError("RATE_LIMITED");
      }

      // The policy first sees only what was typed, so its answer does not depend on whether the account exists.
      const typedSubject: DirectoryUser = {
        id: "",
        userName,
        displayName: userName,
        email: null,
        mobile: null,
        officePhone: null,
      };
      await assertPolicy(typedSubject, []);

      const target = { id: user?.id ?? null, name: user?.userName ?? userName.slice(0, 128) };
      const fail = async (reason: string, details: Record<string, unknown>): Promise<never> => {
        await deps.audit.record({
          activity: "changePassword",
          outcome: "failure",
          reason,
          actor: target,
          target,
          ctx,
          details,
        });
        throw new AppError("INVALID_CREDENTIALS");
      };

      const status = user === null || deps.directory.status === undefined ? null : await deps.directory.status(user);
      if (user === null || status?.enabled === false) {
        await deps.hasher.verify(await dummyPasswordHash(deps.hasher), input.currentPassword);
        return fail(user === null ? FLOW_REASONS.unknownAccount : FLOW_REASONS.disabledAccount, {});
      }

      // Once the current password is proven, the full policy (names, history) applies.
      const verifyCurrent = deps.directory.passwords?.verify;
      if (verifyCurrent !== undefined) {
        if (!(await verifyCurrent(user, input.currentPassword))) return fail("Wrong current password", {});
        // History is enforced by the directory's write (builtin: `reason: "history"`).
        await assertPolicy(user, []);
      }

      const passwords = deps.directory.passwords;
      let result: Awaited<ReturnType<NonNullable<NonNullable<typeof passwords>["change"]>>>;
      try {
        if (passwords?.change !== undefined) {
          result = await passwords.change(user, input.currentPassword, input.newPassword);
        } else if (passwords?.verify !== undefined && passwords.reset !== undefined) {
          result = (await passwords.verify(user, input.currentPassword))
            ? await passwords.reset(user, input.newPassword, { mustChangeAtNextLogon: false, unlock: false })
            : { ok: false, reason: "wrong_current_password", detail: "current password did not verify" };
        } else {
          throw new AppError("RESET_UNSUPPORTED");
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        deps.log.error({ err: error }, "directory password change failed");
        await deps.audit.record({
          activity: "changePassword",
          outcome: "failure",
          reason: FLOW_REASONS.onPremisesUnreachable,
          actor: target,
          target,
          ctx,
          details: { error: error instanceof Error ? error.message.slice(0, 500) : "unknown" },
        });
        throw new AppError("DIRECTORY_UNAVAILABLE", { cause: error });
      }
      if (!result.ok) {
        if (result.reason === "wrong_current_password") return fail("Wrong current password", {});
        await deps.audit.record({
          activity: "changePassword",
          outcome: "failure",
          reason: FLOW_REASONS.onPremisesProblem,
          actor: target,
          target,
          ctx,
          details: { reason: result.reason, detail: result.detail },
        });
        throw new AppError("PASSWORD_REJECTED", {
          issues: [
            { field: "newPassword", message: t(ctx.locale, `reset.directory.${result.reason}`), rule: result.reason },
          ],
        });
      }

      // REQ-083/086: every session issued before the change is revoked.
      await deps.stores.sessions.deleteForUser(user.id);
      await deps.audit.record({
        activity: "changePassword",
        outcome: "success",
        reason: "User changed their password",
        actor: target,
        target,
        ctx,
        details: {},
      });
      try {
        const { policy } = await deps.policy.current();
        if (policy.notifications.userOnReset && user.email) {
          await deps.notifier.enqueue({
            channel: "email",
            recipient: user.email,
            template: "password-changed",
            params: { displayName: user.displayName || user.userName, at: deps.clock.now().toISOString() },
            locale: ctx.locale,
          });
        }
      } catch (error) {
        deps.log.error({ err: error }, "change notification could not be queued");
      }
      return { changed: true };
    },
  };
}
