/**
 * User-facing text by stable id (STYLE "User-facing text lives in messages/"), one catalog module per
 * feature, merged here from a literal list so the bundle of strings is known at start-up. A module exports
 * `{ en: {...}, fr: {...}, de: {...} }`; a message missing in fr/de falls back to en, and an id missing
 * everywhere is returned as-is (visible in tests, never a crash).
 *
 * Owners add their catalog by adding ONE import line and ONE entry to `CATALOG_MODULES`.
 */
import adminMessages from "./admin.messages.ts";
import commonMessages from "./common.messages.ts";
import methodsMessages from "./methods.messages.ts";
import phoneMessages from "./phone.messages.ts";
import policyMessages from "./policy.messages.ts";
import registrationMessages from "./registration.messages.ts";
import resetMessages from "./reset.messages.ts";

export const LOCALES = ["en", "fr", "de"] as const;
export type Locale = (typeof LOCALES)[number];

export type MessageTable = Readonly<Record<string, string>>;
/** What every `<module>.messages.ts` exports by default. */
export interface CatalogModule {
  en: MessageTable;
  fr?: MessageTable;
  de?: MessageTable;
}

const CATALOG_MODULES: readonly CatalogModule[] = [
  commonMessages,
  adminMessages,
  registrationMessages,
  resetMessages,
  methodsMessages,
  phoneMessages,
  policyMessages,
];

function merge(modules: readonly CatalogModule[]): Record<Locale, Map<string, string>> {
  const out: Record<Locale, Map<string, string>> = { en: new Map(), fr: new Map(), de: new Map() };
  for (const module of modules) {
    for (const locale of LOCALES) {
      const table = module[locale];
      if (table === undefined) continue;
      for (const [id, text] of Object.entries(table)) out[locale].set(id, text);
    }
  }
  return out;
}

const CATALOG = merge(CATALOG_MODULES);

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** True when `id` exists in the English catalog (every id must). */
export function hasMessage(id: string): boolean {
  return CATALOG.en.has(id);
}

/** Every message id known in `locale` (tests check coverage). */
export function messageIds(locale: Locale): string[] {
  return [...CATALOG[locale].keys()];
}

/** Whether `id` has its own translation in `locale` (no English fallback). */
export function hasOwnTranslation(locale: Locale, id: string): boolean {
  return CATALOG[locale].has(id);
}

/**
 * Translates `id` into `locale`, substituting `{name}` placeholders from `params`. Values are inserted as
 * plain text: the views escape them (preact), emails escape them in their own templates.
 */
export function t(locale: string, id: string, params?: Readonly<Record<string, string | number>>): string {
  const table = isLocale(locale) ? CATALOG[locale] : CATALOG.en;
  const text = table.get(id) ?? CATALOG.en.get(id) ?? id;
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** A translator bound to one locale (what views receive). */
export type Translate = (id: string, params?: Readonly<Record<string, string | number>>) => string;

export function translator(locale: string): Translate {
  return (id, params) => t(locale, id, params);
}
