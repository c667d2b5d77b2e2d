/**
 * The Twilio-compatible and webhook adapters deliver SMS and voice codes the way the providers document
 * (checked by a local provider stand-in), and turn provider errors and time-outs into retryable results.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { configSchema } from "../../src/config/schema.ts";
import { createTwilioChannel, voiceTwiML } from "../../src/notify/channels/twilio.channel.ts";
import { createWebhookChannel, renderTemplate } from "../../src/notify/channels/webhook.channel.ts";
import { type FakeSMSProvider, startFakeSMSProvider } from "../support/sms-provider.ts";

const message = (channel: "sms" | "voice", recipient: string, body: string) => ({
  id: "m1",
  channel,
  recipient,
  subject: "",
  body,
  html: null,
});

describe("SMS/voice provider adapters", () => {
  let provider: FakeSMSProvider;
  before(async () => {
    provider = await startFakeSMSProvider({ webhookHeader: ["x-api-key", "k3y"] });
  });
  after(async () => provider.stop());

  // Generous time-out for the normal cases (a loaded CI machine); the hang case passes a short one.
  const twilio = (timeoutMs = 10_000) =>
    createTwilioChannel(
      configSchema.parse({
        sms: {
          twilio: {
            baseUrl: provider.url,
            accountSid: provider.accountSid,
            authToken: provider.authToken,
            from: "+15005550006",
            timeoutMs,
          },
        },
      }).sms.twilio,
    );

  test("Twilio SMS: authenticated form post with To/From/Body, delivered to the number", async () => {
    const result = await twilio().send(message("sms", "+14255551234", "12345678 is your Contoso verification code."));
    assert.deepEqual(result, { ok: true });
    const sent = provider.delivered().at(-1);
    assert.equal(sent?.channel, "sms");
    assert.equal(sent?.to, "+14255551234");
    assert.equal(provider.lastCodeFor("+14255551234"), "12345678");
  });

  test("Twilio voice: a call whose TwiML says the code (twice, from the template)", async () => {
    const text = "This is Contoso. Your verification code is 1 2 3 4 5 6 7 8. Again: 1 2 3 4 5 6 7 8.";
    assert.deepEqual(await twilio().send(message("voice", "+14255550000", text)), { ok: true });
    const call = provider.delivered().at(-1);
    assert.equal(call?.channel, "voice");
    assert.match(call?.text ?? "", /1 2 3 4 5 6 7 8\. Again: 1 2 3 4 5 6 7 8/);
    assert.equal(provider.lastCodeFor("+14255550000"), "12345678");
    assert.match(voiceTwiML("a<b", "en-US"), /<Say language="en-US">a&lt;b<\/Say>/);
  });

  test("Twilio: wrong credentials are refused and reported as not retryable; the token never appears", async () => {
    const channel = createTwilioChannel(
      configSchema.parse({
        sms: {
          twilio: {
            baseUrl: provider.url,
            accountSid: provider.accountSid,
            authToken: "wrong-token",
            from: "+15005550006",
          },
        },
      }).sms.twilio,
    );
    const result = await channel.send(message("sms", "+14255551234", "code 11112222"));
    assert.equal(result.ok, false);
    assert.ok(!result.ok && !result.retryable);
    assert.ok(!result.ok && /HTTP 401 code 20003/.test(result.error));
    assert.ok(!result.ok && !result.error.includes("wrong-token"));
  });

  test("Twilio: invalid number (21211) is final; 500 and 429 are retried; a hang times out as retryable", async () => {
    const invalid = await twilio().send(message("sms", "12345", "code 11112222"));
    assert.ok(!invalid.ok && !invalid.retryable && invalid.error.includes("21211"));
    provider.failNext(1, 500);
    const serverError = await twilio().send(message("sms", "+14255551234", "code 11112222"));
    assert.ok(!serverError.ok && serverError.retryable);
    provider.failNext(1, 429, 20429);
    const limited = await twilio().send(message("sms", "+14255551234", "code 11112222"));
    assert.ok(!limited.ok && limited.retryable);
    provider.hangNext(1);
    const hung = await twilio(300).send(message("sms", "+14255551234", "code 11112222"));
    assert.deepEqual(hung, { ok: false, error: "twilio: provider timed out", retryable: true });
  });

  test("webhook: method, headers and JSON body template with escaping", async () => {
    const channel = createWebhookChannel(
      configSchema.parse({
        sms: { webhook: { url: `${provider.url}/sms-webhook`, headers: { "x-api-key": "k3y" }, timeoutMs: 10_000 } },
      }).sms.webhook,
    );
    const result = await channel.send(message("sms", "+33612345678", 'Code "87654321" \\ ok'));
    assert.deepEqual(result, { ok: true });
    const sent = provider.delivered().at(-1);
    assert.equal(sent?.provider, "webhook");
    assert.equal(sent?.text, 'Code "87654321" \\ ok');
    assert.equal(provider.lastCodeFor("+33612345678"), "87654321");
  });

  test("webhook: a status outside successStatus fails; missing credential is refused", async () => {
    const channel = createWebhookChannel(
      configSchema.parse({ sms: { webhook: { url: `${provider.url}/sms-webhook`, timeoutMs: 10_000 } } }).sms.webhook,
    );
    const result = await channel.send(message("voice", "+33612345678", "code 1 2 3"));
    assert.deepEqual(result, { ok: false, error: "webhook: HTTP 401", retryable: false });
    assert.equal(renderTemplate("{{to}}/{{nope}}", { to: "+1 2" }, encodeURIComponent), "%2B1%202/{{nope}}");
  });
});
