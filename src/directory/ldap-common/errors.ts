/**
 * Turning LDAP/AD answers into outcomes. Two kinds of failure exist:
 * - the directory ANSWERED and refused (a result code): a password write refusal is a `PasswordWriteResult`
 *   the flow shows in plain words (SPEC §3);
 * - the directory did NOT answer (refused connection, TLS failure, timeout, closed socket) or the service
 *   account is misconfigured: `AppError("DIRECTORY_UNAVAILABLE")`, never exposed, raw error kept as `cause`.
 */
import { ResultCodeError } from "ldapts";
import { AppError } from "../../errors/app-error.ts";
import type { PasswordWriteResult } from "../connector.ts";
import type { PPolicyError } from "./controls.ts";

type Refusal = Extract<PasswordWriteResult, { ok: false }>;

/** LDAP result code of a server answer, or `undefined` when the error is not an LDAP result. */
export function ldapResultCode(error: unknown): number | undefined {
  if (error instanceof ResultCodeError) return error.code;
  return undefined;
}

/** The server's diagnostic text without ldapts's ` Code: 0x..` suffix. */
export function diagnosticText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*Code: 0x[0-9a-f]+$/i, "").trim();
}

/** Whether the error means the server could not be reached or did not answer in time. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof ResultCodeError) {
    // 51 busy, 52 unavailable: the server side is unwell.
    return error.code === 51 || error.code === 52;
  }
  if (!(error instanceof Error) || error instanceof AppError) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (
    typeof code === "string" &&
    /^(E[A-Z]+|ERR_TLS_.*|ERR_SSL_.*|UNABLE_TO_.*|.*CERT.*|DEPTH_ZERO_SELF_SIGNED_CERT)$/.test(code)
  )
    return true;
  return /timed out|timeout|socket|connection closed|not established|ECONN|EPIPE|certificate|TLS|SSL/i.test(
    error.message,
  );
}

/** Wraps a failure to reach the directory (or a misconfiguration) into the not-exposed AppError. */
export function unavailable(detail: string, cause?: unknown): AppError {
  const suffix = cause === undefined ? "" : `: ${diagnosticText(cause)}`;
  return new AppError("DIRECTORY_UNAVAILABLE", { detail: `${detail}${suffix}`, cause });
}

/** OpenLDAP ppolicy control error → the user-facing reason. */
export function reasonFromPPolicy(error: PPolicyError): Refusal["reason"] | null {
  switch (error) {
    case "passwordTooShort":
      return "too_short";
    case "passwordInHistory":
      return "history";
    case "passwordTooYoung":
      return "too_recent";
    case "insufficientPasswordQuality":
    case "passwordTooLong":
    case "passwordModNotAllowed":
    case "mustSupplyOldPassword":
      return "policy";
    default:
      return null;
  }
}

/**
 * Maps an OpenLDAP password-write refusal. The ppolicy response control is authoritative; without it
 * (control not returned, 389-DS) the diagnostic text is matched. `null` = not a policy refusal.
 */
export function mapLDAPPasswordRefusal(error: unknown, ppolicy: PPolicyError | undefined): Refusal | null {
  const code = ldapResultCode(error);
  if (code === undefined) return null;
  const text = diagnosticText(error);
  const fromControl = ppolicy === undefined ? null : reasonFromPPolicy(ppolicy);
  if (fromControl !== null)
    return { ok: false, reason: fromControl, detail: `ppolicy ${ppolicy}: ${text} (LDAP ${code})` };
  if (code === 19 || code === 53) {
    const reason: Refusal["reason"] = /history/i.test(text)
      ? "history"
      : /too young|too soon/i.test(text)
        ? "too_recent"
        : /too short|not long enough|minimum length/i.test(text)
          ? "too_short"
          : "policy";
    return { ok: false, reason, detail: `${text} (LDAP ${code})` };
  }
  return null;
}

/** Parts of an AD error: result code, leading Win32 code of the diagnostic text, a bind's `data NNN`. */
export interface ADErrorParts {
  readonly code: number | undefined;
  /** e.g. `0000052D`. */
  readonly extended: string | undefined;
  /** e.g. `52e`, `773`, `775`. */
  readonly data: string | undefined;
  readonly text: string;
}

export function parseADError(error: unknown): ADErrorParts {
  const text = diagnosticText(error);
  return {
    code: ldapResultCode(error),
    extended: /^([0-9A-F]{8}):/i.exec(text)?.[1]?.toUpperCase(),
    data: /\bdata ([0-9a-f]+)\b/i.exec(text)?.[1]?.toLowerCase(),
    text,
  };
}

/** What a bind's `data NNN` means (AD: MS-ADTS, "AcceptSecurityContext error"). Plain words for admins. */
export const AD_BIND_DATA: Readonly<Record<string, string>> = {
  "525": "no such user",
  "52e": "invalid credentials",
  "530": "logon not permitted at this time",
  "531": "logon not permitted from this workstation",
  "532": "password expired",
  "533": "account disabled",
  "568": "too many security IDs (token too large)",
  "701": "account expired",
  "773": "user must change password at next logon",
  "775": "account locked out",
};

/** Plain-words meaning of an AD Win32 code in a diagnostic text. */
export const AD_EXTENDED: Readonly<Record<string, string>> = {
  "0000052D": "the password does not meet the domain's policy (length, complexity, history or minimum age)",
  "00000056": "the current password is not correct",
  "00000775": "the account is locked out",
  "0000052E": "invalid credentials",
  "00000005": "access denied",
  "00002098": "the service account lacks the right to write this attribute",
  "00002035": "the server refused the operation (unwilling to perform)",
  "0000202F": "the password value was not encoded as a quoted UTF-16LE string",
  "00000057": "invalid parameter",
  "00002020": "the operation needs an authenticated connection",
  "80090308": "the bind was refused",
};

/**
 * Maps an AD password-write refusal. Matches the `0000052D` prefix (Samba < 4.24 answers 19, Windows and
 * newer Samba 53 for a reset) and reads the detail text only to pick the more specific reason.
 */
export function mapADPasswordRefusal(error: unknown): Refusal | null {
  const parts = parseADError(error);
  if (parts.code === undefined) return null;
  const detail = `${parts.text} (LDAP ${parts.code}${parts.extended === undefined ? "" : `, ${AD_EXTENDED[parts.extended] ?? parts.extended}`})`;
  if (parts.extended === "0000052D") {
    const reason: Refusal["reason"] = /history|already used|previous password/i.test(parts.text)
      ? "history"
      : /too young|minimum.*age/i.test(parts.text)
        ? "too_recent"
        : /too short/i.test(parts.text)
          ? "too_short"
          : "policy";
    return { ok: false, reason, detail };
  }
  if (parts.extended === "00000056" || parts.data === "52e")
    return { ok: false, reason: "wrong_current_password", detail };
  if (parts.extended === "00000775" || parts.data === "775") return { ok: false, reason: "policy", detail };
  if (parts.code === 19) return { ok: false, reason: "policy", detail };
  if (parts.code === 50) return { ok: false, reason: "protected_account", detail };
  return null;
}
