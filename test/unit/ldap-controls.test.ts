/**
 * The controls ldapts has no helper for, checked byte by byte: the AD policy hints control that makes a DC
 * enforce history on resets (REQ-103), the RFC 3062 Password Modify request, the quoted UTF-16LE unicodePwd
 * (REQ-102), and the ppolicy response that turns OpenLDAP refusals into reasons.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BerReader, BerWriter } from "ldapts";
import {
  PasswordPolicyControl,
  PolicyHintsControl,
  passwordModifyValue,
  unicodePwd,
} from "../../src/directory/ldap-common/controls.ts";

function encode(control: { write(writer: BerWriter): void }): Buffer {
  const writer = new BerWriter();
  control.write(writer);
  return writer.buffer;
}

describe("AD policy hints", () => {
  test("SEQUENCE { INTEGER 1 } under the configured OID, non-critical", () => {
    const bytes = encode(new PolicyHintsControl({ oid: "1.2.840.113556.1.4.2066", critical: false }));
    const oid = Buffer.from("1.2.840.113556.1.4.2066");
    const expected = Buffer.concat([
      Buffer.from([0x30, 2 + oid.length + 3 + 7]),
      Buffer.from([0x04, oid.length]),
      oid,
      Buffer.from([0x01, 0x01, 0x00]), // criticality FALSE
      Buffer.from([0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01]), // value: SEQUENCE { INTEGER 1 }
    ]);
    assert.deepEqual(bytes, expected);
  });
});

describe("unicodePwd", () => {
  test("the password in double quotes, UTF-16LE, non-ASCII and emoji included", () => {
    assert.deepEqual(unicodePwd("Ab1"), Buffer.from([0x22, 0, 0x41, 0, 0x62, 0, 0x31, 0, 0x22, 0]));
    assert.equal(unicodePwd("Ünï🔑").toString("utf16le"), '"Ünï🔑"');
  });
});

describe("RFC 3062 Password Modify", () => {
  test("[0] user, [1] old, [2] new in a SEQUENCE; old omitted for a reset", () => {
    const change = passwordModifyValue({ userDN: "uid=a", oldPassword: "o", newPassword: "n" });
    assert.deepEqual(
      change,
      Buffer.from([0x30, 0x0d, 0x80, 0x05, ...Buffer.from("uid=a"), 0x81, 0x01, 0x6f, 0x82, 0x01, 0x6e]),
    );
    const reset = passwordModifyValue({ userDN: "uid=a", newPassword: "n" });
    assert.deepEqual(reset, Buffer.from([0x30, 0x0a, 0x80, 0x05, ...Buffer.from("uid=a"), 0x82, 0x01, 0x6e]));
  });
});

describe("ppolicy response control", () => {
  const parse = (value: number[]): PasswordPolicyControl => {
    const control = new PasswordPolicyControl();
    control.parse(new BerReader(Buffer.from(value)));
    return control;
  };

  test("the error enumeration is decoded", () => {
    assert.equal(parse([0x30, 0x03, 0x81, 0x01, 0x08]).error, "passwordInHistory");
    assert.equal(parse([0x30, 0x03, 0x81, 0x01, 0x06]).error, "passwordTooShort");
    assert.equal(parse([0x30, 0x03, 0x81, 0x01, 0x01]).error, "accountLocked");
  });

  test("a warning alone, and a warning with an error", () => {
    const warning = parse([0x30, 0x05, 0xa0, 0x03, 0x80, 0x01, 0x3c]);
    assert.deepEqual(warning.warning, { timeBeforeExpiration: 60 });
    assert.equal(warning.error, undefined);
    const both = parse([0x30, 0x08, 0xa0, 0x03, 0x81, 0x01, 0x02, 0x81, 0x01, 0x00]);
    assert.deepEqual(both.warning, { graceAuthNsRemaining: 2 });
    assert.equal(both.error, "passwordExpired");
  });

  test("an empty response means no error", () => {
    const empty = parse([0x30, 0x00]);
    assert.equal(empty.answered, true);
    assert.equal(empty.error, undefined);
  });
});
