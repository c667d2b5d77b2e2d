/**
 * Regenerates `banned-passwords.txt`, the bundled global banned-password list (SPEC §7, reference §6.2).
 *
 * Source: the frequency-ranked common-password dictionary shipped by `@zxcvbn-ts/language-common` (MIT),
 * itself derived from public breach corpora. We keep the most common terms of 4–16 characters (the reference's
 * term length bounds) so the fuzzy matcher's index stays small and fast. Run:
 *   node --import tsx src/policy/data/build-banned-list.ts
 */
import { writeFileSync } from "node:fs";
import { dictionary } from "@zxcvbn-ts/language-common";

/** How many terms the bundled list keeps (Microsoft's global list had ~3,270 base terms in 2020). */
export const BUNDLED_TERM_COUNT = 4000;

export function deriveBannedTerms(ranked: readonly string[], count: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const word of ranked) {
    const term = String(word).toLowerCase();
    if (term.length < 4 || term.length > 16 || seen.has(term)) continue;
    seen.add(term);
    out.push(term);
    if (out.length === count) break;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const terms = deriveBannedTerms(dictionary["passwords-common"], BUNDLED_TERM_COUNT);
  const header = [
    "# OpenSSPR bundled global banned-password list (SPEC §7, reference §6.2).",
    `# The ${terms.length} most common breached passwords of 4-16 characters, by frequency,`,
    "# from @zxcvbn-ts/language-common (MIT). Regenerate with src/policy/data/build-banned-list.ts.",
  ];
  writeFileSync(new URL("./banned-passwords.txt", import.meta.url), `${header.join("\n")}\n${terms.join("\n")}\n`);
  process.stdout.write(`wrote ${terms.length} terms\n`);
}
