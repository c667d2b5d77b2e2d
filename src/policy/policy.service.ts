/**
 * The versioned SSPR policy (SPEC §5): read, validate + save with optimistic versioning, audit every changed
 * property with its old and new value ("Self-service password reset policy changes"), and answer eligibility.
 */
import type { Config } from "../config/schema.ts";
import type { DirectoryConnector, DirectoryUser } from "../directory/connector.ts";
import { AppError } from "../errors/app-error.ts";
import type { Clock } from "../kernel/clock.ts";
import type { AuditRecorder, Eligibility, PolicyService } from "../registry.types.ts";
import type { PolicyVersionRow, Stores } from "../store/types.ts";
import { computeEligibility } from "./eligibility.ts";
import { DEFAULT_POLICY, type PolicyVersion } from "./policy.types.ts";
import { validatePolicy } from "./validate.ts";

export type PolicyServiceDeps = {
  stores: Pick<Stores, "policy" | "enrollments">;
  clock: Clock;
  audit: AuditRecorder;
  directory: Pick<DirectoryConnector, "kind" | "groupsOf" | "status">;
  config: Pick<Config, "directory">;
};

/** One changed leaf of the policy document (arrays are leaves: `methods`, `scopeGroups`...). */
export interface PolicyChange {
  property: string;
  oldValue: unknown;
  newValue: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every leaf whose value differs, as dotted property paths. */
export function diffPolicy(before: unknown, after: unknown, prefix = ""): PolicyChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffPolicy(before[k], after[k], prefix === "" ? k : `${prefix}.${k}`));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ property: prefix, oldValue: before ?? null, newValue: after ?? null }];
}

/** Fills keys added to the policy after a version was stored, so old versions stay readable. */
function withDefaults(defaults: unknown, stored: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(stored)) return stored === undefined ? defaults : stored;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) out[key] = withDefaults(defaults[key], stored[key]);
  return out;
}

const DEFAULT_VERSION_AT = new Date(0);

function toVersion(row: PolicyVersionRow): PolicyVersion {
  const checked = validatePolicy(withDefaults(DEFAULT_POLICY, row.document));
  if (!checked.ok) {
    throw new AppError("INTERNAL", { detail: `stored policy version ${row.version} is invalid` });
  }
  return { version: row.version, policy: checked.policy, createdAt: row.createdAt, createdBy: row.createdBy };
}

export function createPolicyService(deps: PolicyServiceDeps): PolicyService {
  const adminGroups = new Set(deps.config.directory.adminGroups.map((g) => g.toLowerCase()));

  // The document is read on every eligibility and password check; re-validate it only when the version moves.
  // (The store is still asked each time, so a save made on another instance is seen at once.)
  let cached: PolicyVersion | null = null;
  const current = async (): Promise<PolicyVersion> => {
    const row = await deps.stores.policy.current();
    if (row === null) {
      return {
        version: 0,
        policy: structuredClone(DEFAULT_POLICY),
        createdAt: DEFAULT_VERSION_AT,
        createdBy: "default",
      };
    }
    if (cached === null || cached.version !== row.version || cached.createdAt.getTime() !== row.createdAt.getTime()) {
      cached = toVersion(row);
    }
    return { ...cached, policy: structuredClone(cached.policy) };
  };

  const groupNames = async (user: DirectoryUser): Promise<string[]> =>
    (await deps.directory.groupsOf(user)).map((g) => g.name);

  const isAdminByGroups = (names: readonly string[]): boolean => names.some((n) => adminGroups.has(n.toLowerCase()));

  return {
    current,

    async save(next, options): Promise<PolicyVersion> {
      const checked = validatePolicy(next);
      if (!checked.ok) {
        await deps.audit.record({
          activity: "policyChanged",
          outcome: "failure",
          reason: "Policy rejected by validation",
          actor: options.actor,
          ctx: options.ctx,
          details: { issues: checked.issues.map((i) => ({ field: i.field, rule: i.rule ?? null })) },
        });
        throw new AppError("POLICY_INVALID", { issues: checked.issues });
      }
      const before = await current();
      if (before.version !== options.expectedVersion) {
        throw new AppError("VERSION_CONFLICT", {
          params: { expected: options.expectedVersion, current: before.version },
        });
      }
      // The store re-checks the version inside its write (two admins saving at once: one gets VERSION_CONFLICT).
      const row = await deps.stores.policy.save(checked.policy, {
        expectedVersion: options.expectedVersion,
        at: deps.clock.now(),
        by: options.actor.name,
      });
      const changes = diffPolicy(before.policy, checked.policy);
      await deps.audit.record({
        activity: "policyChanged",
        outcome: "success",
        reason: `Policy version ${row.version} saved`,
        actor: options.actor,
        target: { id: "sspr-policy", name: "Self-service password reset policy" },
        ctx: options.ctx,
        details: { version: row.version, previousVersion: before.version, changes },
      });
      return { version: row.version, policy: checked.policy, createdAt: row.createdAt, createdBy: row.createdBy };
    },

    async history(limit): Promise<PolicyVersion[]> {
      const rows = await deps.stores.policy.history(Math.max(1, Math.min(limit, 1000)));
      return rows.map(toVersion);
    },

    async isAdmin(user): Promise<boolean> {
      return isAdminByGroups(await groupNames(user));
    },

    async eligibility(user): Promise<Eligibility> {
      const [version, names, status, enrollments] = await Promise.all([
        current(),
        groupNames(user),
        deps.directory.status === undefined ? Promise.resolve(null) : deps.directory.status(user),
        deps.stores.enrollments.listForUser(user.id),
      ]);
      return computeEligibility({
        policy: version.policy,
        user,
        isAdmin: isAdminByGroups(names),
        groupNames: names,
        status,
        enrollments,
        externalDirectory: deps.directory.kind !== "builtin",
      });
    },
  };
}
