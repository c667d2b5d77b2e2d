/**
 * The 35 predefined security questions (reference §4 SQ-04, verbatim, ids 1..35). Their text is
 * translated through `messages/` (`sq.question.<id>`); admin-defined questions (SQ-05) are shown exactly
 * as typed and never translated.
 */
import { createHash } from "node:crypto";
import { t } from "../../messages/index.ts";
import type { SSPRPolicy } from "../../policy/policy.types.ts";

/** Number of predefined questions (SQ-04). */
export const PREDEFINED_QUESTION_COUNT = 35;

/** Message id of a predefined question. */
export function questionMessageId(id: number): string {
  return `sq.question.${id}`;
}

/** The verbatim English text lives once, in the message catalog (`methods.messages.ts`). */
export const PREDEFINED_QUESTIONS: readonly { id: number; text: string }[] = Array.from(
  { length: PREDEFINED_QUESTION_COUNT },
  (_, index) => ({ id: index + 1, text: t("en", questionMessageId(index + 1)) }),
);

/**
 * Id of an admin-defined question: derived from its text, so reordering or removing other custom questions
 * in the policy never points a user's registered answer at a different question.
 */
export function customQuestionId(text: string): string {
  return `c-${createHash("sha256").update(text, "utf8").digest("hex").slice(0, 12)}`;
}

export interface PoolQuestion {
  /** "1".."35" for predefined, "c-<hash>" for custom. */
  id: string;
  /** Predefined: message id for translation; custom: null. */
  messageId: string | null;
  /** English text (predefined) or the admin's text (custom). */
  text: string;
}

/** The questions the policy offers (SQ-10 pool), predefined first, in policy order. */
export function questionPool(policy: Pick<SSPRPolicy, "securityQuestions">): PoolQuestion[] {
  const pool: PoolQuestion[] = [];
  for (const id of policy.securityQuestions.predefined) {
    const question = PREDEFINED_QUESTIONS[id - 1];
    if (question !== undefined) pool.push({ id: String(id), messageId: questionMessageId(id), text: question.text });
  }
  for (const text of policy.securityQuestions.custom) {
    pool.push({ id: customQuestionId(text), messageId: null, text });
  }
  return pool;
}

/** A question's text for the user: translated when predefined, as typed when custom. */
export function questionText(question: PoolQuestion, locale: string): string {
  return question.messageId === null ? question.text : t(locale, question.messageId);
}

/** Finds a question by id in the pool, accepting numbers for predefined ids. */
export function findQuestion(pool: readonly PoolQuestion[], id: unknown): PoolQuestion | undefined {
  const key = typeof id === "number" ? String(id) : id;
  return typeof key === "string" ? pool.find((question) => question.id === key) : undefined;
}

/** Predefined question by id regardless of policy (decoys, and answers registered under an older policy). */
export function predefinedQuestion(id: string): PoolQuestion | undefined {
  const n = Number(id);
  const question = Number.isInteger(n) ? PREDEFINED_QUESTIONS[n - 1] : undefined;
  return question === undefined
    ? undefined
    : { id: String(question.id), messageId: questionMessageId(question.id), text: question.text };
}
