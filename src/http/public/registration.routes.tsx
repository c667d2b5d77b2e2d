/**
 * Placeholder so the server builds: the registration flow's owner replaces this file with the real routes.
 */
import type { FastifyInstance } from "fastify";
import type { Registry } from "../../registry.types.ts";

export async function registerRegistrationRoutes(_app: FastifyInstance, _registry: Registry): Promise<void> {}
