/**
 * Notification templates by id (SPEC §4 last paragraph, reference §10 N-1..N-6), in English, French and
 * German. Text bodies are plain; HTML bodies escape every substituted value, so a display name such as
 * `<script>` arrives as text. Subjects never contain line breaks (header injection).
 */
export type TemplateLocale = "en" | "fr" | "de";
export const TEMPLATE_LOCALES: readonly TemplateLocale[] = ["en", "fr", "de"];

interface LocalisedTemplate {
  subject: string;
  /** Paragraphs; `{{name}}` placeholders. */
  paragraphs: string[];
}

export interface TemplateDefinition {
  /** Parameters the caller must supply (`organisationName` is always filled in by the notifier). */
  readonly params: readonly string[];
  /** Parameter shown prominently (the code) in the HTML body. */
  readonly highlight?: string;
  readonly locales: Record<TemplateLocale, LocalisedTemplate>;
}

export const TEMPLATES = {
  /** N-4: the reset gate's email code. */
  "email-verification-code": {
    params: ["code", "ttlMinutes"],
    highlight: "code",
    locales: {
      en: {
        subject: "{{organisationName}} account email verification code",
        paragraphs: [
          "Use the following code to verify your email address and reset your password:",
          "{{code}}",
          "The code is valid for {{ttlMinutes}} minutes. If you did not ask for it, you can ignore this email; your password has not been changed.",
        ],
      },
      fr: {
        subject: "Code de vérification de l'adresse e-mail du compte {{organisationName}}",
        paragraphs: [
          "Utilisez le code suivant pour vérifier votre adresse e-mail et réinitialiser votre mot de passe :",
          "{{code}}",
          "Ce code est valable {{ttlMinutes}} minutes. Si vous ne l'avez pas demandé, ignorez cet e-mail ; votre mot de passe n'a pas été modifié.",
        ],
      },
      de: {
        subject: "{{organisationName}}-Konto: Bestätigungscode für Ihre E-Mail-Adresse",
        paragraphs: [
          "Verwenden Sie den folgenden Code, um Ihre E-Mail-Adresse zu bestätigen und Ihr Kennwort zurückzusetzen:",
          "{{code}}",
          "Der Code ist {{ttlMinutes}} Minuten gültig. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail; Ihr Kennwort wurde nicht geändert.",
        ],
      },
    },
  },
  /** Registration: confirm an alternate email address. */
  "registration-email-code": {
    params: ["code", "ttlMinutes"],
    highlight: "code",
    locales: {
      en: {
        subject: "{{organisationName}}: confirm your email address",
        paragraphs: [
          "Enter this code to confirm this address as your security email for password reset:",
          "{{code}}",
          "The code is valid for {{ttlMinutes}} minutes. If you did not ask for it, ignore this email.",
        ],
      },
      fr: {
        subject: "{{organisationName}} : confirmez votre adresse e-mail",
        paragraphs: [
          "Saisissez ce code pour confirmer cette adresse comme adresse de sécurité pour la réinitialisation du mot de passe :",
          "{{code}}",
          "Ce code est valable {{ttlMinutes}} minutes. Si vous ne l'avez pas demandé, ignorez cet e-mail.",
        ],
      },
      de: {
        subject: "{{organisationName}}: Bestätigen Sie Ihre E-Mail-Adresse",
        paragraphs: [
          "Geben Sie diesen Code ein, um diese Adresse als Sicherheits-E-Mail für das Zurücksetzen des Kennworts zu bestätigen:",
          "{{code}}",
          "Der Code ist {{ttlMinutes}} Minuten gültig. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail.",
        ],
      },
    },
  },
  /** N-1: the user's password was changed through self-service. */
  "password-changed": {
    params: ["displayName", "at"],
    locales: {
      en: {
        subject: "{{organisationName}}: your password has been changed",
        paragraphs: [
          "Hello {{displayName}},",
          "Your password has been changed ({{at}}).",
          "If you did not do this, contact your administrator immediately.",
        ],
      },
      fr: {
        subject: "{{organisationName}} : votre mot de passe a été modifié",
        paragraphs: [
          "Bonjour {{displayName}},",
          "Votre mot de passe a été modifié ({{at}}).",
          "Si vous n'êtes pas à l'origine de cette modification, contactez immédiatement votre administrateur.",
        ],
      },
      de: {
        subject: "{{organisationName}}: Ihr Kennwort wurde geändert",
        paragraphs: [
          "Hallo {{displayName}},",
          "Ihr Kennwort wurde geändert ({{at}}).",
          "Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator.",
        ],
      },
    },
  },
  /** N-2: another administrator reset their own password through self-service. */
  "admin-password-reset-alert": {
    params: ["adminName", "at"],
    locales: {
      en: {
        subject: "{{organisationName}}: an administrator reset their password",
        paragraphs: [
          "The administrator {{adminName}} reset their own password through self-service password reset ({{at}}).",
          "If this was not expected, review the audit log and contact them.",
        ],
      },
      fr: {
        subject: "{{organisationName}} : un administrateur a réinitialisé son mot de passe",
        paragraphs: [
          "L'administrateur {{adminName}} a réinitialisé son propre mot de passe en libre-service ({{at}}).",
          "Si ce n'était pas prévu, consultez le journal d'audit et contactez-le.",
        ],
      },
      de: {
        subject: "{{organisationName}}: Ein Administrator hat sein Kennwort zurückgesetzt",
        paragraphs: [
          "Der Administrator {{adminName}} hat sein eigenes Kennwort per Self-Service zurückgesetzt ({{at}}).",
          "Falls das nicht erwartet war, prüfen Sie das Überwachungsprotokoll und kontaktieren Sie ihn.",
        ],
      },
    },
  },
  /** N-3: "Contact your administrator". */
  "contact-admin": {
    params: ["userName", "displayName", "at"],
    locales: {
      en: {
        subject: "{{organisationName}}: {{displayName}} needs help resetting their password",
        paragraphs: [
          "{{displayName}} ({{userName}}) asked for help resetting their password ({{at}}).",
          "Verify their identity before you reset the password or unlock the account.",
        ],
      },
      fr: {
        subject: "{{organisationName}} : {{displayName}} a besoin d'aide pour réinitialiser son mot de passe",
        paragraphs: [
          "{{displayName}} ({{userName}}) demande de l'aide pour réinitialiser son mot de passe ({{at}}).",
          "Vérifiez son identité avant de réinitialiser le mot de passe ou de déverrouiller le compte.",
        ],
      },
      de: {
        subject: "{{organisationName}}: {{displayName}} benötigt Hilfe beim Zurücksetzen des Kennworts",
        paragraphs: [
          "{{displayName}} ({{userName}}) bittet um Hilfe beim Zurücksetzen des Kennworts ({{at}}).",
          "Überprüfen Sie die Identität, bevor Sie das Kennwort zurücksetzen oder das Konto entsperren.",
        ],
      },
    },
  },
  /** N-5. */
  "sms-code": {
    params: ["code", "ttlMinutes"],
    locales: {
      en: {
        subject: "",
        paragraphs: ["{{code}} is your {{organisationName}} verification code. Valid {{ttlMinutes}} min."],
      },
      fr: {
        subject: "",
        paragraphs: ["{{code}} est votre code de vérification {{organisationName}}. Valable {{ttlMinutes}} min."],
      },
      de: {
        subject: "",
        paragraphs: ["{{code}} ist Ihr {{organisationName}}-Bestätigungscode. Gültig {{ttlMinutes}} Min."],
      },
    },
  },
  /** N-6: read out by the voice provider; digits spaced so they are spoken one by one. */
  "voice-code": {
    params: ["code"],
    locales: {
      en: {
        subject: "",
        paragraphs: ["This is {{organisationName}}. Your verification code is {{codeSpoken}}. Again: {{codeSpoken}}."],
      },
      fr: {
        subject: "",
        paragraphs: [
          "Ici {{organisationName}}. Votre code de vérification est {{codeSpoken}}. Je répète : {{codeSpoken}}.",
        ],
      },
      de: {
        subject: "",
        paragraphs: [
          "Hier ist {{organisationName}}. Ihr Bestätigungscode lautet {{codeSpoken}}. Noch einmal: {{codeSpoken}}.",
        ],
      },
    },
  },
} as const satisfies Record<string, TemplateDefinition>;

