import { randomBytes, randomInt } from "node:crypto";

/** Randomness comes in as a dependency (STYLE rule 7). */
export interface Random {
  bytes(length: number): Buffer;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

export const secureRandom: Random = {
  bytes: (length) => randomBytes(length),
  int: (maxExclusive) => randomInt(maxExclusive),
};

/** `digits` decimal digits, uniformly distributed, leading zeros kept. */
export function numericCode(random: Random, digits: number): string {
  let out = "";
  for (let i = 0; i < digits; i++) out += String(random.int(10));
  return out;
}

/** URL-safe opaque token with `bytes` bytes of entropy. */
export function token(random: Random, bytes = 32): string {
  return random.bytes(bytes).toString("base64url");
}

/** Fisher–Yates pick of `count` distinct items. */
export function pickRandom<T>(random: Random, items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}
