/**
 * Helpers shared by the registration portal tests (`registration-*.test.ts`): a policy that allows the
 * self-service methods, signing in through the real form, TOTP codes from the manual clock, audit lookups.
 */
import { Secret, TOTP } from "otpauth";
import { AUDIT_ACTIVITIES, type AuditActivityKey } from "../../src/audit/events.ts";
import type { ManualClock } from "../../src/kernel/clock.ts";
import type { SSPRPolicy } from "../../src/policy/policy.types.ts";
import type { Registry } from "../../src/registry.types.ts";
import type { AuditRow } from "../../src/store/types.ts";
import { type BuildTestAppOptions, buildTestApp, TEST_PASSWORD, type TestApp } from "../support/app.ts";
import type { HTTPClient, HTTPResponse } from "../support/http-client.ts";

/** Everyone in scope, two methods required out of email / authenticator app / security questions. */
export const REGISTRATION_POLICY: Partial<SSPRPolicy> = {
  enabled: "all",
  methodsRequired: 2,
  methods: ["email-code", "totp", "security-questions"],
  registration: { required: true, reconfirmDays: 90 },
};

export function buildRegistrationApp(options: BuildTestAppOptions = {}): Promise<TestApp> {
  return buildTestApp({ ...options, policy: { ...REGISTRATION_POLICY, ...(options.policy ?? {}) } });
}

export async function signIn(
  client: HTTPClient,
  identifier: string,
  options: { password?: string; returnTo?: string } = {},
): Promise<HTTPResponse> {
  const fields: Record<string, string> = { identifier, password: options.password ?? TEST_PASSWORD };
  if (options.returnTo !== undefined) fields["return_to"] = options.returnTo;
  return client.postForm("/register/sign-in", fields, { from: "/register", follow: false });
}

/** The authenticator app's current code for `secretBase32` at the manual clock's time. */
export function totpNow(secretBase32: string, clock: ManualClock): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secretBase32), digits: 6, period: 30, algorithm: "SHA1" });
  return totp.generate({ timestamp: clock.now().getTime() });
}

/** Audit rows of one activity (oldest first). */
export async function auditRows(registry: Registry, activity: AuditActivityKey): Promise<AuditRow[]> {
  const { rows } = await registry.stores.audit.query({ offset: 0, limit: 1000 });
  return rows
    .filter((row) => row.activity === AUDIT_ACTIVITIES[activity].name)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The base32 secret shown on the TOTP setup page (grouped by 4 for reading). */
export function secretFromPage(html: string): string {
  const match = /data-testid="totp-secret"[^>]*>([^<]+)</.exec(html);
  if (match?.[1] === undefined) throw new Error("no TOTP secret on the page");
  return match[1].replace(/\s+/g, "");
}

/** The enrollment id in a `/register/enrollments/<id>/confirm` form action or link. */
export function enrollmentIdFrom(html: string): string {
  const match = /\/register\/enrollments\/([0-9a-z]+)\/confirm/.exec(html);
  if (match?.[1] === undefined) throw new Error("no enrollment confirmation form on the page");
  return match[1];
}

/** Visible text of an HTML page (tags dropped, entities decoded, spaces collapsed) for text assertions. */
export function pageText(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** Registers an email address through the JSON API (start, read the code from the mailbox, confirm). */
export async function registerEmailAPI(t: TestApp, client: HTTPClient, address: string): Promise<HTTPResponse> {
  const start = await client.json("POST", "/api/v1/registration/methods/email-code", { email: address });
  if (start.status !== 201) throw new Error(`email start failed: ${start.status} ${start.body}`);
  const { enrollmentId } = start.json<{ enrollmentId: string }>();
  const code = await t.lastCode(address);
  if (code === null) throw new Error(`no code mailed to ${address}`);
  return client.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, { code });
}

/** Registers an authenticator app through the JSON API, confirming with the current code. */
export async function registerTOTPAPI(t: TestApp, client: HTTPClient, label: string): Promise<HTTPResponse> {
  const start = await client.json("POST", "/api/v1/registration/methods/totp", { label });
  if (start.status !== 201) throw new Error(`totp start failed: ${start.status} ${start.body}`);
  const { enrollmentId, secret } = start.json<{ enrollmentId: string; secret: string }>();
  return client.json("POST", `/api/v1/registration/enrollments/${enrollmentId}/confirm`, {
    code: totpNow(secret, t.clock),
  });
}

export async function signInAPI(client: HTTPClient, identifier: string, returnTo?: string): Promise<HTTPResponse> {
  return client.json("POST", "/api/v1/registration/sign-in", {
    identifier,
    password: TEST_PASSWORD,
    ...(returnTo !== undefined ? { returnTo } : {}),
  });
}
