import type { FastifyInstance } from "fastify";
import type { Registry } from "../../registry.types.ts";

export async function registerAdminAPIRoutes(_app: FastifyInstance, _registry: Registry): Promise<void> {}
