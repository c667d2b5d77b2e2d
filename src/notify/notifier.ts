/**
 * The notifier (ARCHITECTURE "Outbox"): renders a template and enqueues it durably. Nothing is sent on the
 * request path: the outbox worker delivers it, so a slow or failing SMTP server never blocks a flow and
 * a restart loses nothing. A code in a message lives only in the outbox row until dispatch.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../kernel/clock.ts";
import { newId } from "../kernel/ids.ts";
import type { Random } from "../kernel/random.ts";
import type { Notifier, OutgoingMessage } from "../registry.types.ts";
import type { Stores } from "../store/types.ts";
import { resolveOrganisationName } from "./organisation.ts";
import { renderTemplate } from "./templates.ts";

export interface NotifierDeps {
  stores: Pick<Stores, "outbox" | "settings" | "policy">;
  clock: Clock;
  random: Random;
  config: Pick<Config, "i18n">;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  return {
    async enqueue(message: OutgoingMessage): Promise<{ id: string }> {
      const recipient = message.recipient.trim();
      if (recipient === "" || /[\r\n]/.test(recipient)) throw new Error("notification recipient is empty or malformed");
      const organisationName = message.params.organisationName ?? (await resolveOrganisationName(deps.stores));
      const locale = message.locale === "" ? deps.config.i18n.defaultLocale : message.locale;
      const rendered = renderTemplate(message.template, locale, { ...message.params, organisationName });
      const now = deps.clock.now();
      const id = newId(deps.random, now);
      await deps.stores.outbox.enqueue({
        id,
        channel: message.channel,
        recipient,
        subject: rendered.subject,
        body: rendered.text,
        html: message.channel === "email" ? rendered.html : null,
        template: message.template,
        status: "queued",
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        sentAt: null,
        campaignId: message.campaignId ?? null,
      });
      return { id };
    },
  };
}