export type TemplateId = keyof typeof TEMPLATES;

export function isTemplateId(id: string): id is TemplateId {
  return Object.hasOwn(TEMPLATES, id);
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string | null;
}

export function escapeHTML(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function fill(template: string, params: Record<string, string>, encode: (value: string) => string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`template parameter "${name}" is missing`);
    return encode(value);
  });
}

/** Picks the template locale for a request locale ("fr-CH" → "fr"); English otherwise. */
export function templateLocale(locale: string): TemplateLocale {
  const base = locale.toLowerCase().split(/[-_]/)[0];
  return (TEMPLATE_LOCALES as readonly string[]).includes(base ?? "") ? (base as TemplateLocale) : "en";
}

/**
 * Renders a template. `organisationName` must be in `params`. Email templates get an HTML body; SMS and
 * voice (empty subject) get text only. Throws on an unknown template or a missing parameter: both are
 * programming errors, never user input.
 */
export function renderTemplate(id: string, locale: string, params: Record<string, string>): RenderedMessage {
  if (!isTemplateId(id)) throw new Error(`unknown template "${id}"`);
  const definition: TemplateDefinition = TEMPLATES[id];
  for (const name of definition.params) {
    if (params[name] === undefined) throw new Error(`template parameter "${name}" is missing`);
  }
  const values: Record<string, string> = { ...params };
  if (values.code !== undefined) values.codeSpoken = values.code.split("").join(" ");
  const localised = definition.locales[templateLocale(locale)];
  const subject = fill(localised.subject, values, (v) => v.replace(/[\r\n]+/g, " ")).trim();
  const text = localised.paragraphs.map((p) => fill(p, values, (v) => v)).join("\n\n");
  if (subject === "") return { subject, text, html: null };
  const highlight = definition.highlight;
  const body = localised.paragraphs
    .map((p) => {
      const content = fill(p, values, escapeHTML);
      const isHighlight = highlight !== undefined && p === `{{${highlight}}}`;
      return isHighlight
        ? `<p style="font-size:24px;font-weight:bold;letter-spacing:4px;font-family:monospace">${content}</p>`
        : `<p>${content}</p>`;
    })
    .join("\n");
  const lang = templateLocale(locale);
  const html = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHTML(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
<h1 style="font-size:18px">${escapeHTML(values.organisationName ?? "")}</h1>
${body}
</body></html>`;
  return { subject, text, html };
}
