/**
 * Request input → typed values, or a 400 VALIDATION_FAILED listing every bad field (REQ-113/114/115).
 *
 * Threat: identifiers, codes and passwords arriving as arrays or objects (`a=1&a=2`, `a[]=`, `{"$ne":null}`)
 * that a lenient parser would pass on to a lookup (GitLab CVE-2023-7028, Rocket.Chat CVE-2021-22911). Every
 * string field here accepts only a single string; anything else is refused before a service sees it.
 * Field messages are translated into the request's locale here, so views and JSON show them as-is.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError, type FieldIssue } from "../errors/app-error.ts";
import { hasMessage, t } from "../messages/index.ts";

/** Form fields that belong to the HTTP layer, never to a schema. */
const TRANSPORT_FIELDS = ["_csrf"];

function notTextOrRequired(issue: { input?: unknown }): string {
  return issue.input === undefined || issue.input === null ? "validation.required" : "validation.not_text";
}

/** Schema builders for form and JSON fields (strings trimmed, lengths capped). */
export const field = {
  /** A required single string, trimmed, 1..max characters. */
  text(options: { max: number; min?: number }): z.ZodType<string> {
    return z
      .string({ error: notTextOrRequired })
      .trim()
      .min(Math.max(1, options.min ?? 1), {
        error: (issue) => (issue.input === "" ? "validation.required" : "validation.too_short"),
      })
      .max(options.max, { error: "validation.too_long" });
  },
  /** An optional single string: missing or blank → `""`. */
  optionalText(options: { max: number }): z.ZodType<string> {
    return z
      .string({ error: "validation.not_text" })
      .trim()
      .max(options.max, { error: "validation.too_long" })
      .optional()
      .transform((value) => value ?? "");
  },
  /**
   * A secret typed by a person (password): NOT trimmed (REQ-040, no transformation), length-capped so
   * hashing cannot be used for DoS (REQ-051).
   */
  secret(options: { max: number }): z.ZodType<string> {
    return z
      .string({ error: notTextOrRequired })
      .min(1, { error: "validation.required" })
      .max(options.max, { error: "validation.too_long" });
  },
  /** A whole number typed in a form field (or a JSON number). */
  int(options: { min: number; max: number }): z.ZodType<number> {
    return z
      .union(
        [
          z
            .string()
            .trim()
            .regex(/^-?\d{1,9}$/),
          z.number().int(),
        ],
        { error: "validation.not_number" },
      )
      .transform((value) => (typeof value === "number" ? value : Number.parseInt(value, 10)))
      .pipe(
        z
          .number()
          .min(options.min, { error: "validation.too_small" })
          .max(options.max, { error: "validation.too_big" }),
      );
  },
  /** One of a fixed list of values. */
  choice<const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number]> {
    return z.enum(values, { error: "validation.invalid_choice" });
  },
  /** An HTML checkbox: present ("on"/"true"/"1") → true, absent → false. */
  checkbox(): z.ZodType<boolean> {
    return z
      .union([z.enum(["on", "true", "1", "false", "0"]), z.boolean()], { error: "validation.invalid" })
      .optional()
      .transform((value) => value === true || value === "on" || value === "true" || value === "1");
  },
  /**
   * A field that may legitimately repeat (a group of checkboxes, a multi-select): always an array of
   * strings, each trimmed and capped. Objects are still refused.
   */
  list(options: { max: number; maxItems: number }): z.ZodType<string[]> {
    const item = z.string({ error: "validation.not_text" }).trim().max(options.max, { error: "validation.too_long" });
    return z
      .union([item, z.array(item).max(options.maxItems, { error: "validation.too_long" })], {
        error: "validation.invalid",
      })
      .optional()
      .transform((value) =>
        (value === undefined ? [] : Array.isArray(value) ? value : [value]).filter((v) => v !== ""),
      );
  },
  /** An email address (trimmed, ≤ 254 characters). */
  email(): z.ZodType<string> {
    return z
      .string({ error: notTextOrRequired })
      .trim()
      .min(1, { error: "validation.required" })
      .max(254, { error: "validation.too_long" })
      .pipe(z.email({ error: "validation.email" }));
  },
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Turns zod issues into translated field issues. */
export function zodIssuesToFieldIssues(error: z.ZodError, input: unknown, locale: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ field: [...issue.path, key].join("."), message: t(locale, "validation.unknown_field") });
      }
      continue;
    }
    const fieldPath = issue.path.map(String).join(".");
    const raw = valueAt(input, issue.path);
    const params: Record<string, string | number> = {};
    if ("maximum" in issue && issue.maximum !== undefined) params["max"] = Number(issue.maximum);
    if ("minimum" in issue && issue.minimum !== undefined) params["min"] = Number(issue.minimum);
    let id: string;
    if (raw !== undefined && raw !== null && typeof raw === "object" && issue.code !== "custom") {
      // An array or object where one value belongs: say so plainly, whatever the schema expected.
      id = Array.isArray(raw) && issue.code === "too_big" ? "validation.too_long" : "validation.not_text";
    } else if (hasMessage(issue.message)) {
      id = issue.message;
    } else {
      id = "";
    }
    issues.push({ field: fieldPath, message: id === "" ? issue.message : t(locale, id, params) });
  }
  return issues;
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, locale: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AppError("VALIDATION_FAILED", { issues: zodIssuesToFieldIssues(result.error, input, locale) });
}

function plainObject(body: unknown): Record<string, unknown> {
  if (body === null || body === undefined) return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("VALIDATION_FAILED", { issues: [{ field: "", message: "Expected an object." }] });
  }
  return body as Record<string, unknown>;
}

/**
 * Parses an `application/x-www-form-urlencoded` body. The CSRF field is removed first; unknown fields are
 * dropped unless the schema is strict. Repeated keys arrive as arrays and are refused by string fields.
 */
export function parseForm<T>(schema: z.ZodType<T>, request: FastifyRequest): T {
  const body = plainObject(request.body);
  const input: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(body)) {
    if (!TRANSPORT_FIELDS.includes(key)) input[key] = value;
  }
  return parseWith(schema, input, request.locale);
}

/** Parses a JSON body (use `z.strictObject` so unknown fields — mass assignment, REQ-096 — give 400). */
export function parseJSON<T>(schema: z.ZodType<T>, request: FastifyRequest): T {
  return parseWith(schema, plainObject(request.body), request.locale);
}

/** Parses the query string with the same rules (filters, paging). */
export function parseQuery<T>(schema: z.ZodType<T>, request: FastifyRequest): T {
  return parseWith(schema, plainObject(request.query), request.locale);
}

/** Parses route parameters (ids): a bad id is a 404 NOT_FOUND rather than a 400, like an unknown one. */
export function parseParams<T>(schema: z.ZodType<T>, request: FastifyRequest): T {
  const result = schema.safeParse(request.params);
  if (result.success) return result.data;
  throw new AppError("NOT_FOUND");
}
