/**
 * The SMTP channel turns an unreachable server into a retryable failure whose description names the
 * problem but never the SMTP password (lastError is shown in the admin outbox view).
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { configSchema } from "../../src/config/schema.ts";
import { createSMTPChannel, describeSMTPError } from "../../src/notify/channels/smtp.channel.ts";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("smtp channel", () => {
  test("a refused connection is a retryable failure without secrets", async () => {
    const port = await closedPort();
    const config = configSchema.parse({
      mail: {
        transport: "smtp",
        smtp: { host: "127.0.0.1", port, user: "mailer", password: "sUp3r-s3cret-pw", timeoutMs: 2000 },
      },
    });
    const channel = createSMTPChannel({ config });
    const result = await channel.send({
      id: "m1",
      channel: "email",
      recipient: "alice@corp.example",
      subject: "code",
      body: "your code is 12345678",
      html: null,
    });
    await channel.close?.();
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.retryable, true);
    assert.match(result.error, /ECONNREFUSED|ECONNECTION/);
    assert.ok(!result.error.includes("sUp3r-s3cret-pw"));
    assert.ok(!result.error.includes("12345678"));
  });

  test("error descriptions drop configured secrets and line breaks", () => {
    const text = describeSMTPError(
      {
        code: "EAUTH",
        responseCode: 535,
        command: "AUTH PLAIN",
        message: "Invalid login for pw hunter22\r\n535 5.7.8 bad",
      },
      ["hunter22"],
    );
    assert.equal(text, "EAUTH 535 during AUTH: Invalid login for pw [redacted] 535 5.7.8 bad");
  });
});
