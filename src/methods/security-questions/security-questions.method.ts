/**
 * Security questions (SPEC §4, reference §4 SQ-01..SQ-14). Registration picks `toRegister`..5 distinct
 * questions from the policy's pool with distinct answers of 3–40 characters (any script); answers are
 * normalised (SQ-14) and stored as argon2id hashes, never readable. At reset, N (= `toReset`) of the
 * registered questions are asked at random; any wrong answer draws a new random set (SQ-12) and counts
 * against THR-04. An unknown account gets a stable decoy set derived from its identifier and the same
 * hashing work against dummy hashes; it never proves.
 */

import type { FieldIssue } from "../../errors/app-error.ts";
import { AppError } from "../../errors/app-error.ts";
import { newId } from "../../kernel/ids.ts";
import { dummyPasswordHash } from "../../kernel/passwords.ts";
import { pickRandom } from "../../kernel/random.ts";
import { hmacHex } from "../../kernel/secrets.ts";
import { hasMethodData } from "../../policy/eligibility.ts";
import type { SSPRPolicy } from "../../policy/policy.types.ts";
import type { EnrollmentRow } from "../../store/types.ts";
import type { MethodDeps } from "../deps.ts";
import type { ChallengeContext, ChallengeVerifyOutcome, ChallengeView, Method } from "../method.ts";
import {
  findQuestion,
  type PoolQuestion,
  PREDEFINED_QUESTIONS,
  predefinedQuestion,
  questionPool,
  questionText,
} from "./questions.ts";

/** SQ-02: at most 5 questions are registered. */
export const MAX_REGISTERED_QUESTIONS = 5;
/** SQ-06. */
export const ANSWER_MIN_CHARS = 3;
export const ANSWER_MAX_CHARS = 40;

type QuestionsDeps = Pick<MethodDeps, "stores" | "clock" | "random" | "keys" | "config" | "hasher" | "throttles">;

/**
 * SQ-14: trim, collapse inner whitespace, Unicode NFKC and (unless case-sensitive) full case folding
 * (upper- then lower-casing also folds ß → ss), so "  Paris " and "PARIS" are the same answer.
 */
export function normaliseAnswer(answer: string, options: { caseSensitive: boolean }): string {
  let value = answer.normalize("NFKC").trim().replace(/\s+/gu, " ");
  if (!options.caseSensitive) value = value.toUpperCase().toLowerCase().normalize("NFKC");
  return value;
}

function registeredHashes(row: EnrollmentRow | undefined): Record<string, string> {
  if (row === undefined || row.secret === null) return {};
  try {
    const parsed = JSON.parse(row.secret) as unknown;
    if (typeof parsed !== "object" || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return {};
  }
}

function activeSet(enrollments: readonly EnrollmentRow[]): EnrollmentRow | undefined {
  return enrollments.find((e) => e.method === "security-questions" && e.status === "active");
}

/**
 * Registered questions with their text: from the current pool, else the predefined list, else the custom
 * text saved at registration (an admin may have removed a question since; the user can still answer it).
 */
function registeredQuestions(row: EnrollmentRow | undefined, policy: SSPRPolicy): PoolQuestion[] {
  const pool = questionPool(policy);
  const saved = (row?.data.customQuestions ?? {}) as Record<string, unknown>;
  const out: PoolQuestion[] = [];
  for (const id of Object.keys(registeredHashes(row))) {
    const text = saved[id];
    const question =
      findQuestion(pool, id) ??
      predefinedQuestion(id) ??
      (typeof text === "string" ? { id, messageId: null, text } : undefined);
    if (question !== undefined) out.push(question);
  }
  return out;
}

/** Reads `{ answers: [{questionId, answer}] }` (registration). */
function readRegistrationAnswers(input: unknown): { questionId: unknown; answer: unknown }[] | null {
  if (typeof input !== "object" || input === null) return null;
  const answers = (input as Record<string, unknown>).answers;
  if (!Array.isArray(answers)) return null;
  if (!answers.every((a) => typeof a === "object" && a !== null && !Array.isArray(a))) return null;
  return answers as { questionId: unknown; answer: unknown }[];
}

/** Reads `{ answers: { "<id>": "<answer>" } }` or `{ answers: [{questionId, answer}] }` (reset). */
function readChallengeAnswers(input: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof input !== "object" || input === null) return out;
  const answers = (input as Record<string, unknown>).answers;
  if (Array.isArray(answers)) {
    for (const item of answers) {
      if (typeof item !== "object" || item === null) continue;
      const { questionId, answer } = item as Record<string, unknown>;
      if ((typeof questionId === "string" || typeof questionId === "number") && typeof answer === "string") {
        out.set(String(questionId), answer);
      }
    }
  } else if (typeof answers === "object" && answers !== null) {
    for (const [id, answer] of Object.entries(answers)) if (typeof answer === "string") out.set(id, answer);
  }
  return out;
}

