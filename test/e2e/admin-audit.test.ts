/**
 * Audit log, outbox and settings pages: allow-listed filters with paging, CSV/JSON export of exactly the
 * filtered events, the development mailbox, and the branding that the landing page shows.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import type { HTTPClient } from "../support/http-client.ts";

describe("audit log", () => {
  let t: TestApp;
  let client: HTTPClient;
  before(async () => {
    t = await buildTestApp();
    client = (await t.signInAdmin()).client;
    for (let i = 0; i < 3; i++) {
      await t.registry.audit.record({
        activity: "resetSelfService",
        outcome: i === 0 ? "failure" : "success",
        reason: `=HYPERLINK("evil") ${i}`,
        actor: { id: `u${i}`, name: `person${i}` },
        target: { id: `u${i}`, name: `person${i}` },
        ctx: { ip: "192.0.2.1", userAgent: "x", requestId: `corr-${i}`, locale: "en" },
      });
    }
  });
  after(async () => t.close());

  test("filters by activity, outcome, user and correlation id", async () => {
    const all = await client.get("/admin/audit?activity=Reset+password+(self-service)");
    assert.equal(all.status, 200);
    assert.match(all.body, /Events found: 3\b/);
    const failures = await client.get("/admin/audit?activity=Reset+password+(self-service)&outcome=failure");
    assert.match(failures.body, /Events found: 1\b/);
    const byUser = await client.get("/admin/audit?user=u2");
    assert.match(byUser.body, /Events found: 1\b/);
    const byCorrelation = await client.get("/admin/audit?correlationId=corr-1");
    assert.match(byCorrelation.body, /Events found: 1\b/);
    const api = await client.json(
      "GET",
      "/api/v1/admin/audit?outcome=success&activity=Reset%20password%20(self-service)",
    );
    assert.equal(api.json<{ total: number }>().total, 2);
  });

  test("unknown filters, bad dates and unknown activities are 400", async () => {
    assert.equal((await client.get("/admin/audit?sort=hash")).status, 400);
    assert.equal((await client.get("/admin/audit?from=yesterday")).status, 400);
    assert.equal((await client.get("/admin/audit?activity=Drop+tables")).status, 400);
    assert.equal((await client.get("/admin/audit?user=a&user=b")).status, 400);
    assert.equal((await client.json("GET", "/api/v1/admin/audit?outcome=maybe")).status, 400);
  });

  test("CSV export contains exactly the filtered events, safe for spreadsheets", async () => {
    const csv = await client.get("/admin/audit/export?format=csv&activity=Reset+password+(self-service)");
    assert.equal(csv.status, 200);
    assert.match(csv.headers["content-type"] as string, /^text\/csv/);
    assert.match(
      String(csv.headers["content-disposition"]),
      /attachment; filename="opensspr-audit-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const lines = csv.body.trim().split("\r\n");
    assert.equal(lines.length, 4);
    assert.ok(lines[0]?.startsWith("id,at,activity"));
    assert.ok(lines.slice(1).every((line) => line.includes(`"'=HYPERLINK(""evil"")`)));
    const jsonl = await client.get(
      "/admin/audit/export?format=jsonl&outcome=failure&activity=Reset+password+(self-service)",
    );
    const records = jsonl.body
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(records.length, 1);
    assert.equal(records[0].outcome, "failure");
  });
});

describe("outbox and settings", () => {
  let t: TestApp;
  let client: HTTPClient;
  before(async () => {
    t = await buildTestApp();
    client = (await t.signInAdmin()).client;
  });
  after(async () => t.close());

  test("the outbox page shows queue counts and the development mailbox", async () => {
    await t.registry.notifier.enqueue({
      channel: "email",
      recipient: "someone@example.test",
      template: "email-verification-code",
      params: { code: "12345678", ttlMinutes: "5" },
      locale: "en",
    });
    const queued = await client.get("/admin/outbox");
    assert.equal(queued.status, 200);
    assert.doesNotMatch(queued.body, /12345678/, "a queued body is never shown");
    const delivered = await t.mailbox("someone@example.test");
    assert.equal(delivered.length, 1);
    const page = await client.get("/admin/outbox?recipient=someone@example.test");
    assert.match(page.body, /someone@example.test/);
    const id = delivered[0]?.id ?? "";
    const message = await client.get(`/admin/outbox/${id}`);
    assert.equal(message.status, 200);
    assert.match(message.body, /12345678/);
    assert.equal((await client.get("/admin/outbox/nope")).status, 404);
  });

  test("branding is validated, audited and shown on the landing page", async () => {
    const bad = await client.postForm(
      "/admin/settings/branding",
      {
        organisationName: "Contoso",
        primaryColor: "red;}body{display:none",
        supportContact: "javascript:alert(1)",
        landingMarkdown: "",
      },
      { from: "/admin/settings" },
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body, /href="#f-primaryColor"/);
    assert.match(bad.body, /href="#f-supportContact"/);
    assert.equal(await t.registry.stores.settings.get("branding"), null);
    const good = await client.postForm(
      "/admin/settings/branding",
      {
        organisationName: "Contoso",
        primaryColor: "#107C10",
        supportContact: "https://help.contoso.example",
        landingMarkdown: "**Hello** staff",
      },
      { from: "/admin/settings" },
    );
    assert.equal(good.status, 200);
    assert.match(good.body, /The branding was saved/);
    const landing = await t.app.inject({ method: "GET", url: "/" });
    assert.match(landing.body, /Contoso/);
    assert.match(landing.body, /<strong>Hello<\/strong> staff/);
    const { rows } = await t.registry.stores.audit.query({ activity: "Update portal branding", offset: 0, limit: 5 });
    assert.equal(rows.length, 1);
  });
});
