/**
 * Threat: guessing the 8-digit emailed code. Without a cap, 10^8 codes fall to enough requests spread over
 * the flow's life. A code allows 5 guesses (REQ-015); after that even the right code fails and the flow is
 * dead; guesses sent in parallel cannot get past the cap (REQ-034).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { flowOf, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp, type TestApp } from "../support/app.ts";
import { createClient } from "../support/http-client.ts";

async function setup(): Promise<{
  t: TestApp;
  api: ReturnType<typeof createClient>;
  flow: { flowId: string; token: string };
  code: string;
}> {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  await t.createUser({ userName: "uma" });
  const api = createClient(t.app);
  const flow = await startAPI(api, "uma");
  await step(api, flow, "path", { path: "reset" });
  await step(api, flow, "method", { method: "email-code" });
  await step(api, flow, "send", { email: "uma@example.test" });
  const code = await t.lastCode("uma@example.test");
  assert.ok(code !== null);
  return { t, api, flow, code };
}

test("after 5 wrong codes the right code is refused and the flow is over", async () => {
  const { t, api, flow, code } = await setup();
  try {
    const wrong = code === "00000000" ? "11111111" : "00000000";
    for (let i = 1; i <= 4; i++) {
      const response = flowOf(await step(api, flow, "verify", { code: wrong }));
      assert.equal(response.state, "in_challenge");
      assert.equal(response.attemptsLeft, 5 - i);
    }
    const fifth = flowOf(await step(api, flow, "verify", { code: wrong }));
    assert.equal(fifth.state, "failed");
    const right = await step(api, flow, "verify", { code });
    assert.equal(right.status, 409);
    assert.equal(
      (await step(api, flow, "password", { password: "Quiet-Meadow-Lamp-23", confirm: "Quiet-Meadow-Lamp-23" })).status,
      409,
    );
  } finally {
    await t.close();
  }
});

test("50 parallel wrong guesses count at most 5 attempts; the right code fails afterwards", async () => {
  const { t, api, flow, code } = await setup();
  try {
    const wrong = code === "00000000" ? "11111111" : "00000000";
    await Promise.all(Array.from({ length: 50 }, () => step(api, flow, "verify", { code: wrong })));
    const right = await step(api, flow, "verify", { code });
    assert.notEqual(right.status, 200);
    const view = await api.json("GET", `/api/v1/reset/${flow.flowId}`, undefined, {
      headers: { "x-flow-token": flow.token },
    });
    assert.notEqual(flowOf(view).state, "awaiting_new_password");
  } finally {
    await t.close();
  }
});
