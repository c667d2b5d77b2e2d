/**
 * The banned-password "fuzzy policy" of the reference (§6.2, SPEC §7), as a pure, precomputed matcher.
 *
 * 1. Normalise: lowercase, then common substitutions (0→o 1→l $→s @→a 3→e 4→a 5→s 7→t !→i).
 * 2. Fuzzy match (edit distance 1) of normalised password substrings against the global and custom terms.
 * 3. Exact substring match of the user's names and the organisation name, for terms of ≥ 4 characters:
 *    a hit rejects outright (reference vector `p0LL23fb` / first name "Poll").
 * 4. Score: +1 per banned term found, +1 per remaining character; accept iff score ≥ 5.
 *
 * Speed (it runs on every reset): each list is indexed by its terms and their single-deletion neighbourhood
 * (symmetric-delete), so a password of n characters costs about n × 14 × (term length) hash look-ups, not a
 * scan of the list. The chosen cover of the password is the one with the LOWEST score (the attacker's best
 * reading), computed by dynamic programming over positions.
 */
import { readFileSync } from "node:fs";

/** Accept iff the score reaches this (reference §6.2 step 4). */
export const BANNED_SCORE_THRESHOLD = 5;
/** Terms shorter than this are ignored, for lists and for name/organisation substrings (reference §6.2). */
export const MIN_TERM_LENGTH = 4;
/** Longest custom/global term (reference §6.2: 4–16 chars). */
export const MAX_TERM_LENGTH = 16;

const SUBSTITUTIONS: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "l",
  $: "s",
  "@": "a",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "!": "i",
};

/** Step 1 of §6.2. Works on code points, so astral characters stay whole. */
export function normaliseForBannedCheck(text: string): string {
  let out = "";
  for (const ch of text.toLowerCase()) out += SUBSTITUTIONS[ch] ?? ch;
  return out;
}

export type TermSource = "global" | "custom";

/** An indexed banned list (build once, query many times). */
export interface BannedList {
  readonly source: TermSource;
  /** Distinct normalised terms. */
  readonly size: number;
  /** A normalised term that `candidate` (already normalised and folded) is an occurrence of, or null. */
  find(candidate: string): string | null;
}

/**
 * Matching works on UTF-16 strings for speed; astral characters (emoji) are folded to U+FFFD first so one
 * character is one string index everywhere. Only the fuzzy list matching sees folded text.
 */
function foldAstral(text: string): string {
  return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "\uFFFD");
}

function deletions(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) out.push(text.slice(0, i) + text.slice(i + 1));
  return out;
}

/** Levenshtein distance ≤ 1. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i);
}

/**
 * Whether a password substring counts as an occurrence of `term`. Edit distance 1, except that a substring made
 * of the term plus one extra character at either END is not a fuzzy hit: that reading is "the exact term plus
 * one remaining character", which is how the reference scores `ContoS0Bl@nkf9!` (blank + f, score 5, accept).
 */
function isOccurrence(substring: string, term: string): boolean {
  if (substring.length < MIN_TERM_LENGTH) return false;
  if (!withinOneEdit(substring, term)) return false;
  if (substring.length === term.length + 1 && (substring.slice(1) === term || substring.slice(0, -1) === term)) {
    return false;
  }
  return true;
}

/** Indexes `terms` (raw; normalised here). Terms outside 4–16 characters after normalisation are skipped. */
export function createBannedList(terms: Iterable<string>, source: TermSource): BannedList {
  const byKey = new Map<string, string[]>();
  const known = new Set<string>();
  for (const raw of terms) {
    const term = foldAstral(normaliseForBannedCheck(raw.trim()));
    if (term.length < MIN_TERM_LENGTH || term.length > MAX_TERM_LENGTH || known.has(term)) continue;
    known.add(term);
    for (const key of new Set([term, ...deletions(term)])) {
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [term]);
      else list.push(term);
    }
  }
  const probe = (key: string, candidate: string): string | null => {
    const terms = byKey.get(key);
    if (terms === undefined) return null;
    for (const term of terms) if (isOccurrence(candidate, term)) return term;
    return null;
  };
  return {
    source,
    size: known.size,
    find(candidate: string): string | null {
      const exact = probe(candidate, candidate);
      if (exact !== null) return exact;
      for (let i = 0; i < candidate.length; i++) {
        const hit = probe(candidate.slice(0, i) + candidate.slice(i + 1), candidate);
        if (hit !== null) return hit;
      }
      return null;
    },
  };
}

