/**
 * Branding (SPEC §10): organisation name, logo, colour, support contact and landing-page text, kept in the
 * settings store under `branding`. Values are validated when read, so a bad row can never put markup,
 * a script URL or CSS outside a colour into a page.
 */
import { BRANDING_SETTINGS_KEY, DEFAULT_ORGANISATION_NAME } from "../../notify/organisation.ts";
import type { Stores } from "../../store/types.ts";

export { BRANDING_SETTINGS_KEY };

export interface Branding {
  organisationName: string;
  /** `data:image/...;base64,...` (CSP `img-src 'self' data:`), or null. */
  logoDataUrl: string | null;
  /** `#rrggbb`, used by `/assets/brand.css`. @default "#2457c5" */
  primaryColor: string;
  /** Email address or https URL shown in the footer; empty = the policy's helpdesk contact. */
  supportContact: string;
  /** Landing-page Markdown set by the administrator (rendered with raw HTML escaped). */
  landingMarkdown: string;
}

export const DEFAULT_BRANDING: Branding = {
  organisationName: DEFAULT_ORGANISATION_NAME,
  logoDataUrl: null,
  primaryColor: "#2457c5",
  supportContact: "",
  landingMarkdown: "",
};

export const LOGO_DATA_URL = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
/** Largest logo accepted (as a data URL). */
export const MAX_LOGO_CHARS = 200_000;

function str(value: unknown, max: number): string | null {
  return typeof value === "string" && value.length <= max ? value : null;
}

/** Normalises whatever the settings row holds into safe values. */
export function sanitizeBranding(raw: unknown): Branding {
  const value = (raw !== null && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const name = str(value["organisationName"], 100)?.trim();
  const logo = str(value["logoDataUrl"], MAX_LOGO_CHARS);
  const color = str(value["primaryColor"], 7);
  const contact = str(value["supportContact"], 200)?.trim() ?? "";
  return {
    organisationName: name !== undefined && name !== "" ? name : DEFAULT_BRANDING.organisationName,
    logoDataUrl: logo !== null && LOGO_DATA_URL.test(logo) ? logo : null,
    primaryColor: color !== null && HEX_COLOR.test(color) ? color.toLowerCase() : DEFAULT_BRANDING.primaryColor,
    supportContact: contact,
    landingMarkdown: str(value["landingMarkdown"], 20_000) ?? "",
  };
}

export async function loadBranding(stores: Pick<Stores, "settings">): Promise<Branding> {
  return sanitizeBranding(await stores.settings.get<unknown>(BRANDING_SETTINGS_KEY));
}

/** A support contact as a link target: `mailto:` for an address, the URL for http(s), else null. */
export function contactHref(contact: string): string | null {
  if (/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(contact)) return `mailto:${contact}`;
  if (/^https?:\/\/[^\s<>"]+$/i.test(contact)) return contact;
  return null;
}
