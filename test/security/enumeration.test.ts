/**
 * Threat: account enumeration through the reset flow (REQ-001..004). An attacker learns which user names
 * exist — or which accounts are blocked — from differences in status, body, cookies, or from throttling.
 * A blocked account must answer exactly like an unknown one, and a broken mail server must not change a
 * single byte of any response.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { solveCaptcha, startAPI, step, TEST_CAPTCHA_MAX } from "../e2e/reset-support.ts";
import { buildTestApp } from "../support/app.ts";
import { createClient, type HTTPResponse } from "../support/http-client.ts";

function normalised(response: HTTPResponse): { status: number; body: string; cookies: number } {
  return {
    status: response.status,
    body: response.body
      .replace(/"(flowId|token)":"[^"]+"/g, '"$1":"<id>"')
      .replace(/[^\s(>"]•••@[^\s]•••\.[a-z]+/g, "<masked>"),
    cookies: Array.isArray(response.headers["set-cookie"])
      ? response.headers["set-cookie"].length
      : response.headers["set-cookie"]
        ? 1
        : 0,
  };
}

async function walk(
  api: ReturnType<typeof createClient>,
  identifier: string,
): Promise<ReturnType<typeof normalised>[]> {
  const captcha = await solveCaptcha(api);
  const identify = await api.json("POST", "/api/v1/reset", { identifier, captcha });
  const flow = identify.json<{ flowId: string; token: string }>();
  return [
    normalised(identify),
    normalised(await step(api, flow, "path", { path: "reset" })),
    normalised(await step(api, flow, "method", { method: "email-code" })),
    normalised(await step(api, flow, "send", { email: `${identifier}@example.test` })),
    normalised(await step(api, flow, "verify", { code: "00000000" })),
  ];
}

test("a blocked account answers exactly like an unknown one (REQ-004), and gets no code", async () => {
  const t = await buildTestApp({
    config: { security: { captchaMaxNumber: TEST_CAPTCHA_MAX } },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    await t.createUser({ userName: "sam" });
    const api = createClient(t.app);
    for (let i = 0; i < 6; i++) await startAPI(api, "sam"); // the 6th trips THR-05
    const mailsBefore = (await t.mailbox("sam@example.test")).length;
    const blocked = await walk(api, "sam");
    const unknown = await walk(api, "nobody-0421");
    assert.deepEqual(blocked, unknown);
    assert.equal((await t.mailbox("sam@example.test")).length, mailsBefore);
  } finally {
    await t.close();
  }
});

test("a mail server that is down changes nothing in the responses (REQ-003)", async () => {
  const t = await buildTestApp({
    config: {
      // Nothing listens on port 9: every delivery fails, in the worker, off the request path.
      mail: { transport: "smtp", smtp: { host: "127.0.0.1", port: 9, timeoutMs: 500 } },
      security: { captchaMaxNumber: TEST_CAPTCHA_MAX },
    },
    policy: { enabled: "all", methods: ["email-code", "totp"] },
  });
  try {
    await t.createUser({ userName: "tom" });
    const api = createClient(t.app);
    const real = await walk(api, "tom");
    const unknown = await walk(api, "nobody-9933");
    assert.deepEqual(real, unknown);
    await t.registry.outboxWorker.drain();
    for (const step of real) assert.doesNotMatch(step.body, /ECONNREFUSED|SMTP|stack/i);
  } finally {
    await t.close();
  }
});
