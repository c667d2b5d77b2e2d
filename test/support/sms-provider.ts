/**
 * A local stand-in for the commercial SMS/voice providers (the one mock the project allows: their APIs
 * cannot run here). It checks each request the way the provider documents it and records what a real
 * provider would have delivered, so tests read codes from "the phone".
 *
 * Twilio (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource,
 * .../voice/api/call-resource#create-a-call-resource): POST /2010-04-01/Accounts/{Sid}/Messages.json or
 * Calls.json, HTTP Basic `{Sid}:{AuthToken}`, form-encoded `To` (E.164), `From` or `MessagingServiceSid`,
 * `Body` (SMS) or `Twiml`/`Url` (call); answers 201 with a JSON resource, or 4xx/5xx with
 * `{ code, message, more_info, status }`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface DeliveredMessage {
  provider: "twilio" | "webhook";
  channel: "sms" | "voice";
  to: string;
  /** SMS body, or the text spoken in the call (TwiML `<Say>` content). */
  text: string;
  raw: string;
  headers: IncomingMessage["headers"];
}

export interface FakeSMSProvider {
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  delivered(): DeliveredMessage[];
  /** Requests refused (bad auth, malformed) with the reason, for assertions. */
  refused(): { reason: string; path: string }[];
  /** The next `count` requests fail with this HTTP status (and a Twilio-shaped error body). */
  failNext(count: number, status: number, code?: number): void;
  /** The next `count` requests hang until the client gives up. */
  hangNext(count: number): void;
  /** Latest 6–10 digit code sent to `to` (digits may be spaced in voice text). */
  lastCodeFor(to: string): string | null;
  stop(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function unescapeXML(text: string): string {
  return text.replace(
    /&(lt|gt|amp|apos|quot);/g,
    (_, e: string) => ({ lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' })[e] ?? "",
  );
}

export async function startFakeSMSProvider(
  options: { webhookPath?: string; webhookHeader?: [string, string] } = {},
): Promise<FakeSMSProvider> {
  const accountSid = "AC0123456789abcdef0123456789abcdef";
  const authToken = "test-auth-token-0123456789";
  const delivered: DeliveredMessage[] = [];
  const refused: { reason: string; path: string }[] = [];
  let failures: { count: number; status: number; code: number } = { count: 0, status: 500, code: 20500 };
  let hangs = 0;
  const hanging = new Set<import("node:http").ServerResponse>();
  const webhookPath = options.webhookPath ?? "/sms-webhook";

  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = (request.url ?? "").split("?")[0] ?? "";
    const refuse = (status: number, code: number, reason: string) => {
      refused.push({ reason, path });
      response.writeHead(status, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ code, message: reason, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
      );
    };
    if (hangs > 0) {
      hangs--;
      hanging.add(response);
      return;
    }
    if (failures.count > 0) {
      failures.count--;
      return refuse(failures.status, failures.code, "injected failure");
    }

    const twilio = path.match(/^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/);
    if (twilio !== null) {
      if (request.method !== "POST") return refuse(405, 20004, "Method not allowed");
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
      if (request.headers.authorization !== expected || decodeURIComponent(twilio[1] ?? "") !== accountSid) {
        return refuse(401, 20003, "Authenticate");
      }
      if (!/^application\/x-www-form-urlencoded/.test(request.headers["content-type"] ?? "")) {
        return refuse(400, 20001, "Content-Type must be application/x-www-form-urlencoded");
      }
      const form = new URLSearchParams(body);
      const to = form.get("To") ?? "";
      if (!E164.test(to)) return refuse(400, 21211, "The 'To' number is not a valid phone number.");
      if (!form.has("From") && !form.has("MessagingServiceSid"))
        return refuse(400, 21603, "A 'From' phone number is required.");
      if (twilio[2] === "Messages") {
        const text = form.get("Body") ?? "";
        if (text === "") return refuse(400, 21602, "Message body is required.");
        delivered.push({ provider: "twilio", channel: "sms", to, text, raw: body, headers: request.headers });
        response.writeHead(201, { "content-type": "application/json" });
        return response.end(
          JSON.stringify({ sid: `SM${delivered.length.toString().padStart(32, "0")}`, status: "queued", to }),
        );
      }
      const twiml = form.get("Twiml") ?? "";
      const say = [...twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => unescapeXML(m[1] ?? "")).join(" ");
      if (!twiml.startsWith("<Response>") || say === "")
        return refuse(400, 21205, "Twiml must be a valid <Response> with <Say>.");
      delivered.push({ provider: "twilio", channel: "voice", to, text: say, raw: body, headers: request.headers });
      response.writeHead(201, { "content-type": "application/json" });
      return response.end(
        JSON.stringify({ sid: `CA${delivered.length.toString().padStart(32, "0")}`, status: "queued", to }),
      );
    }

    if (path === webhookPath) {
      if (options.webhookHeader !== undefined) {
        const [name, value] = options.webhookHeader;
        if (request.headers[name.toLowerCase()] !== value) return refuse(401, 401, "missing webhook credential");
      }
      let parsed: { to?: unknown; channel?: unknown; message?: unknown };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return refuse(400, 400, "body is not JSON");
      }
      if (typeof parsed.to !== "string" || !E164.test(parsed.to)) return refuse(400, 400, "to is not E.164");
      if (parsed.channel !== "sms" && parsed.channel !== "voice")
        return refuse(400, 400, "channel must be sms or voice");
      if (typeof parsed.message !== "string" || parsed.message === "") return refuse(400, 400, "message is required");
      delivered.push({
        provider: "webhook",
        channel: parsed.channel,
        to: parsed.to,
        text: parsed.message,
        raw: body,
        headers: request.headers,
      });
      response.writeHead(202, { "content-type": "application/json" });
      return response.end('{"accepted":true}');
    }
    return refuse(404, 20404, "The requested resource was not found");
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    delivered: () => [...delivered],
    refused: () => [...refused],
    failNext(count, status, code = status * 10) {
      failures = { count, status, code };
    },
    hangNext(count) {
      hangs = count;
    },
    lastCodeFor(to) {
      for (let i = delivered.length - 1; i >= 0; i--) {
        const message = delivered[i];
        if (message === undefined || message.to !== to) continue;
        const compact = message.text.replace(/(\d)[ ,.]+(?=\d)/g, "$1");
        const match = compact.match(/\b(\d{6,10})\b/);
        if (match !== null) return match[1] ?? null;
      }
      return null;
    },
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