export function createSecurityQuestionsMethod(deps: QuestionsDeps): Method {
  const gateMaxAttempts = deps.config.flows.codeMaxAttempts;

  /**
   * The decoy "registered" set of an unknown identifier: `toRegister` predefined questions from the policy's
   * pool in an order derived from HMAC(decoy key, seed), so the same identifier always shows the same set.
   */
  function decoyRegistered(ctx: ChallengeContext): string[] {
    const predefined = ctx.policy.securityQuestions.predefined.map(String);
    const pool =
      predefined.length >= MAX_REGISTERED_QUESTIONS ? predefined : PREDEFINED_QUESTIONS.map((q) => String(q.id));
    const ranked = pool
      .map((id) => ({ id, rank: hmacHex(deps.keys.decoy, "security-questions", ctx.decoySeed, id) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : 1))
      .map((entry) => entry.id);
    return ranked.slice(0, Math.min(ctx.policy.securityQuestions.toRegister, ranked.length));
  }

  function registeredIds(ctx: ChallengeContext): { ids: string[]; decoy: boolean } {
    if (ctx.user !== null) {
      const ids = registeredQuestions(activeSet(ctx.enrollments), ctx.policy).map((q) => q.id);
      if (ids.length > 0) return { ids, decoy: false };
    }
    return { ids: decoyRegistered(ctx), decoy: true };
  }

  function view(ctx: ChallengeContext, ids: readonly string[]): ChallengeView {
    const known = [...questionPool(ctx.policy), ...registeredQuestions(activeSet(ctx.enrollments), ctx.policy)];
    return {
      kind: "answer-questions",
      questions: ids.map((id) => {
        const question: PoolQuestion | undefined = findQuestion(known, id) ?? predefinedQuestion(id);
        return { id, text: question === undefined ? id : questionText(question, ctx.request.locale) };
      }),
    };
  }

  function draw(ctx: ChallengeContext, ids: readonly string[]): string[] {
    return pickRandom(deps.random, ids, Math.min(ctx.policy.securityQuestions.toReset, ids.length));
  }

  return {
    id: "security-questions",
    labelMessage: "method.security-questions.label",
    family: "security-questions",

    hasData(user, enrollments, policy): boolean {
      // The one rule the eligibility decision uses too (registered answers ≥ toReset).
      return hasMethodData(user, "security-questions", enrollments, policy);
    },

    enrollment: {
      maxPerUser: 1,

      async start(ctx, input) {
        const settings = ctx.policy.securityQuestions;
        const answers = readRegistrationAnswers(input);
        if (answers === null)
          return { kind: "invalid", issues: [{ field: "answers", message: "method.questions.malformed" }] };
        const issues: FieldIssue[] = [];
        if (answers.length < settings.toRegister || answers.length > MAX_REGISTERED_QUESTIONS) {
          issues.push({ field: "answers", message: "method.questions.count", rule: "SQ-02" });
        }
        const pool = questionPool(ctx.policy);
        const seenQuestions = new Set<string>();
        const seenAnswers = new Set<string>();
        const accepted: { questionId: string; normalised: string; customText: string | null }[] = [];
        answers.forEach((entry, index) => {
          const question = findQuestion(pool, entry.questionId);
          if (question === undefined) {
            issues.push({
              field: `answers.${index}.questionId`,
              message: "method.questions.unknown_question",
              rule: "SQ-10",
            });
            return;
          }
          if (seenQuestions.has(question.id)) {
            issues.push({
              field: `answers.${index}.questionId`,
              message: "method.questions.duplicate_question",
              rule: "SQ-07",
            });
          }
          seenQuestions.add(question.id);
          if (typeof entry.answer !== "string") {
            issues.push({ field: `answers.${index}.answer`, message: "method.questions.answer_length", rule: "SQ-06" });
            return;
          }
          const normalised = normaliseAnswer(entry.answer, { caseSensitive: settings.caseSensitive });
          const length = [...normalised].length;
          if (length < ANSWER_MIN_CHARS || length > ANSWER_MAX_CHARS) {
            issues.push({ field: `answers.${index}.answer`, message: "method.questions.answer_length", rule: "SQ-06" });
            return;
          }
          // SQ-08 compares case-folded answers even when answers are case-sensitive: "Paris" and "paris" are one answer.
          const folded = normaliseAnswer(entry.answer, { caseSensitive: false });
          if (seenAnswers.has(folded)) {
            issues.push({
              field: `answers.${index}.answer`,
              message: "method.questions.duplicate_answer",
              rule: "SQ-08",
            });
          }
          seenAnswers.add(folded);
          accepted.push({
            questionId: question.id,
            normalised,
            customText: question.messageId === null ? question.text : null,
          });
        });
        if (issues.length > 0) return { kind: "invalid", issues };

        const hashes: Record<string, string> = {};
        for (const answer of accepted) hashes[answer.questionId] = await deps.hasher.hash(answer.normalised);
        const now = deps.clock.now();
        const id = newId(deps.random, now);
        // Registering again replaces the previous set (the reference: "Change" = delete + register).
        await deps.stores.transaction(async (tx) => {
          await tx.enrollments.deleteForUser(ctx.user.id, "security-questions");
          await tx.enrollments.insert({
            id,
            userId: ctx.user.id,
            method: "security-questions",
            label: `${accepted.length}`, // the registration page shows "<n> questions answered"
            data: {
              questionIds: accepted.map((a) => a.questionId),
              // Custom question texts, so the questions can still be asked if the admin later edits the list.
              ...(accepted.some((a) => a.customText !== null)
                ? {
                    customQuestions: Object.fromEntries(
                      accepted.filter((a) => a.customText !== null).map((a) => [a.questionId, a.customText]),
                    ),
                  }
                : {}),
            },
            secret: JSON.stringify(hashes),
            status: "active",
            source: "user",
            createdAt: now,
            confirmedAt: now,
            lastUsedAt: null,
          });
        });
        return { kind: "active", enrollmentId: id };
      },

      async confirm(ctx, enrollmentId) {
        // Security questions are active as soon as they are registered; nothing to confirm.
        const row = await deps.stores.enrollments.get(enrollmentId);
        if (row === null || row.userId !== ctx.user.id || row.method !== "security-questions") {
          throw new AppError("ENROLLMENT_NOT_FOUND");
        }
        return { kind: "active", enrollmentId };
      },
    },

    challenge: {
      async begin(ctx) {
        const asked = Array.isArray(ctx.state.questionIds) ? (ctx.state.questionIds as string[]) : null;
        // Reloading the page shows the same questions: re-drawing on every load would reveal the whole set.
        const questionIds = asked ?? draw(ctx, registeredIds(ctx).ids);
        return {
          kind: "view",
          view: view(ctx, questionIds),
          state: { ...ctx.state, questionIds, attempts: ctx.state.attempts ?? 0 },
        };
      },

      async verify(ctx, input): Promise<ChallengeVerifyOutcome> {
        const registered = registeredIds(ctx);
        const asked = Array.isArray(ctx.state.questionIds)
          ? (ctx.state.questionIds as string[])
          : draw(ctx, registered.ids);
        const submitted = readChallengeAnswers(input);
        const caseSensitive = ctx.policy.securityQuestions.caseSensitive;
        const hashes = registered.decoy ? {} : registeredHashes(activeSet(ctx.enrollments));
        const dummy = await dummyPasswordHash(deps.hasher);
        // Every asked question is verified (no early exit), so timing does not tell which answer was wrong.
        let allRight = asked.length > 0;
        for (const id of asked) {
          const hash = hashes[id];
          const answer = normaliseAnswer(submitted.get(id) ?? "", { caseSensitive });
          const ok = await deps.hasher.verify(hash ?? dummy, answer);
          if (!ok || hash === undefined) allRight = false;
        }
        if (allRight && !registered.decoy && ctx.user !== null) {
          const row = activeSet(ctx.enrollments);
          if (row !== undefined) await deps.stores.enrollments.update(row.id, { lastUsedAt: deps.clock.now() });
          return {
            kind: "proved",
            enrollmentId: row?.id ?? null,
            state: { ...ctx.state, questionIds: null, attempts: 0 },
          };
        }

        const attempts = (typeof ctx.state.attempts === "number" ? ctx.state.attempts : 0) + 1;
        if (ctx.user !== null) {
          // THR-04: security-question gate attempts per account.
          const throttle = await deps.throttles.hitAccount(ctx.user.id, "questions", ctx.request);
          if (!throttle.allowed) {
            return {
              kind: "exhausted",
              message: "method.throttled",
              state: { ...ctx.state, questionIds: null, attempts },
            };
          }
        }
        if (attempts >= gateMaxAttempts) {
          return {
            kind: "exhausted",
            message: "method.questions.exhausted",
            state: { ...ctx.state, questionIds: null, attempts },
          };
        }
        // SQ-12: a new random selection after any wrong answer.
        const questionIds = draw(ctx, registered.ids);
        return {
          kind: "view",
          view: view(ctx, questionIds),
          message: "method.questions.wrong",
          attemptsLeft: null,
          state: { ...ctx.state, questionIds, attempts },
        };
      },
    },
  } satisfies Method;
}
