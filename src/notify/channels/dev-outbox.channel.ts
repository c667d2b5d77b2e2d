/**
 * Development delivery: the message is kept whole in the development mailbox, where the admin portal
 * shows it. Used when `mail.transport` is `outbox`, and for SMS/voice until a provider adapter exists.
 * Unsafe for production (codes are readable by admins); configuration warns about it at start.
 */
import type { Clock } from "../../kernel/clock.ts";
import { newId } from "../../kernel/ids.ts";
import type { Random } from "../../kernel/random.ts";
import type { Stores } from "../../store/types.ts";
import type { Channel, ChannelMessage, DeliveryResult } from "./channel.ts";

export function createDevOutboxChannel(deps: {
  stores: Pick<Stores, "devMailbox">;
  clock: Clock;
  random: Random;
}): Channel {
  return {
    name: "dev-outbox",
    async send(message: ChannelMessage): Promise<DeliveryResult> {
      const now = deps.clock.now();
      await deps.stores.devMailbox.insert({
        id: newId(deps.random, now),
        channel: message.channel,
        recipient: message.recipient,
        subject: message.subject,
        body: message.body,
        html: message.html,
        deliveredAt: now,
      });
      return { ok: true };
    },
  };
}
