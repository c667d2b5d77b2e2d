/**
 * Placeholder so the server builds: the reset flow's owner replaces this file with the real routes.
 */
import type { FastifyInstance } from "fastify";
import type { Registry } from "../../registry.types.ts";

export async function registerResetRoutes(_app: FastifyInstance, _registry: Registry): Promise<void> {}
