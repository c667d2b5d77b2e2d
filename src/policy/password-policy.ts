/**
 * The password policy (SPEC §7), one service used on every path (reset, change, admin-set, initial; REQ-048).
 * Order: length → classes → current → banned (names, organisation, fuzzy lists) → history. Every problem found is
 * returned so the page can list them; the directory's own policy stays final (its refusal comes back from the
 * connector as a `PasswordWriteResult`).
 */
import { type TranslationKeys, ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary as commonDictionary } from "@zxcvbn-ts/language-common";
import { dictionary as englishDictionary } from "@zxcvbn-ts/language-en";
import type { PasswordHasher } from "../kernel/passwords.ts";
import type { PasswordCheck, PasswordPolicyService, PolicyService } from "../registry.types.ts";
import {
  type BannedList,
  bundledGlobalBannedList,
  contextTerms,
  createBannedList,
  evaluateBannedPassword,
} from "./banned-passwords.ts";
import type { SSPRPolicy } from "./policy.types.ts";

export type PasswordPolicyDeps = {
  policy: Pick<PolicyService, "current">;
  hasher: PasswordHasher;
  /** The global banned list; defaults to the bundled one (tests pass their own). */
  globalBanned?: BannedList;
};

type Problem = Extract<PasswordCheck, { ok: false }>["problems"][number];

/** Counts lower / upper / digit / symbol classes present (Unicode-aware). */
export function characterClasses(password: string): number {
  let classes = 0;
  if (/\p{Ll}/u.test(password)) classes++;
  if (/\p{Lu}/u.test(password)) classes++;
  if (/\p{Nd}/u.test(password)) classes++;
  if (/[^\p{L}\p{Nd}]/u.test(password)) classes++;
  return classes;
}

/** Feedback keys come back as message ids (`strength.warning.*`, `strength.suggestion.*`) for `policy.messages.ts`. */
function idTranslations(): TranslationKeys {
  const warnings = [
    "straightRow",
    "keyPattern",
    "simpleRepeat",
    "extendedRepeat",
    "sequences",
    "recentYears",
    "dates",
    "topTen",
    "topHundred",
    "common",
    "similarToCommon",
    "wordByItself",
    "namesByThemselves",
    "commonNames",
    "userInputs",
    "pwned",
  ];
  const suggestions = [
    "l33t",
    "reverseWords",
    "allUppercase",
    "capitalization",
    "dates",
    "recentYears",
    "associatedYears",
    "sequences",
    "repeated",
    "longerKeyboardPattern",
    "anotherWord",
    "useWords",
    "noNeed",
    "pwned",
  ];
  const times = [
    "ltSecond",
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "month",
    "months",
    "year",
    "years",
    "centuries",
  ];
  // zxcvbn checks at start-up that every key it knows is present, so a renamed key fails loudly.
  return {
    warnings: Object.fromEntries(warnings.map((k) => [k, `strength.warning.${k}`])),
    suggestions: Object.fromEntries(suggestions.map((k) => [k, `strength.suggestion.${k}`])),
    timeEstimation: Object.fromEntries(times.map((k) => [k, k])),
  } as TranslationKeys;
}

/** Characters of a password the strength meter looks at. */
export const STRENGTH_MAX_CHARS = 32;

let zxcvbn: ZxcvbnFactory | undefined;
/** Built once per process: the dictionaries take ~100 ms to rank. */
function strengthEstimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations: idTranslations(),
    // The default (100) makes l33t-heavy inputs cost seconds ("P@$$w0rd!" repeated): a DoS on the meter endpoint.
    l33tMaxSubstitutions: 4,
  });
  return zxcvbn;
}

export function createPasswordPolicyService(deps: PasswordPolicyDeps): PasswordPolicyService {
  const globalBanned = deps.globalBanned ?? bundledGlobalBannedList();
  // The custom list changes only with the policy: index it once per distinct list.
  let customKey = "";
  let customList: BannedList | null = null;
  const customFor = (policy: SSPRPolicy): BannedList | null => {
    if (!policy.passwords.enforceCustomBanned || policy.passwords.customBanned.length === 0) return null;
    const key = policy.passwords.customBanned.join("\n");
    if (customList === null || key !== customKey) {
      customList = createBannedList(policy.passwords.customBanned, "custom");
      customKey = key;
    }
    return customList;
  };

  const strength: PasswordPolicyService["strength"] = (password, userInputs) => {
    // zxcvbn's cost grows steeply with length; past 32 characters it scores 4 (very strong) for anything but repetition.
    const result = strengthEstimator().check(Array.from(password).slice(0, STRENGTH_MAX_CHARS).join(""), userInputs);
    const feedback = [result.feedback.warning, ...result.feedback.suggestions].filter(
      (id): id is string => typeof id === "string" && id.length > 0,
    );
    return { score: result.score, feedback };
  };

  return {
    async check(password, context): Promise<PasswordCheck> {
      const { policy } = await deps.policy.current();
      const rules = policy.passwords;
      const problems: Problem[] = [];
      const length = Array.from(password).length; // REQ-041: code points, not UTF-16 units

      if (length < rules.minLength) {
        problems.push({ rule: "length", message: "password.too_short", params: { min: rules.minLength } });
      }
      if (length > rules.maxLength) {
        // Nothing else is evaluated on an over-long input (REQ-039/051: bounded work).
        problems.push({ rule: "max_length", message: "password.too_long", params: { max: rules.maxLength } });
        return { ok: false, problems };
      }
      if (rules.requiredClasses > 0 && characterClasses(password) < rules.requiredClasses) {
        problems.push({ rule: "classes", message: "password.classes", params: { count: rules.requiredClasses } });
      }
      if (context.currentPassword !== undefined && context.currentPassword === password) {
        problems.push({ rule: "current", message: "password.current" });
      }

      const user = context.user;
      const evaluation = evaluateBannedPassword(password, {
        lists: [customFor(policy), globalBanned].filter((list): list is BannedList => list !== null),
        personalTerms:
          user === null ? [] : contextTerms([user.userName, user.displayName, user.email?.split("@")[0] ?? null]),
        organisationTerms: contextTerms([rules.organisationName]),
      });
      if (evaluation.personal) {
        problems.push({ rule: "personal", message: "password.personal" });
      }
      if (evaluation.organisation) {
        problems.push({ rule: "banned", message: "password.banned" });
      } else if (evaluation.score < 5) {
        if (evaluation.terms.some((t) => t.source === "custom")) {
          problems.push({ rule: "custom_banned", message: "password.custom_banned" });
        } else if (evaluation.terms.length === 1 && evaluation.score === 1) {
          problems.push({ rule: "banned", message: "password.seen_before" });
        } else {
          problems.push({ rule: "banned", message: "password.banned" });
        }
      }

      const previous = context.previousHashes ?? [];
      if (previous.length > 0) {
        const reused = await Promise.all(previous.map((hash) => deps.hasher.verify(hash, password)));
        if (reused.some(Boolean)) problems.push({ rule: "history", message: "password.history" });
      }

      if (problems.length > 0) return { ok: false, problems };
      // The §6.2 score, not zxcvbn: the reset path must stay fast (zxcvbn costs tens of ms); the meter calls strength().
      return { ok: true, score: evaluation.score };
    },
    strength,
  };
}
