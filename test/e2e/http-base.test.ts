/**
 * The HTTP base every page stands on: liveness/readiness/metrics, error pages and JSON errors with the
 * support code that finds the log line, language choice, the branded landing page.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BRANDING_SETTINGS_KEY } from "../../src/http/views/branding.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

describe("health, readiness and metrics", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test("/healthz answers 200 and /readyz reports the store and directory", async () => {
    assert.equal((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: "ready", checks: { store: "ok", directory: "ok" } });
  });

  test("/readyz is 503 when the directory is unhealthy, without leaking its detail", async () => {
    const directory = t.registry.directory;
    const original = directory.health;
    directory.health = async () => ({ ok: false, detail: "ldaps://dc01.corp.internal:636 connection refused" });
    try {
      const response = await t.app.inject({ method: "GET", url: "/readyz" });
      assert.equal(response.statusCode, 503);
      assert.deepEqual(response.json(), { status: "unavailable", checks: { store: "ok", directory: "fail" } });
      assert.doesNotMatch(response.body, /dc01/);
    } finally {
      directory.health = original;
    }
  });

  test("/metrics exposes request counts by route pattern and the outbox depth", async () => {
    await t.app.inject({ method: "GET", url: "/" });
    await t.app.inject({ method: "GET", url: "/admin/users/some-id" });
    const response = await t.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers["content-type"] as string, /^text\/plain/);
    assert.match(response.body, /http_requests_total\{method="GET",route="\/",status="200"\} \d+/);
    // the route pattern, never the raw URL with its ids
    assert.match(response.body, /route="\/admin\/users\/:id"/);
    assert.doesNotMatch(response.body, /some-id/);
    assert.match(response.body, /opensspr_outbox_messages\{status="queued"\} \d+/);
    assert.match(response.body, /process_resident_memory_bytes \d+/);
    assert.match(response.body, /http_request_duration_seconds_bucket\{method="GET",route="\/",le="0.005"\} \d+/);
  });
});

describe("errors and support codes", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ captureLogs: true });
  });
  after(async () => t.close());

  test("an unknown page is a 404 HTML page showing the support code", async () => {
    const response = await t.app.inject({ method: "GET", url: "/no/such/page" });
    assert.equal(response.statusCode, 404);
    assert.match(response.headers["content-type"] as string, /text\/html/);
    assert.match(response.body, /Page not found/);
    assert.ok(response.body.includes(String(response.headers["x-request-id"])));
  });

  test("the API and JSON clients get a JSON error with the same support code", async () => {
    const api = await t.app.inject({ method: "GET", url: "/api/v1/nothing" });
    assert.equal(api.statusCode, 404);
    assert.deepEqual(Object.keys(api.json().error).sort(), ["code", "message", "supportCode"]);
    assert.equal(api.json().error.supportCode, api.headers["x-request-id"]);
    const json = await t.app.inject({ method: "GET", url: "/nope", headers: { accept: "application/json" } });
    assert.equal(json.json().error.code, "NOT_FOUND");
  });

  test("an unexpected failure is a 500 without detail; the support code finds the log line with the cause", async () => {
    const { client } = await t.signInAdmin();
    const audit = t.registry.stores.audit;
    const original = audit.query;
    audit.query = async () => {
      throw new Error("database exploded near table audit_events");
    };
    try {
      const response = await client.get("/admin/audit");
      assert.equal(response.status, 500);
      assert.match(response.body, /Something went wrong on our side/);
      assert.doesNotMatch(response.body, /exploded|audit_events|at .*\.ts/);
      const supportCode = String(response.headers["x-request-id"]);
      assert.ok(response.body.includes(supportCode));
      const line = t.logs.find((l) => l.includes(supportCode) && l.includes("exploded"));
      assert.ok(line !== undefined, "the log line with the cause carries the support code");
      assert.equal(JSON.parse(line).reqId, supportCode);
    } finally {
      audit.query = original;
    }
  });

  test("every request log line carries the request id, and URLs are logged with secrets redacted", async () => {
    const response = await t.app.inject({ method: "GET", url: "/admin/setup?token=very-secret-setup-token" });
    const id = String(response.headers["x-request-id"]);
    const lines = t.logs.filter((l) => l.includes(id));
    assert.ok(lines.length > 0);
    for (const line of lines) assert.equal(JSON.parse(line).reqId, id);
    assert.ok(t.logs.every((l) => !l.includes("very-secret-setup-token")));
  });
});

describe("language and landing page", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test("?lang= wins and is remembered; Accept-Language is used otherwise", async () => {
    const client = createClient(t.app);
    const french = await client.get("/?lang=fr");
    assert.match(french.body, /<html lang="fr"/);
    assert.match(french.body, /Réinitialiser mon mot de passe/);
    const again = await client.get("/");
    assert.match(again.body, /<html lang="fr"/, "the choice sticks across pages");
    const german = await t.app.inject({ method: "GET", url: "/", headers: { "accept-language": "de-CH, en;q=0.5" } });
    assert.match(german.body, /<html lang="de"/);
    const unknown = await t.app.inject({ method: "GET", url: "/?lang=xx", headers: { "accept-language": "es" } });
    assert.match(unknown.body, /<html lang="en"/);
  });

  test("the landing page is branded and renders the admin's Markdown with HTML escaped", async () => {
    await t.registry.stores.settings.set(
      BRANDING_SETTINGS_KEY,
      {
        organisationName: "Contoso",
        primaryColor: "#aa0000",
        supportContact: "helpdesk@contoso.example",
        landingMarkdown: "## Welcome\n\nCall **the desk**.\n\n<script>alert(1)</script>\n\n[evil](javascript:alert(2))",
      },
      t.clock.now(),
    );
    const response = await t.app.inject({ method: "GET", url: "/" });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /<span class="brand__name">Contoso<\/span>/);
    assert.match(response.body, /<h2>Welcome<\/h2>/);
    assert.match(response.body, /<strong>the desk<\/strong>/);
    assert.match(response.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(response.body, /<script>alert|javascript:/);
    assert.match(response.body, /href="mailto:helpdesk@contoso.example"/);
    for (const href of ["/reset", "/register", "/change"]) assert.ok(response.body.includes(`href="${href}"`));
    const css = await t.app.inject({ method: "GET", url: "/assets/brand.css" });
    assert.match(css.body, /--brand:#aa0000/);
  });
});
