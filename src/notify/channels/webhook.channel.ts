/**
 * Generic HTTP webhook adapter for SMS and voice (SPEC §4): the administrator configures the method, URL,
 * headers, a body template and the statuses that mean "delivered", to reach any provider or gateway.
 * Template variables: `{{to}}`, `{{channel}}`, `{{message}}` — JSON-escaped when the content type is JSON,
 * form-encoded for `application/x-www-form-urlencoded`, URL-encoded in the URL.
 */
import type { Config } from "../../config/schema.ts";
import type { Channel, ChannelMessage, DeliveryResult } from "./channel.ts";

type WebhookConfig = Config["sms"]["webhook"];

export function renderTemplate(
  template: string,
  values: Record<string, string>,
  escapeValue: (value: string) => string,
): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : escapeValue(value);
  });
}

function escaperFor(contentType: string): (value: string) => string {
  if (/json/i.test(contentType)) return (value) => JSON.stringify(value).slice(1, -1);
  if (/x-www-form-urlencoded/i.test(contentType)) return (value) => encodeURIComponent(value);
  return (value) => value;
}

export function createWebhookChannel(config: WebhookConfig): Channel {
  return {
    name: "webhook",
    async send(message: ChannelMessage): Promise<DeliveryResult> {
      if (message.channel === "email")
        return { ok: false, error: "webhook: email is not an SMS/voice message", retryable: false };
      const values = { to: message.recipient, channel: message.channel, message: message.body };
      const url = renderTemplate(config.url, values, encodeURIComponent);
      const hasBody = config.method !== "GET";
      let response: Response;
      try {
        response = await fetch(url, {
          method: config.method,
          headers: { ...(hasBody ? { "content-type": config.contentType } : {}), ...config.headers },
          body: hasBody ? renderTemplate(config.bodyTemplate, values, escaperFor(config.contentType)) : undefined,
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "unreachable";
        return { ok: false, error: `webhook: endpoint ${reason}`, retryable: true };
      }
      await response.body?.cancel();
      if (config.successStatus.includes(response.status)) return { ok: true };
      const retryable = response.status === 429 || response.status >= 500 || response.status === 408;
      return { ok: false, error: `webhook: HTTP ${response.status}`, retryable };
    },
  };
}
