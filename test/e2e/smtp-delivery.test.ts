/**
 * Mail really travels over SMTP to a separate server process (SPEC §4: "Messages are queued in a durable
 * outbox and delivered by a worker — never sent on the request path — so a slow or failing SMTP provider
 * does not block or break the flow, and nothing is lost on restart").
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../src/kernel/logger.ts";
import { secureRandom } from "../../src/kernel/random.ts";
import { createNotifier } from "../../src/notify/notifier.ts";
import { createOutboxWorker, RETRY_MAX_MS } from "../../src/notify/outbox-worker.ts";
import { startSMTPServer, type TestSMTPServer } from "../support/smtp-server.ts";
import { createTestEnv, type TestEnv } from "../unit/methods-fixtures.ts";

describe("SMTP delivery through the outbox", () => {
  let env: TestEnv;
  let smtp: TestSMTPServer;
  const log = createLogger({ level: "silent" });

  before(async () => {
    smtp = await startSMTPServer();
    env = await createTestEnv({
      mail: {
        transport: "smtp",
        from: "Contoso <no-reply@contoso.example>",
        smtp: { host: "127.0.0.1", port: smtp.port, timeoutMs: 5000 },
      },
    });
    await env.stores.settings.set("branding", { organisationName: "Contoso demo" }, env.clock.now());
  });
  after(async () => {
    await smtp.stop();
    await env.close();
  });

  function worker() {
    return createOutboxWorker({ stores: env.stores, clock: env.clock, config: env.config, log, staleAfterMs: 60_000 });
  }
  async function enqueueCode(recipient: string, code: string): Promise<string> {
    const notifier = createNotifier({ stores: env.stores, clock: env.clock, random: secureRandom, config: env.config });
    const { id } = await notifier.enqueue({
      channel: "email",
      recipient,
      template: "email-verification-code",
      params: { code, ttlMinutes: "5" },
      locale: "en",
    });
    return id;
  }
  async function status(id: string) {
    const { rows } = await env.stores.outbox.list({ offset: 0, limit: 1000 });
    return rows.find((r) => r.id === id);
  }

  test("enqueued mail is delivered by the worker, not by the notifier", async () => {
    const id = await enqueueCode("alice@corp.example", "31415926");
    assert.equal((await smtp.messages()).length, 0, "nothing is sent on the request path");
    const w = worker();
    assert.equal(await w.drain(), 1);
    await w.stop();
    const mail = await smtp.waitFor((m) => m.to.includes("alice@corp.example"), 5_000);
    assert.equal(mail.subject, "Contoso demo account email verification code");
    assert.equal(mail.from, "no-reply@contoso.example");
    assert.ok(mail.text.includes("31415926"));
    assert.ok(mail.html?.includes("31415926"));
    assert.equal((await status(id))?.status, "sent");
  });

  test("server down: the attempt fails, is retried later and delivered once the server is back", async () => {
    const port = smtp.port;
    await smtp.stop();
    const id = await enqueueCode("bob@corp.example", "27182818");
    const w = worker();
    assert.equal(await w.drain(), 1);
    const failed = await status(id);
    assert.equal(failed?.status, "queued");
    assert.match(failed?.lastError ?? "", /ECONNREFUSED|ECONNECTION/);
    assert.ok(!(failed?.lastError ?? "").includes("27182818"));

    smtp = await startSMTPServer({ port });
    env.clock.advance(RETRY_MAX_MS);
    assert.equal(await w.drain(), 1);
    await w.stop();
    const mail = await smtp.waitFor((m) => m.to.includes("bob@corp.example"), 5_000);
    assert.ok(mail.text.includes("27182818"));
    assert.equal((await status(id))?.status, "sent");
  });

  test("nothing is lost across a worker restart", async () => {
    const id = await enqueueCode("carol@corp.example", "16180339");
    // The first worker claims the message and dies before sending it.
    await env.stores.outbox.claimDue(env.clock.now(), 100);
    assert.equal((await status(id))?.status, "sending");
    env.clock.advance(60_001);
    const restarted = worker();
    restarted.start();
    const mail = await smtp.waitFor((m) => m.to.includes("carol@corp.example"), 10_000);
    await restarted.stop();
    assert.ok(mail.text.includes("16180339"));
    assert.equal((await smtp.messages()).filter((m) => m.to.includes("carol@corp.example")).length, 1);
    assert.equal((await status(id))?.status, "sent");
  });
});
