/** Email address parsing and masking for the email-code method. */
import { hmacHex } from "../../kernel/secrets.ts";

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(\.[^\s@<>()[\]\\,;:".]+)+$/u;

/** The address as typed, trimmed; `null` when it is not a plausible single mailbox. */
export function parseEmailAddress(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const address = input.trim();
  if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) return null;
  if (!ADDRESS.test(address)) return null;
  const local = address.slice(0, address.lastIndexOf("@"));
  if (local.length > MAX_LOCAL_LENGTH) return null;
  return address;
}

/** Comparison form: addresses are compared case-insensitively (domains are; local parts are in practice). */
export function canonicalEmail(address: string): string {
  return address.trim().normalize("NFC").toLowerCase();
}

/** `alice@example.com` → `a•••@e•••.com` (a hint that does not reveal the address). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const tld = dot >= 0 ? domain.slice(dot) : "";
  return `${[...local][0] ?? ""}•••@${[...domain][0] ?? ""}•••${tld}`;
}

const DECOY_LETTERS = "abcdefghijklmnoprstw";
const DECOY_TLDS = [".com", ".com", ".com", ".org", ".net"];

/**
 * A masked address for an account that has none (or does not exist), stable per identifier so asking twice
 * shows the same hint (Rule 4: the unknown account looks like a known one).
 */
export function decoyMaskedEmail(key: Buffer, decoySeed: string): string {
  const bytes = Buffer.from(hmacHex(key, "email-hint", decoySeed), "hex");
  const pick = (alphabet: string | readonly string[], byte: number | undefined): string =>
    alphabet[(byte ?? 0) % alphabet.length] as string;
  return `${pick(DECOY_LETTERS, bytes[0])}•••@${pick(DECOY_LETTERS, bytes[1])}•••${pick(DECOY_TLDS, bytes[2])}`;
}
