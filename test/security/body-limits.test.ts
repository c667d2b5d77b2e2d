/**
 * Threat: memory/CPU exhaustion and parser abuse with oversized or malformed bodies (REQ-113/115). Bodies
 * above `server.bodyLimitBytes` get 413 before any handler runs; bad JSON and prototype-poisoning keys get
 * 400; nothing is written.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

describe("body limits and malformed bodies", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ config: { server: { bodyLimitBytes: 4096 } } });
  });
  after(async () => t.close());

  test("an oversized form gets a 413 page with a support code", async () => {
    const client = createClient(t.app);
    const response = await client.postForm(
      "/admin/sign-in",
      { userName: "a".repeat(5000), password: "x" },
      { from: "/admin/sign-in" },
    );
    assert.equal(response.status, 413);
    assert.match(response.headers["content-type"] as string, /text\/html/);
    assert.match(response.body, /too large/);
    assert.ok(response.body.includes(String(response.headers["x-request-id"])));
  });

  test("an oversized JSON body gets a 413 JSON error and the policy is untouched", async () => {
    const { client } = await t.signInAdmin();
    const before = await t.registry.policy.current();
    const response = await client.json("PUT", "/api/v1/admin/policy", {
      policy: { ...before.policy, scopeGroups: Array.from({ length: 400 }, (_, i) => `group-${i}`) },
      expectedVersion: before.version,
    });
    assert.equal(response.status, 413);
    const body = response.json<{ error: { code: string; supportCode: string } }>();
    assert.equal(body.error.code, "BODY_TOO_LARGE");
    assert.equal(body.error.supportCode, response.headers["x-request-id"]);
    assert.equal((await t.registry.policy.current()).version, before.version);
  });

  test("malformed JSON and __proto__ keys get 400 without detail", async () => {
    const { client } = await t.signInAdmin({ userName: "admin2" });
    const broken = await client.request({
      method: "PUT",
      url: "/api/v1/admin/policy",
      payload: '{"policy": {',
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    assert.equal(broken.status, 400);
    assert.equal(broken.json<{ error: { code: string } }>().error.code, "BAD_REQUEST");
    assert.doesNotMatch(broken.body, /SyntaxError|at JSON|stack/);
    const poisoned = await client.request({
      method: "PUT",
      url: "/api/v1/admin/policy",
      payload: '{"__proto__": {"isAdmin": true}, "expectedVersion": 0}',
      headers: { "content-type": "application/json" },
    });
    assert.equal(poisoned.status, 400);
    assert.equal(({} as Record<string, unknown>)["isAdmin"], undefined);
  });
});
