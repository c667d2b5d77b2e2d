/**
 * Twilio-compatible REST adapter for SMS and voice codes (SPEC §4). Follows Twilio's documented API:
 * `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json` (form fields `To`, `From` or
 * `MessagingServiceSid`, `Body`) and `.../Calls.json` (`To`, `From`, `Twiml`), HTTP Basic auth with the
 * account SID and auth token, `201 Created` on success. The voice call reads the message body (the voice
 * template already says the code twice). Provider errors become retryable or final delivery results; the
 * auth token and the message body never reach `lastError`.
 */
import type { Config } from "../../config/schema.ts";
import type { Channel, ChannelMessage, DeliveryResult } from "./channel.ts";

type TwilioConfig = Config["sms"]["twilio"];

function escapeXML(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );
}

/** TwiML for a voice code: say the text, pause, say it again is in the text itself; hang up. */
export function voiceTwiML(text: string, language: string): string {
  return `<Response><Say language="${escapeXML(language)}">${escapeXML(text)}</Say><Pause length="1"/><Hangup/></Response>`;
}

export function createTwilioChannel(config: TwilioConfig): Channel {
  const base = config.baseUrl.replace(/\/+$/, "");
  const auth = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;
  const account = encodeURIComponent(config.accountSid);

  return {
    name: "twilio",
    async send(message: ChannelMessage): Promise<DeliveryResult> {
      if (message.channel === "email")
        return { ok: false, error: "twilio: email is not an SMS/voice message", retryable: false };
      const form = new URLSearchParams();
      form.set("To", message.recipient);
      if (config.from.startsWith("MG")) form.set("MessagingServiceSid", config.from);
      else form.set("From", config.from);
      const resource = message.channel === "sms" ? "Messages" : "Calls";
      if (message.channel === "sms") form.set("Body", message.body);
      else form.set("Twiml", voiceTwiML(message.body, config.voiceLanguage));

      let response: Response;
      try {
        response = await fetch(`${base}/2010-04-01/Accounts/${account}/${resource}.json`, {
          method: "POST",
          headers: {
            authorization: auth,
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
          },
          body: form.toString(),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "unreachable";
        return { ok: false, error: `twilio: provider ${reason}`, retryable: true };
      }
      if (response.status === 201 || response.status === 200) {
        await response.body?.cancel();
        return { ok: true };
      }
      // Twilio error body: { code, message, more_info, status }.
      let detail = "";
      try {
        const body = (await response.json()) as { code?: unknown; message?: unknown };
        detail = ` code ${String(body.code ?? "?")}: ${String(body.message ?? "").slice(0, 200)}`;
      } catch {
        detail = "";
      }
      // 429 and 5xx are worth retrying; other 4xx (invalid number, unverified sender...) are not.
      const retryable = response.status === 429 || response.status >= 500;
      return { ok: false, error: `twilio: HTTP ${response.status}${detail}`, retryable };
    },
  };
}
