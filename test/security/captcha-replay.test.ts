/**
 * Threat: reusing or forging the proof-of-work CAPTCHA (REQ-036, THR-13). One solved challenge must buy
 * exactly one identify; an expired, tampered or missing solution buys none.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { solveCaptcha, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

test("a solved challenge works once; expired, tampered and missing ones never", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    const api = createClient(t.app);
    const captcha = await solveCaptcha(api);
    assert.equal((await api.json("POST", "/api/v1/reset", { identifier: "anyone", captcha })).status, 201);
    const replay = await api.json("POST", "/api/v1/reset", { identifier: "anyone", captcha });
    assert.equal(replay.status, 400);
    assert.ok(
      replay.json<{ error: { issues: { field: string }[] } }>().error.issues.some((i) => i.field === "captcha"),
    );

    // Tampered: the number changed (the hash no longer matches) or the signature forged.
    const fresh = JSON.parse(Buffer.from(await solveCaptcha(api), "base64").toString("utf8")) as Record<
      string,
      unknown
    >;
    const wrongNumber = Buffer.from(JSON.stringify({ ...fresh, number: Number(fresh.number) + 1 })).toString("base64");
    assert.equal((await api.json("POST", "/api/v1/reset", { identifier: "anyone", captcha: wrongNumber })).status, 400);
    const forged = Buffer.from(JSON.stringify({ ...fresh, signature: "0".repeat(64) })).toString("base64");
    assert.equal((await api.json("POST", "/api/v1/reset", { identifier: "anyone", captcha: forged })).status, 400);
    assert.equal(
      (await api.json("POST", "/api/v1/reset", { identifier: "anyone", captcha: "not-base64-json" })).status,
      400,
    );
    assert.equal((await api.json("POST", "/api/v1/reset", { identifier: "anyone" })).status, 400);

    // Expired: solved, then submitted 10 minutes later.
    const late = await solveCaptcha(api);
    t.clock.advance(10 * 60_000);
    assert.equal((await api.json("POST", "/api/v1/reset", { identifier: "anyone", captcha: late })).status, 400);

    // The page form without the widget's field is refused the same way, with the support code.
    const browser = createClient(t.app);
    await browser.get("/reset");
    const page = await browser.postForm("/reset", { identifier: "anyone" });
    assert.equal(page.status, 400);
    assert.match(page.body, /not a robot/);
    assert.match(page.body, /support-code__value/);
  } finally {
    await t.close();
  }
});
