/**
 * The admin JSON API `/api/v1/admin/*` (SPEC §2, ARCHITECTURE "Admin API"): the same operations as the
 * admin portal for automation. Authenticated by `Authorization: Bearer <api key>` or an active admin
 * session (then `Content-Type: application/json` is required, see http/csrf.ts); role-checked on every
 * request by the plugin-wide hook (deny by default). Bodies are strict: unknown fields are a 400
 * (mass assignment, REQ-096). Errors come from the error handler as `{ error: { code, message, issues?, supportCode } }`.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { createBuiltinAdmin } from "../../directory/builtin/builtin-admin.service.ts";
import { AppError } from "../../errors/app-error.ts";
import type { Registry } from "../../registry.types.ts";
import { dashboard, userDetail, userDetailJSON } from "../admin/admin.service.ts";
import { adminOf, requireAdminAPI } from "../admin/admin-auth.ts";
import { auditFilterSchema, auditQueryOf, sendAuditExport } from "../admin/audit.routes.tsx";
import { groupMembers } from "../admin/groups.routes.tsx";
import { policyHistory } from "../admin/policy.routes.tsx";
import { listUsers } from "../admin/users.routes.tsx";
import { field, parseJSON, parseParams, parseQuery } from "../parse.ts";
import { requestContext } from "../request-context.ts";

const idParams = z.object({ id: z.string().min(1).max(256) });
const memberParams = z.object({
  id: z.string().min(1).max(256),
  kind: z.enum(["user", "group"]),
  memberId: z.string().min(1).max(256),
});
const policyPutSchema = z.strictObject({
  policy: z.record(z.string(), z.unknown(), { error: "validation.invalid" }),
  expectedVersion: z
    .number({ error: "validation.not_number" })
    .int({ error: "validation.not_number" })
    .min(0, { error: "validation.too_small" }),
});
const pageQuery = z.strictObject({
  q: field.optionalText({ max: 100 }),
  offset: field.int({ min: 0, max: 10_000_000 }).optional(),
  limit: field.int({ min: 1, max: 500 }).optional(),
});
const historyQuery = z.strictObject({ limit: field.int({ min: 1, max: 100 }).optional() });
const auditAPIQuery = auditFilterSchema.omit({ page: true }).extend({
  offset: field.int({ min: 0, max: 10_000_000 }).optional(),
  limit: field.int({ min: 1, max: 1000 }).optional(),
});
const memberBody = z.strictObject({
  kind: z.enum(["user", "group"], { error: "validation.invalid_choice" }),
  member: field.text({ max: 256 }),
});

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("VALIDATION_FAILED", { issues: [{ field: "", message: "Expected a JSON object." }] });
  }
  return body as Record<string, unknown>;
}

export async function registerAdminAPIRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  if (!app.hasRequestDecorator("admin")) app.decorateRequest("admin", null);
  const builtinAdmin = createBuiltinAdmin(registry);
  const builtinOnly = (): void => {
    if (registry.directory.kind !== "builtin") throw new AppError("NOT_FOUND");
  };

  await app.register(
    async (api) => {
      api.addHook("onRequest", requireAdminAPI(registry));
      const options = (request: Parameters<typeof adminOf>[0]) => ({
        actor: adminOf(request).actor,
        ctx: requestContext(request),
      });

      api.get("/dashboard", async () => dashboard(registry));

      // ---------------- policy
      api.get("/policy", async () => registry.policy.current());
      api.put("/policy", async (request) => {
        const input = parseJSON(policyPutSchema, request);
        return registry.policy.save(input.policy as never, {
          expectedVersion: input.expectedVersion,
          ...options(request),
        });
      });
      api.get("/policy/history", async (request) => {
        const query = parseQuery(historyQuery, request);
        return { versions: await policyHistory(registry, query.limit ?? 20) };
      });

      // ---------------- users
      api.get("/users", async (request) => {
        const query = parseQuery(pageQuery, request);
        const result = await listUsers(registry, {
          search: query.q,
          offset: query.offset ?? 0,
          limit: query.limit ?? 50,
        });
        return {
          users: result.users.map((u) => ({
            id: u.id,
            userName: u.userName,
            displayName: u.displayName,
            email: u.email,
          })),
          total: result.total,
          listable: result.listable,
        };
      });
      api.get("/users/:id", async (request) =>
        userDetailJSON(await userDetail(registry, parseParams(idParams, request).id)),
      );
      api.post("/users", async (request, reply) => {
        builtinOnly();
        const user = await builtinAdmin.addUser(objectBody(request.body), options(request));
        return reply
          .code(201)
          .send({ id: user.id, userName: user.userName, displayName: user.displayName, email: user.email });
      });
      for (const action of ["disable", "enable"] as const) {
        api.post(`/users/:id/${action}`, async (request, reply) => {
          builtinOnly();
          const { id } = parseParams(idParams, request);
          if (action === "disable") await builtinAdmin.disableUser(id, options(request));
          else await builtinAdmin.enableUser(id, options(request));
          return reply.code(204).send();
        });
      }
      api.post("/users/:id/unblock", async (request, reply) => {
        const { id } = parseParams(idParams, request);
        const user = await registry.directory.getUser(id);
        if (user === null) throw new AppError("USER_NOT_FOUND");
        await registry.throttles.unblock(user.id, options(request));
        return reply.code(204).send();
      });

      // ---------------- groups (builtin)
      api.get("/groups", async () => {
        builtinOnly();
        return { groups: await builtinAdmin.listGroups() };
      });
      api.post("/groups", async (request, reply) => {
        builtinOnly();
        const group = await builtinAdmin.addGroup(objectBody(request.body), options(request));
        return reply.code(201).send(group);
      });
      api.get("/groups/:id", async (request) => {
        builtinOnly();
        const { id } = parseParams(idParams, request);
        const group = await registry.stores.builtin.getGroup(id);
        if (group === null) throw new AppError("GROUP_NOT_FOUND");
        return { ...group, members: await groupMembers(registry, group.id) };
      });
      api.post("/groups/:id/members", async (request, reply) => {
        builtinOnly();
        const { id } = parseParams(idParams, request);
        const input = parseJSON(memberBody, request);
        await builtinAdmin.addMember(id, { kind: input.kind, ref: input.member }, options(request));
        return reply.code(204).send();
      });
      api.delete("/groups/:id/members/:kind/:memberId", async (request, reply) => {
        builtinOnly();
        const { id, kind, memberId } = parseParams(memberParams, request);
        await builtinAdmin.removeMember(id, { kind, ref: memberId }, options(request));
        return reply.code(204).send();
      });

      // ---------------- audit
      api.get("/audit", async (request, reply) => {
        const filters = parseQuery(auditAPIQuery, request);
        if (filters.format !== undefined) return sendAuditExport(registry, request, filters, reply);
        const { rows, total } = await registry.stores.audit.query(
          auditQueryOf(filters, { offset: filters.offset ?? 0, limit: filters.limit ?? 100 }),
        );
        return { rows, total };
      });
    },
    { prefix: "/api/v1/admin" },
  );
}
