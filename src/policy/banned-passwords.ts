/**
 * The banned-password "fuzzy policy" of the reference (§6.2, SPEC §7), as a pure, precomputed matcher.
 *
 * 1. Normalise: lowercase, then common substitutions (0→o 1→l $→s @→a 3→e 4→a 5→s 7→t !→i).
 * 2. Fuzzy match (edit distance 1) of normalised password substrings against the global and custom terms.
 * 3. Exact substring match of the user's names and the organisation name, for terms of ≥ 4 characters:
 *    a hit rejects outright (reference vector `p0LL23fb` / first name "Poll").
 * 4. Score: +1 per banned term found, +1 per remaining character; accept iff score ≥ 5.
 *
 * Speed (it runs on every reset): each list is a trie walked from every start position with at most one edit
 * (≈ 0.25 ms for a typical password against the 4,000-term bundled list), never a scan of the list. The chosen
 * reading of the password is the one with the LOWEST score (the attacker's best), by dynamic programming over
 * positions.
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
  /**
   * Every occurrence of a term starting at `start` in `text` (normalised and folded): `[end, term]` pairs,
   * one per end position. An occurrence is a substring of ≥ 4 characters within edit distance 1 of a term,
   * except a term plus one extra character at either END: that reading is "the exact term plus one remaining
   * character", which is how the reference scores `ContoS0Bl@nkf9!` (blank + f, score 5, accept).
   */
  occurrencesAt(text: string, start: number): [number, string][];
}

/**
 * Matching works on UTF-16 strings for speed; astral characters (emoji) are folded to U+FFFD first so one
 * character is one string index everywhere. Only the fuzzy list matching sees folded text.
 */
function foldAstral(text: string): string {
  return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "\uFFFD");
}

interface TrieNode {
  children: Map<string, TrieNode>;
  term: string | null;
}

/**
 * Indexes `terms` (raw; normalised here) in a trie. Terms outside 4–16 characters after normalisation are
 * skipped. A query walks the trie from one start position allowing at most one edit (substitution, a missing
 * character, an extra character), so it costs a few hundred node visits instead of a scan of the list.
 */
export function createBannedList(terms: Iterable<string>, source: TermSource): BannedList {
  const root: TrieNode = { children: new Map(), term: null };
  // Terms without their first character: an edit AT the first character (substituted or missing) is an exact
  // walk of this trie, which avoids branching over every root child on every start position.
  const tails: TrieNode = { children: new Map(), term: null };
  const insert = (trie: TrieNode, key: string, term: string): boolean => {
    let node = trie;
    for (const ch of key) {
      let next = node.children.get(ch);
      if (next === undefined) {
        next = { children: new Map(), term: null };
        node.children.set(ch, next);
      }
      node = next;
    }
    if (node.term !== null) return false;
    node.term = term;
    return true;
  };
  let size = 0;
  for (const raw of terms) {
    const term = foldAstral(normaliseForBannedCheck(raw.trim()));
    if (term.length < MIN_TERM_LENGTH || term.length > MAX_TERM_LENGTH) continue;
    if (insert(root, term, term)) {
      size++;
      insert(tails, term.slice(1), term);
    }
  }

  return {
    source,
    size,
    occurrencesAt(text: string, start: number): [number, string][] {
      const found = new Map<number, string>();
      const record = (node: TrieNode, end: number): void => {
        if (node.term !== null && end - start >= MIN_TERM_LENGTH && !found.has(end)) found.set(end, node.term);
      };
      /**
       * `edited`: the one edit is used. `afterInsertion`: the last step skipped an extra password character, so
       * a terminal reached right now would be "term + extra char at the end" (not a fuzzy hit).
       */
      const walk = (node: TrieNode, pos: number, edited: boolean, afterInsertion: boolean): void => {
        if (!afterInsertion) record(node, pos);
        const ch = pos < text.length ? text[pos] : undefined;
        if (ch !== undefined) {
          const exact = node.children.get(ch);
          if (exact !== undefined) walk(exact, pos + 1, edited, false);
        }
        if (edited || node === root) return;
        for (const [key, child] of node.children) {
          if (ch !== undefined && key !== ch) walk(child, pos + 1, true, false); // substitution
          walk(child, pos, true, false); // the password lacks this term character
        }
        // The password has an extra character here; not at the very start (that is "one char + the exact term").
        if (ch !== undefined && node !== root) walk(node, pos + 1, true, true);
      };
      walk(root, start, false, false);
      // The one edit at the first term character: missing (tail starts here) or substituted (tail starts next).
      for (const from of [start, start + 1]) {
        let node: TrieNode | undefined = tails;
        for (let pos = from; pos < text.length && node !== undefined; pos++) {
          node = node.children.get(text[pos] as string);
          if (node !== undefined) record(node, pos + 1);
        }
      }
      return [...found.entries()];
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
  const matches: [number, string, TermSource][][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const taken = new Set<number>();
    for (const list of options.lists) {
      for (const [end, term] of list.occurrencesAt(folded, i)) {
        // A span found in an earlier list (custom first) keeps that attribution.
        if (!taken.has(end)) {
          taken.add(end);
          matches[i]?.push([end, term, list.source]);
        }
      }
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
