/**
 * One interface for every delivery channel (SMTP, development outbox, later SMS/voice providers). The
 * outbox worker picks a channel per message and turns a failed result into a retry or a final failure.
 */
import type { OutboxRow } from "../../store/types.ts";

export type ChannelMessage = Pick<OutboxRow, "id" | "channel" | "recipient" | "subject" | "body" | "html">;

export type DeliveryResult =
  | { ok: true }
  | {
      ok: false;
      /** Why, for `lastError` and the admin outbox view. Never contains credentials or the message body. */
      error: string;
      /** false when trying again cannot help (recipient refused for good). */
      retryable: boolean;
    };

export interface Channel {
  /** For logs and the admin view: "smtp", "dev-outbox". */
  readonly name: string;
  send(message: ChannelMessage): Promise<DeliveryResult>;
  /** Releases connections (pooled SMTP). */
  close?(): Promise<void>;
}
