/** The dependencies `createMethodRegistry` receives (registry.ts); each method picks its slice (STYLE rule 1). */
import type { Registry } from "../registry.types.ts";

export type MethodDeps = Pick<
  Registry,
  "stores" | "clock" | "random" | "keys" | "config" | "hasher" | "codes" | "notifier" | "throttles" | "log" | "audit"
>;

/** Reads a string field from unknown input (form or JSON body). */
export function stringField(input: unknown, name: string): string | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const value = (input as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
