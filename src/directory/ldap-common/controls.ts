/**
 * LDAP controls and extended operations ldapts has no helper for. ldapts hands a response control to the
 * request control object of the same OID (its `parseControl`), so a control sent with an operation carries
 * the server's answer afterwards — also when the operation itself failed.
 */
import { type BerReader, BerWriter, Control } from "ldapts";

/** draft-behera-ldap-password-policy response errors, in protocol order. */
export const PPOLICY_ERRORS = [
  "passwordExpired",
  "accountLocked",
  "changeAfterReset",
  "passwordModNotAllowed",
  "mustSupplyOldPassword",
  "insufficientPasswordQuality",
  "passwordTooShort",
  "passwordTooYoung",
  "passwordInHistory",
  "passwordTooLong",
] as const;
export type PPolicyError = (typeof PPOLICY_ERRORS)[number];

/**
 * Password policy control (draft-behera-ldap-password-policy, OpenLDAP ppolicy overlay). Sent empty with a
 * bind, modify or Password Modify; the server's response value lands in `error` / `warning`.
 */
export class PasswordPolicyControl extends Control {
  static readonly OID = "1.3.6.1.4.1.42.2.27.8.5.1";
  /** The ppolicy error the server reported, if any. */
  error: PPolicyError | undefined;
  /** Seconds before expiry, or grace binds left. */
  warning: { timeBeforeExpiration?: number; graceAuthNsRemaining?: number } | undefined;
  /** Whether the server answered with this control at all. */
  answered = false;

  constructor() {
    super(PasswordPolicyControl.OID, { critical: false });
  }

  override writeControl(_writer: BerWriter): void {
    // The request control has no value.
  }

  override parseControl(reader: BerReader): void {
    this.answered = true;
    // PasswordPolicyResponseValue ::= SEQUENCE { warning [0] CHOICE {...} OPTIONAL, error [1] ENUMERATED OPTIONAL }
    if (reader.readSequence(0x30) === null) return;
    while (reader.remain > 0) {
      const tag = reader.peek();
      if (tag === 0xa0) {
        reader.readSequence(0xa0);
        const inner = reader.peek();
        if (inner === 0x80) this.warning = { timeBeforeExpiration: reader.readTag(0x80) ?? 0 };
        else if (inner === 0x81) this.warning = { graceAuthNsRemaining: reader.readTag(0x81) ?? 0 };
        else return;
      } else if (tag === 0x81) {
        const code = reader.readTag(0x81);
        this.error = code === null ? undefined : PPOLICY_ERRORS[code];
      } else {
        return;
      }
    }
  }
}

/** AD policy hints OIDs: 2239 (Windows 2012+), 2066 (the 2008 R2 "deprecated" one, still honoured later). */
export const POLICY_HINTS_OIDS = {
  current: "1.2.840.113556.1.4.2239",
  deprecated: "1.2.840.113556.1.4.2066",
} as const;

/**
 * LDAP_SERVER_POLICY_HINTS: value SEQUENCE { INTEGER flags }; flags=1 asks AD to enforce password history
 * and minimum age on an administrative reset (MS-ADTS 3.1.1.3.4.1.27, REQ-103).
 */
export class PolicyHintsControl extends Control {
  constructor(options: { oid: string; critical: boolean }) {
    super(options.oid, { critical: options.critical });
  }

  override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

/** RFC 3062 Password Modify extended operation. */
export const PASSWORD_MODIFY_OID = "1.3.6.1.4.1.4203.1.11.1";

/** BER value of a Password Modify request: SEQUENCE { [0] userIdentity, [1] oldPasswd, [2] newPasswd }. */
export function passwordModifyValue(options: { userDN: string; oldPassword?: string; newPassword: string }): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeString(options.userDN, 0x80);
  if (options.oldPassword !== undefined) writer.writeString(options.oldPassword, 0x81);
  writer.writeString(options.newPassword, 0x82);
  writer.endSequence();
  return writer.buffer;
}

/** AD `unicodePwd` value: the password in double quotes, UTF-16LE (a JS string would go out as UTF-8). */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, "utf16le");
}
