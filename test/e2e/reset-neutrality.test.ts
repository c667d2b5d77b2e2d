/**
 * Enumeration neutrality (SPEC §6, REQ-001/REQ-005): until a gate is passed, an unknown, disabled,
 * out-of-scope or unregistered identifier gets exactly what a real, eligible account gets — status, header
 * names, cookie names and attributes, and the body with the random ids normalised — over the pages and the
 * JSON API, step by step.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient, type HTTPResponse } from "../support/http-client.ts";
import { solveCaptcha, TEST_CAPTCHA_MAX } from "./reset-support.ts";

/** Replaces everything that is random per request or per flow by a placeholder. */
function normaliseBody(body: string): string {
  return (
    body
      .replace(/\/reset\/[0-9a-z]{20}/g, "/reset/<flow>")
      .replace(/data-flow="[0-9a-z]+"/g, 'data-flow="<flow>"')
      .replace(/"(flowId|token)":"[^"]+"/g, '"$1":"<id>"')
      .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="<csrf>"')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<request-id>")
      // Masked destination hints have the same shape but different letters (a•••@e•••.test vs k•••@s•••.com).
      .replace(/[^\s(>"]•••@[^\s]•••\.[a-z]+/g, "<masked>")
  );
}

/** Status, header names, cookie names + attributes, normalised body. */
function shape(response: HTTPResponse): unknown {
  const headers = Object.keys(response.headers)
    .filter((name) => name !== "date")
    .sort();
  const raw = response.headers["set-cookie"];
  const cookies = (Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)])
    .map((cookie) => cookie.replace(/^([^=]+)=[^;]*/, "$1=<value>"))
    .sort();
  return {
    status: response.status,
    headers,
    contentType: response.headers["content-type"],
    location: response.location?.replace(/[0-9a-z]{20}/, "<flow>") ?? null,
    cookies,
    body: normaliseBody(response.body),
  };
}

describe("unknown, disabled, out-of-scope and unregistered accounts look like a real one", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({
      config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
      policy: { enabled: "selected", scopeGroups: ["sspr-users"], methods: ["email-code", "totp"], methodsRequired: 1 },
    });
    await t.createUser({ userName: "real", email: "real@example.test", groups: ["sspr-users"] });
    await t.createUser({
      userName: "disabled",
      email: "disabled@example.test",
      groups: ["sspr-users"],
      enabled: false,
    });
    await t.createUser({ userName: "outsider", email: "outsider@example.test" });
    await t.createUser({ userName: "unregistered", email: null, groups: ["sspr-users"] });
  });
  after(async () => {
    await t.close();
  });

  /** Walks identify → path → method → send (wrong address) → verify (wrong code) over the pages. */
  async function walkPages(identifier: string): Promise<unknown[]> {
    const browser = createClient(t.app);
    await browser.get("/reset");
    const altcha = await solveCaptcha(browser);
    const identify = await browser.postForm("/reset", { identifier, altcha }, { follow: false });
    const flowPath = identify.location ?? "";
    const steps: HTTPResponse[] = [identify, await browser.get(flowPath)];
    steps.push(await browser.postForm(`${flowPath}/path`, { path: "reset" }));
    steps.push(await browser.postForm(`${flowPath}/method`, { method: "email-code" }));
    steps.push(await browser.postForm(`${flowPath}/send`, { email: "someone@example.test" }));
    steps.push(await browser.postForm(`${flowPath}/verify`, { code: "12345678" }));
    steps.push(await browser.postForm(`${flowPath}/method`, { method: "totp" }));
    steps.push(await browser.postForm(`${flowPath}/verify`, { code: "123456" }));
    return steps.map(shape);
  }

  async function walkAPI(identifier: string): Promise<unknown[]> {
    const api = createClient(t.app);
    const captcha = await solveCaptcha(api);
    const identify = await api.json("POST", "/api/v1/reset", { identifier, captcha });
    const { flowId, token } = identify.json<{ flowId: string; token: string }>();
    const headers = { "x-flow-token": token };
    const steps: HTTPResponse[] = [identify];
    steps.push(await api.json("GET", `/api/v1/reset/${flowId}`, undefined, { headers }));
    steps.push(await api.json("POST", `/api/v1/reset/${flowId}/path`, { path: "reset" }, { headers }));
    steps.push(await api.json("POST", `/api/v1/reset/${flowId}/method`, { method: "email-code" }, { headers }));
    steps.push(await api.json("POST", `/api/v1/reset/${flowId}/send`, { email: "someone@example.test" }, { headers }));
    steps.push(await api.json("POST", `/api/v1/reset/${flowId}/verify`, { code: "12345678" }, { headers }));
    return steps.map((r) => {
      const s = shape(r) as { body: string };
      // expiresAt differs by the time each flow was created only when the clock moves; it does not here.
      return s;
    });
  }

  for (const other of ["nobody-7f3a", "disabled", "outsider", "unregistered"]) {
    test(`pages: "${other}" gets the same responses as a real account, step by step`, async () => {
      const real = await walkPages("real");
      const fake = await walkPages(other);
      assert.equal(fake.length, real.length);
      for (let i = 0; i < real.length; i++) assert.deepEqual(fake[i], real[i], `step ${i} differs for ${other}`);
    });

    test(`API: "${other}" gets the same responses as a real account, step by step`, async () => {
      const real = await walkAPI("real");
      const fake = await walkAPI(other);
      for (let i = 0; i < real.length; i++) assert.deepEqual(fake[i], real[i], `API step ${i} differs for ${other}`);
    });
  }

  test("the true reason is in the audit log", async () => {
    const { rows } = await t.registry.stores.audit.query({ offset: 0, limit: 500 });
    const reasons = new Set(rows.filter((r) => r.outcome === "failure").map((r) => r.reason));
    assert.ok(reasons.has("No account matches the submitted user ID"));
    assert.ok(reasons.has("The account is disabled"));
    assert.ok([...reasons].some((r) => r.startsWith("This user is not a member of the password reset users group")));
    assert.ok([...reasons].some((r) => r.startsWith("User's account has insufficient authentication methods")));
  });

  test("no mail reaches anyone but the real account's stored address", async () => {
    const mail = await t.mailbox();
    assert.deepEqual(
      mail.filter((m) => m.recipient !== "real@example.test").map((m) => m.recipient),
      [],
    );
  });
});
