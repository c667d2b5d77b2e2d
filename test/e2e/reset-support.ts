/**
 * Helpers for the reset-flow tests: solving the proof-of-work CAPTCHA the way a headless client does
 * (altcha-lib's `solveChallenge` on the server's challenge), and walking the flow over the pages or the API.
 */
import assert from "node:assert/strict";
import { solveChallenge } from "altcha-lib/v1";
import type { DirectoryUser } from "../../src/directory/connector.ts";
import { generateTOTP } from "../../src/methods/totp/totp.method.ts";
import type { TestApp } from "../support/app.ts";
import type { HTTPClient, HTTPResponse } from "../support/http-client.ts";

/** The cheapest difficulty the config accepts: tests solve it in a few milliseconds. */
export const TEST_CAPTCHA_MAX = 1000;

export interface Challenge {
  algorithm: string;
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

export async function solveCaptcha(client: HTTPClient): Promise<string> {
  const response = await client.json("GET", "/api/v1/reset/captcha");
  assert.equal(response.status, 200, response.body);
  const challenge = response.json<Challenge>();
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber)
    .promise;
  assert.ok(solution !== null, "captcha not solvable");
  const payload = {
    algorithm: challenge.algorithm,
    challenge: challenge.challenge,
    number: solution.number,
    salt: challenge.salt,
    signature: challenge.signature,
  };
  return Buffer.from(JSON.stringify(payload)).toString("base64");
}

/** Identify through the pages; returns the flow id (from the redirect) and the final page. */
export async function startPage(
  client: HTTPClient,
  identifier: string,
): Promise<{ flowId: string; response: HTTPResponse }> {
  await client.get("/reset");
  const altcha = await solveCaptcha(client);
  const response = await client.postForm("/reset", { identifier, altcha });
  const hop = response.redirects[0];
  assert.ok(hop !== undefined, `identify did not redirect: ${response.status} ${response.body.slice(0, 300)}`);
  const match = /^\/reset\/([0-9a-z]+)$/.exec(hop.location);
  assert.ok(match?.[1] !== undefined, hop.location);
  return { flowId: match[1], response };
}

export interface APIFlow {
  flowId: string;
  token: string;
  flow: FlowJSON;
}

export interface FlowJSON {
  flowId: string;
  state: string;
  gate: number | null;
  methods: { id: string; label: string }[];
  method: string | null;
  challenge: { kind: string; hint?: string; codeLength?: number; questions?: { id: string; text: string }[] } | null;
  message: string | null;
  messageKind: string | null;
  attemptsLeft: number | null;
  result: string | null;
  refusal: { code: string; message: string } | null;
  contactedAdmin: boolean;
}

export async function startAPI(
  client: HTTPClient,
  identifier: string,
  headers: Record<string, string> = {},
): Promise<APIFlow> {
  const captcha = await solveCaptcha(client);
  const response = await client.json("POST", "/api/v1/reset", { identifier, captcha }, { headers });
  assert.equal(response.status, 201, response.body);
  return response.json<APIFlow>();
}

/** One API step with the flow token. */
export async function step(
  client: HTTPClient,
  flow: { flowId: string; token: string },
  action: string,
  body: unknown = {},
  headers: Record<string, string> = {},
): Promise<HTTPResponse> {
  const response = await client.json("POST", `/api/v1/reset/${flow.flowId}/${action}`, body, {
    headers: { "x-flow-token": flow.token, ...headers },
  });
  // A passed gate replaces the flow token (REQ-084): keep using the new one, as a client must.
  if (response.status === 200) {
    const next = (JSON.parse(response.body) as { token?: unknown }).token;
    if (typeof next === "string") flow.token = next;
  }
  return response;
}

export function flowOf(response: HTTPResponse): FlowJSON {
  return response.json<{ flow: FlowJSON }>().flow;
}

/** Registers a TOTP app for `user` through the method itself; returns the secret to generate codes from. */
export async function enrollTOTP(t: TestApp, user: DirectoryUser): Promise<string> {
  const method = t.registry.methods.get("totp");
  assert.ok(method?.enrollment !== undefined);
  const { policy } = await t.registry.policy.current();
  const request = { ip: "127.0.0.1", userAgent: "test", requestId: "enroll", locale: "en" };
  const ctx = { user, enrollments: await t.registry.stores.enrollments.listForUser(user.id), policy, request };
  const started = await method.enrollment.start(ctx, { label: "Phone" });
  assert.equal(started.kind, "totp-setup");
  if (started.kind !== "totp-setup") throw new Error("unreachable");
  const confirmed = await method.enrollment.confirm(ctx, started.enrollmentId, {
    code: generateTOTP(started.secretBase32, t.clock.now()),
  });
  assert.equal(confirmed.kind, "active");
  // The confirmation code's time step is spent (replay guard): move on to the next one.
  t.clock.advance(30_000);
  return started.secretBase32;
}

/** Registers security questions 1..n with answers "answer-<id>". */
export async function enrollQuestions(t: TestApp, user: DirectoryUser, count = 3): Promise<void> {
  const method = t.registry.methods.get("security-questions");
  assert.ok(method?.enrollment !== undefined);
  const { policy } = await t.registry.policy.current();
  const request = { ip: "127.0.0.1", userAgent: "test", requestId: "enroll", locale: "en" };
  const ctx = { user, enrollments: await t.registry.stores.enrollments.listForUser(user.id), policy, request };
  const answers = Array.from({ length: count }, (_, i) => ({
    questionId: String(i + 1),
    answer: `answer number ${i + 1}`,
  }));
  const started = await method.enrollment.start(ctx, { answers });
  assert.equal(started.kind, "active", JSON.stringify(started));
}

export function answerFor(questionId: string): string {
  return `answer number ${questionId}`;
}
