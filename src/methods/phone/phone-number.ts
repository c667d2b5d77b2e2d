import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";

/**
 * Phone numbers are stored in E.164 (`+14255551234`). Input may be the reference's `+1 4255551234` form
 * (DATA-01), any international form, or a national number read in the configured default country.
 * Extensions are kept apart and never dialled for SMS/voice codes (DATA-02).
 */
export type PhoneParseResult =
  | { ok: true; e164: string; country: string | null; extension: string | null }
  | { ok: false; reason: "empty" | "invalid" | "too_long" };

const MAX_INPUT = 40;

export function parsePhoneNumber(input: string, options: { defaultCountry: string }): PhoneParseResult {
  const raw = input.trim();
  if (raw === "") return { ok: false, reason: "empty" };
  if (raw.length > MAX_INPUT) return { ok: false, reason: "too_long" };
  // The reference writes extensions as `X12345`; libphonenumber understands `x`/`ext`.
  const normalised = raw.replace(/\s*[xX]\s*(\d+)$/, " ext. $1");
  const country = isSupportedCountry(options.defaultCountry) ? (options.defaultCountry as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(
    normalised,
    country === undefined ? undefined : { defaultCountry: country },
  );
  if (parsed === undefined || !parsed.isValid()) return { ok: false, reason: "invalid" };
  return { ok: true, e164: parsed.number, country: parsed.country ?? null, extension: parsed.ext ?? null };
}

/** The calling code of an E.164 number (`+44...` → `44`), for the SMS-pumping country allow-list. */
export function callingCodeOf(e164: string): string | null {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed === undefined ? null : parsed.countryCallingCode;
}

export function callingCodeOfCountry(country: string): string | null {
  return isSupportedCountry(country) ? getCountryCallingCode(country as CountryCode) : null;
}

/** `+1 •••••••34`: only the last two digits are revealed (FLOW-06 [OSS-design]). */
export function maskPhoneNumber(e164: string): string {
  const code = callingCodeOf(e164);
  const national = code === null ? e164.replace(/^\+/, "") : e164.slice(code.length + 1);
  const tail = national.slice(-2);
  return `+${code ?? ""} ${"•".repeat(Math.max(national.length - 2, 0))}${tail}`;
}

/** Same number, whatever way it was typed (the reset gate compares what the user typed with the number on file). */
export function samePhoneNumber(typed: string, onFileE164: string, options: { defaultCountry: string }): boolean {
  const parsed = parsePhoneNumber(typed, options);
  return parsed.ok && parsed.e164 === onFileE164;
}