let bundled: BannedList | undefined;
/** The bundled global list (`data/banned-passwords.txt`), indexed once per process. */
export function bundledGlobalBannedList(): BannedList {
  if (bundled === undefined) {
    const text = readFileSync(new URL("./data/banned-passwords.txt", import.meta.url), "utf8");
    const terms = text.split("\n").filter((line) => line.length > 0 && !line.startsWith("#"));
    bundled = createBannedList(terms, "global");
  }
  return bundled;
}

export interface BannedEvaluation {
  /** §6.2 step 4 score of the lowest-scoring reading of the password. */
  score: number;
  /** Banned terms in that reading, with the list they came from. */
  terms: { term: string; source: TermSource }[];
  /** A user name term (≥ 4 chars) occurs in the password (outright reject). */
  personal: boolean;
  /** The organisation name (≥ 4 chars) occurs in the password (outright reject). */
  organisation: boolean;
  accepted: boolean;
}

/** Splits names into the words the substring check uses ("Alice van Dijk" → alice, dijk; "a.smith@x" → smith). */
export function contextTerms(values: readonly (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const whole = normaliseForBannedCheck(value.trim());
    if (Array.from(whole).length >= MIN_TERM_LENGTH && !/[\s._@-]/u.test(whole)) out.add(whole);
    for (const part of value.split(/[\s._@,;:'"()/\\+-]+/u)) {
      const term = normaliseForBannedCheck(part);
      if (Array.from(term).length >= MIN_TERM_LENGTH) out.add(term);
    }
  }
  return [...out];
}

/**
 * Evaluates one password. `lists` are searched in order; a term found in several is attributed to the first
 * (pass custom first so "blocked by your administrator" wins when both apply).
 */
export function evaluateBannedPassword(
  password: string,
  options: { lists: readonly BannedList[]; personalTerms: readonly string[]; organisationTerms: readonly string[] },
): BannedEvaluation {
  const normalised = normaliseForBannedCheck(password);
  const folded = foldAstral(normalised);
  const n = folded.length;
  const personal = options.personalTerms.some(
    (term) => Array.from(term).length >= MIN_TERM_LENGTH && normalised.includes(term),
  );
  const organisation = options.organisationTerms.some(
    (term) => Array.from(term).length >= MIN_TERM_LENGTH && normalised.includes(term),
  );

  // matches[i] = occurrences starting at i: [end, term, source]
  // Repeated substrings (long or repetitive passwords) are looked up once.
  const memo = new Map<string, [string, TermSource] | null>();
  const hitFor = (candidate: string): [string, TermSource] | null => {
    const known = memo.get(candidate);
    if (known !== undefined) return known;
    let hit: [string, TermSource] | null = null;
    for (const list of options.lists) {
      const term = list.find(candidate);
      if (term !== null) {
        hit = [term, list.source];
        break;
      }
    }
    memo.set(candidate, hit);
    return hit;
  };
  const matches: [number, string, TermSource][][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const maxEnd = Math.min(n, i + MAX_TERM_LENGTH + 1);
    for (let end = i + MIN_TERM_LENGTH; end <= maxEnd; end++) {
      const hit = hitFor(folded.slice(i, end));
      if (hit !== null) matches[i]?.push([end, hit[0], hit[1]]);
    }
  }

  // best[i] = lowest score for chars[i..n); choice[i] = end of the term used at i, or -1 for a lone character.
  const best = new Array<number>(n + 1).fill(0);
  const choice = new Array<[number, string, TermSource] | null>(n + 1).fill(null);
  for (let i = n - 1; i >= 0; i--) {
    best[i] = 1 + (best[i + 1] ?? 0);
    choice[i] = null;
    for (const match of matches[i] ?? []) {
      const score = 1 + (best[match[0]] ?? 0);
      if (score < (best[i] ?? Number.POSITIVE_INFINITY)) {
        best[i] = score;
        choice[i] = match;
      }
    }
  }
  const terms: { term: string; source: TermSource }[] = [];
  for (let i = 0; i < n; ) {
    const picked = choice[i];
    if (picked === null || picked === undefined) {
      i++;
    } else {
      terms.push({ term: picked[1], source: picked[2] });
      i = picked[0];
    }
  }
  const score = best[0] ?? 0;
  return {
    score,
    terms,
    personal,
    organisation,
    accepted: score >= BANNED_SCORE_THRESHOLD && !personal && !organisation,
  };
}
