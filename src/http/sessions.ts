/**
 * Portal and admin sessions (REQ-084..088). The cookie holds a random 256-bit token; the store keeps only
 * `HMAC(keys.tokenDigest, token)`, so a copy of the database does not let anyone ride a session.
 *
 * - `portal` (register, account, change): cookie SameSite=Lax, idle `security.sessionTtlSeconds`.
 * - `admin` (admin portal): cookie SameSite=Strict, idle at most 15 minutes (REQ-087, AAL3).
 * - Both: HttpOnly, Path=/, `__Host-` prefix and Secure over https, absolute lifetime 12 hours.
 * `createSession` always issues a new token and deletes the one the browser had (rotation on sign-in,
 * REQ-084: a session id planted before sign-in never gains privileges).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { addSeconds, HOUR_MS } from "../kernel/clock.ts";
import { token } from "../kernel/random.ts";
import { hmacHex } from "../kernel/secrets.ts";
import type { PortalSession, Registry } from "../registry.types.ts";
import { isHTTPS } from "./csrf.ts";

export type SessionKind = PortalSession["kind"];
export type SessionDeps = Pick<Registry, "stores" | "keys" | "clock" | "random" | "config">;

/** NIST-63B AAL2/AAL3 absolute limit: 12 hours from sign-in whatever the activity. */
export const SESSION_ABSOLUTE_MS = 12 * HOUR_MS;
/** REQ-087: admin and helpdesk sessions go idle after 15 minutes at most. */
export const ADMIN_IDLE_MAX_SECONDS = 15 * 60;

export function sessionCookieName(config: Registry["config"], kind: SessionKind): string {
  const base = kind === "admin" ? "opensspr-admin" : "opensspr-session";
  return isHTTPS(config) ? `__Host-${base}` : base;
}

export function idleSeconds(config: Registry["config"], kind: SessionKind): number {
  const configured = config.security.sessionTtlSeconds;
  return kind === "admin" ? Math.min(configured, ADMIN_IDLE_MAX_SECONDS) : configured;
}

function digest(deps: SessionDeps, value: string): string {
  return hmacHex(deps.keys.tokenDigest, "session", value);
}

function readCookie(deps: SessionDeps, request: FastifyRequest, kind: SessionKind): string | null {
  const value = request.cookies[sessionCookieName(deps.config, kind)];
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

function setCookie(deps: SessionDeps, reply: FastifyReply, kind: SessionKind, value: string): void {
  reply.setCookie(sessionCookieName(deps.config, kind), value, {
    path: "/",
    httpOnly: true,
    secure: isHTTPS(deps.config),
    sameSite: kind === "admin" ? "strict" : "lax",
  });
}

function clearCookie(deps: SessionDeps, reply: FastifyReply, kind: SessionKind): void {
  reply.clearCookie(sessionCookieName(deps.config, kind), {
    path: "/",
    httpOnly: true,
    secure: isHTTPS(deps.config),
    sameSite: kind === "admin" ? "strict" : "lax",
  });
}

/** Signs a user in: deletes the browser's previous session of this kind and issues a fresh one. */
export async function createSession(
  deps: SessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { kind: SessionKind; userId: string; data?: Record<string, unknown> },
): Promise<PortalSession> {
  const previous = readCookie(deps, request, options.kind);
  if (previous !== null) await deps.stores.sessions.delete(digest(deps, previous));
  const value = token(deps.random, 32);
  const now = deps.clock.now();
  const expiresAt = addSeconds(now, idleSeconds(deps.config, options.kind));
  const data = options.data ?? {};
  const idDigest = digest(deps, value);
  await deps.stores.sessions.insert({
    idDigest,
    userId: options.userId,
    kind: options.kind,
    data,
    createdAt: now,
    expiresAt,
    lastSeenAt: now,
  });
  setCookie(deps, reply, options.kind, value);
  return { id: idDigest, userId: options.userId, kind: options.kind, data, expiresAt };
}

/**
 * The signed-in session of this kind, or null (no cookie, unknown, idle-expired, past 12 h, or another kind).
 * A live session's idle deadline slides forward.
 */
export async function getSession(
  deps: SessionDeps,
  request: FastifyRequest,
  kind: SessionKind,
): Promise<PortalSession | null> {
  const value = readCookie(deps, request, kind);
  if (value === null) return null;
  const idDigest = digest(deps, value);
  const row = await deps.stores.sessions.get(idDigest);
  if (row === null || row.kind !== kind) return null;
  const now = deps.clock.now();
  if (row.expiresAt.getTime() <= now.getTime() || now.getTime() - row.createdAt.getTime() >= SESSION_ABSOLUTE_MS) {
    await deps.stores.sessions.delete(idDigest);
    return null;
  }
  const expiresAt = addSeconds(now, idleSeconds(deps.config, kind));
  await deps.stores.sessions.touch(idDigest, { at: now, expiresAt });
  return { id: idDigest, userId: row.userId, kind: row.kind, data: row.data, expiresAt };
}

/** Replaces the session's data (e.g. "second factor passed"); same token. */
export async function updateSessionData(
  deps: SessionDeps,
  session: PortalSession,
  data: Record<string, unknown>,
): Promise<PortalSession> {
  const now = deps.clock.now();
  const expiresAt = addSeconds(now, idleSeconds(deps.config, session.kind));
  await deps.stores.sessions.touch(session.id, { at: now, expiresAt, data });
  return { ...session, data, expiresAt };
}

/** Signs out: deletes the stored session and clears the cookie. */
export async function destroySession(
  deps: SessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  kind: SessionKind,
): Promise<void> {
  const value = readCookie(deps, request, kind);
  if (value !== null) await deps.stores.sessions.delete(digest(deps, value));
  clearCookie(deps, reply, kind);
}

/** Revokes every session of a user, portal and admin (after a password reset, REQ-086). */
export async function revokeUserSessions(deps: Pick<Registry, "stores">, userId: string): Promise<number> {
  return deps.stores.sessions.deleteForUser(userId);
}
