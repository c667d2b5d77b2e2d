/**
 * The 35 predefined security questions (reference §4 SQ-04, verbatim, ids 1..35). Their text is
 * translated through `messages/` (`sq.question.<id>`); admin-defined questions (SQ-05) are shown exactly
 * as typed and never translated.
 */
import { createHash } from "node:crypto";
import { t } from "../../messages/index.ts";
import type { SSPRPolicy } from "../../policy/policy.types.ts";

export const PREDEFINED_QUESTIONS: readonly { id: number; text: string }[] = [
  "In what city did you meet your first spouse/partner?",
  "In what city did your parents meet?",
  "In what city does your nearest sibling live?",
  "In what city was your father born?",
  "In what city was your first job?",
  "In what city was your mother born?",
  "What city were you in on New Year's 2000?",
  "What is the last name of your favorite teacher in high school?",
  "What is the name of a college you applied to but didn't attend?",
  "What is the name of the place in which you held your first wedding reception?",
  "What is your father's middle name?",
  "What is your favorite food?",
  "What is your maternal grandmother's first and last name?",
  "What is your mother's middle name?",
  "What is your oldest sibling's birthday month and year? (for example, November 1985)",
  "What is your oldest sibling's middle name?",
  "What is your paternal grandfather's first and last name?",
  "What is your youngest sibling's middle name?",
  "What school did you attend for sixth grade?",
  "What was the first and last name of your childhood best friend?",
  "What was the first and last name of your first significant other?",
  "What was the last name of your favorite grade school teacher?",
  "What was the make and model of your first car or motorcycle?",
  "What was the name of the first school you attended?",
  "What was the name of the hospital in which you were born?",
  "What was the name of the street of your first childhood home?",
  "What was the name of your childhood hero?",
  "What was the name of your favorite stuffed animal?",
  "What was the name of your first pet?",
  "What was your childhood nickname?",
  "What was your favorite sport in high school?",
  "What was your first job?",
  "What were the last four digits of your childhood telephone number?",
  "When you were young, what did you want to be when you grew up?",
  "Who is the most famous person you have ever met?",
].map((text, index) => ({ id: index + 1, text }));

/** Message id of a predefined question. */
export function questionMessageId(id: number): string {
  return `sq.question.${id}`;
}

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
