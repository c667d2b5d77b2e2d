/**
 * The policy page and `GET/PUT /api/v1/admin/policy`: a valid change is saved as a new version and audited
 * with old and new values ("Self-service password reset policy changes"); an invalid one names the field and
 * the rule and saves nothing; a stale version is a 409; malformed input is a 400.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_POLICY } from "../../src/policy/policy.types.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import type { HTTPClient } from "../support/http-client.ts";

function policyForm(
  version: number,
  overrides: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  return {
    expectedVersion: String(version),
    enabled: "all",
    scopeGroups: "",
    methodsRequired: "1",
    methods: ["email-code", "totp"],
    "securityQuestions.toRegister": "3",
    "securityQuestions.toReset": "3",
    "securityQuestions.predefined": Array.from({ length: 35 }, (_, i) => String(i + 1)),
    "registration.reconfirmDays": "180",
    "notifications.userOnReset": "on",
    "notifications.adminsOnAdminReset": "on",
    "helpdesk.contact": "",
    "helpdesk.mode": "assist",
    "writeback.enabled": "on",
    "writeback.allowUnlockWithoutReset": "on",
    "administrators.enabled": "on",
    "administrators.methods": ["email-code", "totp", "sms-code", "passkey"],
    "passwords.minLength": "8",
    "passwords.maxLength": "256",
    "passwords.requiredClasses": "0",
    "passwords.historyCount": "5",
    "passwords.customBanned": "",
    "passwords.enforceCustomBanned": "on",
    "passwords.organisationName": "",
    ...overrides,
  };
}

describe("policy page", () => {
  let t: TestApp;
  let client: HTTPClient;
  before(async () => {
    t = await buildTestApp();
    client = (await t.signInAdmin()).client;
  });
  after(async () => t.close());

  test("shows every field of the current policy", async () => {
    const page = await client.get("/admin/policy");
    assert.equal(page.status, 200);
    for (const name of [
      "enabled",
      "scopeGroups",
      "methodsRequired",
      "methods",
      "securityQuestions.toRegister",
      "securityQuestions.toReset",
      "securityQuestions.predefined",
      "securityQuestions.custom",
      "securityQuestions.caseSensitive",
      "registration.required",
      "registration.reconfirmDays",
      "notifications.userOnReset",
      "notifications.adminsOnAdminReset",
      "helpdesk.contact",
      "helpdesk.mode",
      "writeback.enabled",
      "writeback.allowUnlockWithoutReset",
      "administrators.enabled",
      "administrators.methods",
      "passwords.minLength",
      "passwords.maxLength",
      "passwords.requiredClasses",
      "passwords.historyCount",
      "passwords.customBanned",
      "passwords.enforceCustomBanned",
      "passwords.organisationName",
    ]) {
      assert.ok(page.body.includes(`name="${name}"`), `field ${name} missing`);
    }
    // every input has a label
    const ids = [...page.body.matchAll(/<input id="([^"]+)"/g)].map((m) => m[1]);
    for (const id of ids) assert.ok(page.body.includes(`for="${id}"`), `no label for ${id}`);
  });

  test("saving a change creates a version, audits old and new values, and lists it in the history", async () => {
    const before = await t.registry.policy.current();
    const response = await client.postForm(
      "/admin/policy",
      policyForm(before.version, {
        enabled: "selected",
        scopeGroups: "pilot-users\nhelpdesk",
        "registration.required": "on",
      }),
      { from: "/admin/policy" },
    );
    assert.equal(response.status, 200);
    assert.equal(response.redirects[0]?.location, "/admin/policy?saved=1");
    assert.match(response.body, /The policy was saved/);
    const after = await t.registry.policy.current();
    assert.equal(after.version, before.version + 1);
    assert.equal(after.policy.enabled, "selected");
    assert.deepEqual(after.policy.scopeGroups, ["pilot-users", "helpdesk"]);
    assert.equal(after.policy.registration.required, true);
    const { rows } = await t.registry.stores.audit.query({
      activity: "Self-service password reset policy changes",
      offset: 0,
      limit: 5,
    });
    const row = rows.find((r) => r.details["version"] === after.version);
    assert.ok(row !== undefined);
    assert.equal(row.actorName, "admin");
    const changes = row.details["changes"] as { property: string; oldValue: unknown; newValue: unknown }[];
    assert.deepEqual(
      changes.find((c) => c.property === "enabled"),
      { property: "enabled", oldValue: before.policy.enabled, newValue: "selected" },
    );
    assert.ok(row.correlationId !== null && response.redirects.length === 1);
    assert.match(response.body, /<code>enabled<\/code>: <del>none<\/del> → <ins>selected<\/ins>/);
  });

  test("an invalid policy names the field and rule next to it and saves nothing (422)", async () => {
    const before = await t.registry.policy.current();
    const response = await client.postForm(
      "/admin/policy",
      policyForm(before.version, { methods: ["security-questions"], "securityQuestions.toReset": "9" }),
      { from: "/admin/policy" },
    );
    assert.equal(response.status, 422);
    assert.match(response.body, /The policy was not saved/);
    assert.match(response.body, /<span class="rule-id">POL-05<\/span>/);
    assert.match(response.body, /href="#f-securityQuestions-toReset"/);
    assert.match(
      response.body,
      /aria-invalid="true"[^>]*aria-describedby="f-securityQuestions-toReset-hint f-securityQuestions-toReset-error"|id="f-securityQuestions-toReset-error"/,
    );
    // the submitted values are shown again, not the saved ones
    assert.match(
      response.body,
      /name="securityQuestions.toReset"[^>]*value="9"|value="9"[^>]*name="securityQuestions.toReset"/,
    );
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("non-numbers in number fields are refused by the validator with the field named", async () => {
    const before = await t.registry.policy.current();
    const response = await client.postForm(
      "/admin/policy",
      policyForm(before.version, { "registration.reconfirmDays": "soon" }),
      {
        from: "/admin/policy",
      },
    );
    assert.equal(response.status, 422);
    assert.match(response.body, /href="#f-registration-reconfirmDays"/);
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("a repeated key where one value belongs is a 400, and a stale version is a 409", async () => {
    const before = await t.registry.policy.current();
    const repeated = await client.postForm("/admin/policy", policyForm(before.version, { enabled: ["all", "none"] }), {
      from: "/admin/policy",
    });
    assert.equal(repeated.status, 400);
    const stale = await client.postForm("/admin/policy", policyForm(before.version - 1), { from: "/admin/policy" });
    assert.equal(stale.status, 409);
    assert.match(stale.body, /Someone else saved a newer version/);
    assert.equal((await t.registry.policy.current()).version, before.version);
  });
});

describe("policy API", () => {
  let t: TestApp;
  let client: HTTPClient;
  before(async () => {
    t = await buildTestApp();
    client = (await t.signInAdmin()).client;
  });
  after(async () => t.close());

  test("GET returns the current version; PUT saves the whole document and audits it", async () => {
    const current = await client.json("GET", "/api/v1/admin/policy");
    assert.equal(current.status, 200);
    const body = current.json<{ version: number; policy: typeof DEFAULT_POLICY }>();
    assert.equal(body.version, 0);
    assert.deepEqual(body.policy, DEFAULT_POLICY);
    const next = { ...body.policy, enabled: "all", registration: { required: true, reconfirmDays: 90 } };
    const saved = await client.json("PUT", "/api/v1/admin/policy", { policy: next, expectedVersion: 0 });
    assert.equal(saved.status, 200);
    assert.equal(saved.json<{ version: number }>().version, 1);
    const history = await client.json("GET", "/api/v1/admin/policy/history");
    const versions = history.json<{ versions: { version: { version: number }; changes: { property: string }[] }[] }>()
      .versions;
    assert.deepEqual(
      versions[0]?.changes.map((c) => c.property),
      ["enabled", "registration.reconfirmDays", "registration.required"],
    );
  });

  test("an invalid document is a 422 with field issues and rule ids; nothing saved", async () => {
    const before = await t.registry.policy.current();
    const response = await client.json("PUT", "/api/v1/admin/policy", {
      policy: { ...before.policy, securityQuestions: { ...before.policy.securityQuestions, toRegister: 1 } },
      expectedVersion: before.version,
    });
    assert.equal(response.status, 422);
    const error = response.json<{ error: { code: string; issues: { field: string; rule?: string }[] } }>().error;
    assert.equal(error.code, "POLICY_INVALID");
    assert.ok(error.issues.some((i) => i.field === "securityQuestions.toRegister" && i.rule === "POL-04"));
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("a stale expectedVersion is a 409 VERSION_CONFLICT", async () => {
    const before = await t.registry.policy.current();
    const response = await client.json("PUT", "/api/v1/admin/policy", {
      policy: before.policy,
      expectedVersion: before.version + 5,
    });
    assert.equal(response.status, 409);
    assert.equal(response.json<{ error: { code: string } }>().error.code, "VERSION_CONFLICT");
  });

  test("malformed bodies are 400 with the field named, never saved", async () => {
    const before = await t.registry.policy.current();
    const cases: [unknown, string][] = [
      [{ policy: before.policy }, "expectedVersion"],
      [{ policy: before.policy, expectedVersion: "1" }, "expectedVersion"],
      [{ policy: [before.policy], expectedVersion: before.version }, "policy"],
      [{ policy: before.policy, expectedVersion: before.version, isAdmin: true }, "isAdmin"],
      [[], ""],
    ];
    for (const [body, field] of cases) {
      const response = await client.json("PUT", "/api/v1/admin/policy", body);
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
      const error = response.json<{ error: { code: string; issues: { field: string }[] } }>().error;
      assert.equal(error.code, "VALIDATION_FAILED");
      assert.ok(
        error.issues.some((i) => i.field === field),
        `${field} named`,
      );
    }
    assert.equal((await t.registry.policy.current()).version, before.version);
  });
});
