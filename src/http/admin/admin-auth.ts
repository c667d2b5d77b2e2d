/**
 * Who may use the admin portal and the admin API (REQ-092, REQ-093, REQ-097).
 *
 * Deny by default: the admin plugins install `requireAdmin` as an onRequest hook on EVERY route they
 * register; only routes marked `config: { adminPublic: true }` (sign-in, first-run setup) skip it.
 * The role is checked against the directory on every request (no cached role claim), so removing someone
 * from the admin groups takes effect at their next click.
 *
 * An admin session is only "active" after the password AND a second registered method were proved; a
 * session in the `mfa` stage grants nothing.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { DirectoryUser } from "../../directory/connector.ts";
import { AppError } from "../../errors/app-error.ts";
import type { PortalSession, Registry } from "../../registry.types.ts";
import { getSession } from "../sessions.ts";
import { findAPIKey } from "./api-keys.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `requireAdmin` on admin routes. */
    admin: AdminActor | null;
  }
  interface FastifyContextConfig {
    /** Admin route reachable without an admin session (sign-in, setup). @default false */
    adminPublic?: boolean;
  }
}

export interface AdminActor {
  via: "session" | "api-key";
  /** The administrator (for an API key: the admin who created it). */
  user: DirectoryUser;
  /** For the audit trail: the person, or `apikey:<id>` for automation. */
  actor: { id: string; name: string };
  session: PortalSession | null;
}

export type AdminSessionData =
  | {
      stage: "mfa";
      /** Methods the admin may prove with, in order. */
      methods: string[];
      method: string | null;
      /** The chosen method's gate state (from the method's challenge contract). */
      gate: Record<string, unknown>;
      /** Id binding codes of this sign-in (the "flow id" of the challenge contract). */
      gateId: string;
      view: unknown;
    }
  | { stage: "active"; signedInAt: string };

export function adminStage(session: PortalSession | null): "mfa" | "active" | null {
  const stage = session?.data["stage"];
  return stage === "mfa" || stage === "active" ? stage : null;
}

/** The user behind a session/key, if they exist, are enabled and are (still) administrators. */
async function liveAdmin(
  registry: Registry,
  userId: string,
): Promise<{ user: DirectoryUser | null; isAdmin: boolean }> {
  const user = await registry.directory.getUser(userId);
  if (user === null) return { user: null, isAdmin: false };
  if (registry.directory.status !== undefined) {
    const status = await registry.directory.status(user);
    if (!status.enabled) return { user: null, isAdmin: false };
  }
  return { user, isAdmin: await registry.policy.isAdmin(user) };
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Resolves the admin actor of a request, or throws UNAUTHENTICATED / FORBIDDEN. */
export async function authenticateAdmin(
  registry: Registry,
  request: FastifyRequest,
  options: { allowAPIKey: boolean },
): Promise<AdminActor> {
  const presented = bearerToken(request);
  if (presented !== null || request.headers.authorization !== undefined) {
    if (!options.allowAPIKey || presented === null) throw new AppError("UNAUTHENTICATED");
    const key = await findAPIKey(registry, presented);
    if (key === null) throw new AppError("UNAUTHENTICATED");
    const { user, isAdmin } = await liveAdmin(registry, key.createdById);
    if (user === null || !isAdmin) throw new AppError("FORBIDDEN");
    return { via: "api-key", user, actor: { id: `apikey:${key.id}`, name: `API key "${key.name}"` }, session: null };
  }
  const session = await getSession(registry, request, "admin");
  if (session === null || adminStage(session) !== "active") throw new AppError("UNAUTHENTICATED");
  const { user, isAdmin } = await liveAdmin(registry, session.userId);
  if (user === null) throw new AppError("UNAUTHENTICATED");
  if (!isAdmin) throw new AppError("FORBIDDEN");
  return { via: "session", user, actor: { id: user.id, name: user.userName }, session };
}

/** onRequest hook for HTML admin routes: sign-in page for browsers without a session. */
export function requireAdminPage(registry: Registry) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.admin = null;
    if (request.routeOptions.config?.adminPublic === true) return;
    try {
      request.admin = await authenticateAdmin(registry, request, { allowAPIKey: false });
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAUTHENTICATED" && request.method === "GET") {
        const session = await getSession(registry, request, "admin");
        const target = adminStage(session) === "mfa" ? "/admin/sign-in/verify" : "/admin/sign-in";
        await reply.redirect(target, 303);
        return reply;
      }
      throw error;
    }
  };
}

/** onRequest hook for the admin JSON API: API key or active admin session, else 401/403 JSON. */
export function requireAdminAPI(registry: Registry) {
  return async (request: FastifyRequest): Promise<void> => {
    request.admin = null;
    request.admin = await authenticateAdmin(registry, request, { allowAPIKey: true });
  };
}

/** The actor of an admin route (the guard has run). */
export function adminOf(request: FastifyRequest): AdminActor {
  if (request.admin === null || request.admin === undefined) throw new AppError("UNAUTHENTICATED");
  return request.admin;
}
