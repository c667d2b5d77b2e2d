/**
 * What the admin pages and the admin API show, computed once for both (routes stay thin): dashboard
 * numbers, the user detail with the "why can't this user reset?" diagnostic, masked security info.
 * Never returns a secret: enrollment `secret` and raw `data` stay inside; only masked labels leave.
 */
import type { AccountStatus, DirectoryUser, GroupRef } from "../../directory/connector.ts";
import { AppError } from "../../errors/app-error.ts";
import type { PolicyVersion } from "../../policy/policy.types.ts";
import type { Eligibility, Registry } from "../../registry.types.ts";
import type { AuditRow, EnrollmentRow, OutboxRow, RegistrationStateRow } from "../../store/types.ts";

export interface DirectoryHealth {
  kind: Registry["directory"]["kind"];
  ok: boolean;
}

export interface DashboardData {
  directory: DirectoryHealth;
  policy: PolicyVersion;
  users: number | null;
  registered: number;
  enrollmentsByMethod: Record<string, number>;
  activeBlocks: number;
  outbox: Record<OutboxRow["status"], number> | null;
}

/** How many users completed registration (paged through the registration state, capped). */
async function countRegistered(registry: Pick<Registry, "stores">): Promise<number> {
  let count = 0;
  const pageSize = 1000;
  for (let offset = 0; offset < 200_000; offset += pageSize) {
    const rows = await registry.stores.registrations.list({ offset, limit: pageSize });
    count += rows.filter((row) => row.registeredAt !== null).length;
    if (rows.length < pageSize) break;
  }
  return count;
}

export async function directoryHealth(registry: Pick<Registry, "directory" | "log">): Promise<DirectoryHealth> {
  try {
    const health = await registry.directory.health();
    if (!health.ok) registry.log.warn({ detail: health.detail }, "directory unhealthy");
    return { kind: registry.directory.kind, ok: health.ok };
  } catch (error) {
    registry.log.warn({ err: error }, "directory health check failed");
    return { kind: registry.directory.kind, ok: false };
  }
}

export async function dashboard(registry: Registry): Promise<DashboardData> {
  const [directory, policy, registered, enrollmentsByMethod, blocks, outbox] = await Promise.all([
    directoryHealth(registry),
    registry.policy.current(),
    countRegistered(registry),
    registry.stores.enrollments.countByMethod(),
    registry.stores.throttles.listBlocks(registry.clock.now()),
    registry.stores.outbox.counts({}).catch(() => null),
  ]);
  let users: number | null = null;
  if (registry.directory.listUsers !== undefined) {
    try {
      users = (await registry.directory.listUsers({ offset: 0, limit: 1 })).total;
    } catch (error) {
      registry.log.warn({ err: error }, "user count unavailable");
    }
  }
  return { directory, policy, users, registered, enrollmentsByMethod, activeBlocks: blocks.length, outbox };
}

/** Masks an email address (`a***@example.com`) or phone number (`+*******34`) inside a label. */
export function maskContact(text: string): string {
  return text
    .replace(/([^\s@<>"]{1})[^\s@<>"]*@([^\s@<>"]+)/g, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(/\+?\d[\d\s().-]{5,}\d/g, (number) => {
      const digits = number.replace(/\D/g, "");
      return `${number.startsWith("+") ? "+" : ""}${"•".repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
    });
}

export interface MaskedEnrollment {
  id: string;
  method: EnrollmentRow["method"];
  label: string;
  status: EnrollmentRow["status"];
  source: EnrollmentRow["source"];
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

export function maskEnrollment(row: EnrollmentRow): MaskedEnrollment {
  return {
    id: row.id,
    method: row.method,
    label: maskContact(row.label),
    status: row.status,
    source: row.source,
    createdAt: row.createdAt,
    confirmedAt: row.confirmedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export interface UserDetail {
  user: DirectoryUser;
  /** Contact data as the directory holds it, masked. */
  contact: { email: string | null; mobile: string | null; officePhone: string | null };
  status: AccountStatus | null;
  groups: GroupRef[];
  isAdmin: boolean;
  eligibility: Eligibility;
  enrollments: MaskedEnrollment[];
  registration: RegistrationStateRow | null;
  blockedUntil: Date | null;
  timeline: AuditRow[];
  timelineTotal: number;
}

export async function userDetail(registry: Registry, userId: string): Promise<UserDetail> {
  if (userId.length === 0 || userId.length > 256) throw new AppError("USER_NOT_FOUND");
  const user = await registry.directory.getUser(userId);
  if (user === null) throw new AppError("USER_NOT_FOUND");
  const [status, groups, isAdmin, eligibility, enrollments, registration, block, timeline] = await Promise.all([
    registry.directory.status === undefined ? Promise.resolve(null) : registry.directory.status(user),
    registry.directory.groupsOf(user),
    registry.policy.isAdmin(user),
    registry.policy.eligibility(user),
    registry.stores.enrollments.listForUser(user.id),
    registry.stores.registrations.get(user.id),
    registry.throttles.isAccountBlocked(user.id),
    registry.stores.audit.query({ user: user.id, offset: 0, limit: 50 }),
  ]);
  return {
    user,
    contact: {
      email: user.email === null ? null : maskContact(user.email),
      mobile: user.mobile === null ? null : maskContact(user.mobile),
      officePhone: user.officePhone === null ? null : maskContact(user.officePhone),
    },
    status,
    groups,
    isAdmin,
    eligibility,
    enrollments: enrollments.map(maskEnrollment),
    registration,
    blockedUntil: block?.until ?? null,
    timeline: timeline.rows,
    timelineTotal: timeline.total,
  };
}

/** JSON shape of a user detail (dates as ISO strings). */
export function userDetailJSON(detail: UserDetail): Record<string, unknown> {
  return {
    user: {
      id: detail.user.id,
      userName: detail.user.userName,
      displayName: detail.user.displayName,
      ...detail.contact,
    },
    status: detail.status,
    groups: detail.groups,
    isAdmin: detail.isAdmin,
    eligibility: detail.eligibility,
    enrollments: detail.enrollments,
    registration: detail.registration,
    blockedUntil: detail.blockedUntil,
    timeline: detail.timeline.map((row) => ({
      id: row.id,
      at: row.at,
      activity: row.activity,
      outcome: row.outcome,
      reason: row.reason,
      actorName: row.actorName,
      correlationId: row.correlationId,
    })),
  };
}
