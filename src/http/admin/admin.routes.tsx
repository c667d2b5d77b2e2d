/**
 * The admin portal `/admin` (SPEC §2). Everything is registered inside one encapsulated plugin whose
 * onRequest hook (`requireAdminPage`) runs for every route in it: deny by default (REQ-092). Only routes
 * marked `adminPublic` (sign-in steps, sign-out, first-run setup) are reachable without an active admin
 * session. Unknown paths under /admin fall through to the 404 handler (never a 2xx).
 */
import type { FastifyInstance } from "fastify";
import type { Registry } from "../../registry.types.ts";
import { requireAdminPage } from "./admin-auth.ts";
import { registerAdminAuditRoutes } from "./audit.routes.tsx";
import { registerAdminDashboardRoutes } from "./dashboard.routes.tsx";
import { registerAdminGroupRoutes } from "./groups.routes.tsx";
import { registerAdminOutboxRoutes } from "./outbox.routes.tsx";
import { registerAdminPolicyRoutes } from "./policy.routes.tsx";
import { registerAdminSettingsRoutes } from "./settings.routes.tsx";
import { registerAdminSignInRoutes } from "./sign-in.routes.tsx";
import { registerAdminUserRoutes } from "./users.routes.tsx";

export async function registerAdminRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  if (!app.hasRequestDecorator("admin")) app.decorateRequest("admin", null);
  await app.register(async (admin) => {
    admin.addHook("onRequest", requireAdminPage(registry));
    await registerAdminSignInRoutes(admin, registry);
    await registerAdminDashboardRoutes(admin, registry);
    await registerAdminPolicyRoutes(admin, registry);
    await registerAdminUserRoutes(admin, registry);
    await registerAdminGroupRoutes(admin, registry);
    await registerAdminOutboxRoutes(admin, registry);
    await registerAdminAuditRoutes(admin, registry);
    await registerAdminSettingsRoutes(admin, registry);
  });
}
