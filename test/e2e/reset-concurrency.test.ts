/**
 * Concurrent submissions (REQ-012, REQ-034): the same code posted 2–10 times at once passes the gate exactly
 * once; two password submissions at once write the directory exactly once.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";
import { flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "./reset-support.ts";

const NEW_PASSWORD = "Copper-Tulip-Railway-64";

for (const parallel of [2, 5, 10]) {
  test(`${parallel} simultaneous submissions of one code: exactly one passes the gate`, async () => {
    const t = await buildTestApp({
      config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
      policy: { enabled: "all", methods: ["email-code", "totp"], methodsRequired: 1 },
    });
    try {
      await t.createUser({ userName: "race" });
      const api = createClient(t.app);
      const flow = await startAPI(api, "race");
      await step(api, flow, "path", { path: "reset" });
      await step(api, flow, "method", { method: "email-code" });
      await step(api, flow, "send", { email: "race@example.test" });
      const code = await t.lastCode("race@example.test");
      assert.ok(code !== null);
      const responses = await Promise.all(Array.from({ length: parallel }, () => step(api, flow, "verify", { code })));
      // Each response shows the flow after its own request; exactly one of them moved it past the gate.
      const passedHere = responses.filter((r) => r.status === 200 && flowOf(r).state === "awaiting_new_password");
      const rejected = responses.filter((r) => r.status !== 200 || flowOf(r).state !== "awaiting_new_password");
      assert.ok(passedHere.length >= 1);
      const audit = await t.registry.stores.audit.query({
        activity: "Self-service password reset flow activity progress",
        offset: 0,
        limit: 200,
      });
      const completions = audit.rows.filter((r) => r.reason === "User completed the email verification");
      assert.equal(completions.length, 1, `completions: ${completions.length}`);
      assert.equal(passedHere.length + rejected.length, parallel);

      // Two password submissions at once: one claims the write, the other is refused.
      const writes = await Promise.all([
        step(api, flow, "password", { password: NEW_PASSWORD, confirm: NEW_PASSWORD }),
        step(api, flow, "password", { password: `${NEW_PASSWORD}x`, confirm: `${NEW_PASSWORD}x` }),
      ]);
      const statuses = writes.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 409]);
      const resets = await t.registry.stores.audit.query({
        activity: "Reset password (self-service)",
        offset: 0,
        limit: 10,
      });
      assert.equal(resets.rows.length, 1);
    } finally {
      await t.close();
    }
  });
}
