/**
 * The organisation's friendly name, shown in mail subjects (reference §3.5: "<Org> account email
 * verification code") and as the TOTP issuer. Read from the branding settings (key `branding`, field
 * `organisationName`), else the password policy's `passwords.organisationName`, else "OpenSSPR".
 */
import type { Stores } from "../store/types.ts";

export const BRANDING_SETTINGS_KEY = "branding";
export const DEFAULT_ORGANISATION_NAME = "OpenSSPR";

export async function resolveOrganisationName(stores: Pick<Stores, "settings" | "policy">): Promise<string> {
  const branding = await stores.settings.get<{ organisationName?: unknown }>(BRANDING_SETTINGS_KEY);
  const fromBranding = branding?.organisationName;
  if (typeof fromBranding === "string" && fromBranding.trim() !== "") return fromBranding.trim();
  const policy = await stores.policy.current();
  const document = policy?.document as { passwords?: { organisationName?: unknown } } | undefined;
  const fromPolicy = document?.passwords?.organisationName;
  if (typeof fromPolicy === "string" && fromPolicy.trim() !== "") return fromPolicy.trim();
  return DEFAULT_ORGANISATION_NAME;
}
