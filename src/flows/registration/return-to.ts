/**
 * `return_to` validation for the registration interrupt (SPEC §6, REQ-021): other sign-in systems send the
 * user to `/register?return_to=...` and get them back afterwards. Without an allow-list this is an open
 * redirect (phishing: "verify your security info" → attacker page), so a value is honoured only when its
 * origin is exactly the portal's own (`server.publicUrl`) or one listed in `server.allowedReturnOrigins`,
 * compared after URL parsing as whole origins, never with `startsWith`.
 */

/** Longest `return_to` we keep (it lives in the session and in a hidden form field). */
export const RETURN_TO_MAX_LENGTH = 2048;

export interface ReturnToPolicy {
  /** `config.server.publicUrl`. */
  publicUrl: string;
  /** `config.server.allowedReturnOrigins`. */
  allowedReturnOrigins: readonly string[];
}

/**
 * Returns the absolute URL to redirect to, or `null` when `raw` must be ignored. Relative paths ("/account")
 * resolve against the portal's own URL. Refused: protocol-relative (`//evil`), backslash tricks (`/\evil`,
 * which browsers treat as `//evil`), non-http(s) schemes (`javascript:`, `data:`), userinfo
 * (`https://portal@evil`), control characters and anything whose origin is not allow-listed.
 */
export function safeReturnTo(raw: unknown, policy: ReturnToPolicy): string | null {
  if (typeof raw !== "string") return null;
  if (raw.length === 0 || raw.length > RETURN_TO_MAX_LENGTH) return null;
  // Browsers strip tabs/newlines inside URLs and treat "\" as "/": refuse rather than guess.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return null;
  if (raw.trim() !== raw) return null;
  let base: URL;
  try {
    base = new URL(policy.publicUrl);
  } catch {
    return null;
  }
  let target: URL;
  try {
    // Only a path that starts with exactly one "/" is treated as relative; "//host" is an absolute URL.
    if (raw.startsWith("/") && !raw.startsWith("//")) target = new URL(raw, base);
    else target = new URL(raw);
  } catch {
    return null;
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") return null;
  if (target.username !== "" || target.password !== "") return null;
  const allowed = new Set<string>([base.origin]);
  for (const origin of policy.allowedReturnOrigins) {
    const parsed = originOf(origin);
    if (parsed !== null) allowed.add(parsed);
  }
  if (!allowed.has(target.origin)) return null;
  return target.href;
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.origin;
  } catch {
    return null;
  }
}
