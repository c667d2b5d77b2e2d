/**
 * Threat: clickjacking of the reset/admin pages, injected third-party script, cached pages with personal
 * data, and referrer leaks of token-bearing URLs (REQ-090, REQ-118). Every response carries a strict CSP with
 * `frame-ancestors 'none'`, `no-store`, `Referrer-Policy: no-referrer`; HSTS is sent when the portal is https.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildTestApp, type TestApp } from "../support/app.ts";

const PAGES = ["/", "/admin/sign-in", "/no-such-page", "/api/v1/no-such-endpoint"];

describe("security headers", () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  for (const url of PAGES) {
    test(`${url} has a strict CSP, anti-framing, no-store and no referrer`, async () => {
      const response = await t.app.inject({ method: "GET", url });
      const csp = String(response.headers["content-security-policy"]);
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
      ]) {
        assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
      }
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.equal(response.headers["x-frame-options"], "DENY");
      assert.equal(response.headers["x-content-type-options"], "nosniff");
      assert.equal(response.headers["referrer-policy"], "no-referrer");
      assert.equal(response.headers["cache-control"], "no-store");
      assert.match(
        String(response.headers["x-request-id"]),
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      assert.equal(response.headers["access-control-allow-origin"], undefined);
      // plain http (development): no HSTS, which browsers would ignore anyway
      assert.equal(response.headers["strict-transport-security"], undefined);
    });
  }

  test("pages contain no inline script or style (the CSP would block them)", async () => {
    for (const url of ["/", "/admin/sign-in", "/no-such-page"]) {
      const html = (await t.app.inject({ method: "GET", url })).body;
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${url} has an inline <script>`);
      assert.doesNotMatch(html, /\sstyle=|<style/i, `${url} has inline style`);
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${url} has an inline event handler`);
    }
  });

  test("a client-sent X-Request-Id is not trusted as the support code", async () => {
    const response = await t.app.inject({ method: "GET", url: "/", headers: { "x-request-id": "<script>" } });
    assert.notEqual(response.headers["x-request-id"], "<script>");
  });

  test("a cross-origin request gets no CORS grant", async () => {
    const response = await t.app.inject({
      method: "OPTIONS",
      url: "/api/v1/admin/policy",
      headers: { origin: "https://evil.test", "access-control-request-method": "PUT" },
    });
    assert.equal(response.headers["access-control-allow-origin"], undefined);
    assert.equal(response.headers["access-control-allow-credentials"], undefined);
  });
});

describe("security headers over https", () => {
  test("HSTS for at least a year and cookies with the __Host- prefix", async () => {
    const t = await buildTestApp({ config: { server: { publicUrl: "https://passwords.example.test" } } });
    try {
      const response = await t.app.inject({ method: "GET", url: "/" });
      const hsts = String(response.headers["strict-transport-security"]);
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
      assert.ok(maxAge >= 31_536_000, hsts);
      assert.match(String(response.headers["content-security-policy"]), /upgrade-insecure-requests/);
      const cookie = String(response.headers["set-cookie"]);
      assert.match(cookie, /^__Host-opensspr-csrf=/);
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; Path=\//);
    } finally {
      await t.close();
    }
  });
});
