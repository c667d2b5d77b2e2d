import type { Random } from "./random.ts";

/** Sortable, random identifiers (time prefix + 80 random bits), e.g. `01JH3...`. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export function newId(random: Random, at: Date = new Date()): string {
  let time = at.getTime();
  let prefix = "";
  for (let i = 0; i < 10; i++) {
    prefix = ALPHABET[time % 32] + prefix;
    time = Math.floor(time / 32);
  }
  const bytes = random.bytes(10);
  let suffix = "";
  for (const byte of bytes) suffix += ALPHABET[byte % 32];
  return prefix + suffix;
}

/** RFC 4122 v4 UUID from the injected randomness (support codes, correlation ids). */
export function newUUID(random: Random): string {
  const b = random.bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
