import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import { field, parseForm, parseJSON } from "./parse.ts";

/**
 * Threat: identifiers arriving as arrays or operator objects (`a=1&a=2`, `{"$ne":null}`) that a lenient
 * parser passes on to a lookup (REQ-113/114).
 */
function fakeRequest(body: unknown, locale = "en"): FastifyRequest {
  return { body, locale, query: {} } as unknown as FastifyRequest;
}

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "VALIDATION_FAILED");
    assert.equal(error.status, 400);
    return error.issues;
  }
  assert.fail("expected VALIDATION_FAILED");
}

const schema = z.object({ identifier: field.text({ max: 20 }), note: field.optionalText({ max: 5 }) });

describe("parseForm", () => {
  test("trims strings, drops the CSRF field and fills optional blanks", () => {
    const value = parseForm(schema, fakeRequest({ identifier: "  alice ", _csrf: "x" }));
    assert.deepEqual(value, { identifier: "alice", note: "" });
  });

  test("refuses a repeated key (array) where one string belongs, naming the field", () => {
    const issues = issuesOf(() => parseForm(schema, fakeRequest({ identifier: ["alice", "bob"] })));
    assert.deepEqual(issues, [{ field: "identifier", message: "This field must be a single text value." }]);
  });

  test("reports missing, blank and too long values in the request's language", () => {
    assert.equal(issuesOf(() => parseForm(schema, fakeRequest({})))[0]?.message, "This field is required.");
    assert.equal(
      issuesOf(() => parseForm(schema, fakeRequest({ identifier: "   " })))[0]?.message,
      "This field is required.",
    );
    const issues = issuesOf(() => parseForm(schema, fakeRequest({ identifier: "a", note: "toolong" }, "fr")));
    assert.deepEqual(issues, [{ field: "note", message: "C'est trop long (au plus 5 caractères)." }]);
  });

  test("field.list accepts one or many values; field.int and field.checkbox parse form strings", () => {
    const s = z.object({
      methods: field.list({ max: 30, maxItems: 5 }),
      n: field.int({ min: 1, max: 5 }),
      on: field.checkbox(),
    });
    assert.deepEqual(parseForm(s, fakeRequest({ methods: "totp", n: "3", on: "on" })), {
      methods: ["totp"],
      n: 3,
      on: true,
    });
    assert.deepEqual(parseForm(s, fakeRequest({ methods: ["a", "b"], n: "5" })), {
      methods: ["a", "b"],
      n: 5,
      on: false,
    });
    assert.equal(issuesOf(() => parseForm(s, fakeRequest({ n: "9" })))[0]?.message, "Enter a number of at most 5.");
    assert.equal(issuesOf(() => parseForm(s, fakeRequest({ n: "x" })))[0]?.field, "n");
  });
});

describe("parseJSON", () => {
  test("refuses operator objects and unknown fields (strict schemas)", () => {
    const strict = z.strictObject({ token: field.text({ max: 100 }) });
    const operator = issuesOf(() => parseJSON(strict, fakeRequest({ token: { $ne: null } })));
    assert.deepEqual(operator, [{ field: "token", message: "This field must be a single text value." }]);
    const extra = issuesOf(() => parseJSON(strict, fakeRequest({ token: "abc", isAdmin: true })));
    assert.deepEqual(extra, [{ field: "isAdmin", message: "This field is not accepted." }]);
  });

  test("refuses a body that is not an object", () => {
    assert.equal(issuesOf(() => parseJSON(schema, fakeRequest(["x"]))).length, 1);
  });
});
