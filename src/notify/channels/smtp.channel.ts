/**
 * SMTP delivery through nodemailer (SPEC §4: "Email goes through SMTP"). Connection, greeting and socket
 * timeouts come from `mail.smtp.timeoutMs`, so a hung server fails the attempt instead of the worker.
 * A refused or unreachable server is a retryable failure; a recipient refused with a 5xx is final.
 * Errors are reduced to a short description that never carries the SMTP password or the message.
 */
import nodemailer from "nodemailer";
import type { Config } from "../../config/schema.ts";
import type { Channel, ChannelMessage, DeliveryResult } from "./channel.ts";

interface SMTPError {
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
  message?: unknown;
}

/** A one-line, secret-free description of a delivery error. */
export function describeSMTPError(error: unknown, secrets: readonly string[]): string {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SMTPError;
  const parts: string[] = [];
  if (typeof e.code === "string") parts.push(e.code);
  if (typeof e.responseCode === "number") parts.push(String(e.responseCode));
  if (typeof e.command === "string") parts.push(`during ${e.command.split(" ")[0]}`);
  let text = `${parts.join(" ")}${parts.length > 0 ? ": " : ""}${typeof e.message === "string" ? e.message : "delivery failed"}`;
  for (const secret of secrets) {
    if (secret.length > 0) text = text.split(secret).join("[redacted]");
  }
  return text.replace(/[\r\n]+/g, " ").slice(0, 500);
}

function isPermanent(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as SMTPError;
  // 5xx on the envelope or the message (recipient unknown, message refused) will not get better by retrying;
  // connection, timeout, authentication and 4xx failures may.
  return (
    typeof e.responseCode === "number" && e.responseCode >= 500 && (e.code === "EENVELOPE" || e.code === "EMESSAGE")
  );
}

export function createSMTPChannel(deps: { config: Pick<Config, "mail"> }): Channel {
  const smtp = deps.config.mail.smtp;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    auth: smtp.user !== "" ? { user: smtp.user, pass: smtp.password } : undefined,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    // Reuse connections: a new SMTP session per message costs a TCP + greeting (+ TLS) round trip, which made
    // mail delivery, not hashing, the limit of the reset-flow benchmark.
    pool: true,
    maxConnections: 4,
    maxMessages: 500,
  });
  return {
    name: "smtp",
    async send(message: ChannelMessage): Promise<DeliveryResult> {
      try {
        await transport.sendMail({
          from: deps.config.mail.from,
          to: message.recipient,
          subject: message.subject,
          text: message.body,
          ...(message.html !== null ? { html: message.html } : {}),
          messageId: `<${message.id}@opensspr>`,
        });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: describeSMTPError(error, [smtp.password]), retryable: !isPermanent(error) };
      }
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}
