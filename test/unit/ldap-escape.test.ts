/**
 * RFC 4515 / RFC 4514 escaping (REQ-099): a typed identifier must never widen an LDAP filter or change a DN.
 * LTB's denylist approach ("*()&|") missed `\` and NUL; these helpers escape by the RFCs.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EqualityFilter, FilterParser } from "ldapts";
import {
  escapeDNValue,
  escapeFilterBytes,
  escapeFilterValue,
  guidFromString,
  guidToString,
  isGUIDString,
} from "../../src/directory/ldap-common/escape.ts";

describe("RFC 4515 filter values", () => {
  test("the five special characters are hex-escaped", () => {
    assert.equal(escapeFilterValue("*"), "\\2a");
    assert.equal(escapeFilterValue("alice*"), "alice\\2a");
    assert.equal(escapeFilterValue("*)(uid=*))(|(uid=*"), "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a");
    assert.equal(escapeFilterValue("\\"), "\\5c");
    assert.equal(escapeFilterValue("a\u0000b"), "a\\00b");
    assert.equal(escapeFilterValue("Zoë & Ольга"), "Zoë & Ольга", "other characters (UTF-8) are kept");
  });

  test("an escaped hostile identifier parses back as ONE equality assertion with the literal value", () => {
    for (const hostile of ["*", "alice)(objectClass=*", "*)(uid=*))(|(uid=*", "\\", "a\u0000b"]) {
      const filter = FilterParser.parseString(`(uid=${escapeFilterValue(hostile)})`);
      assert.ok(filter instanceof EqualityFilter, hostile);
      assert.equal(filter.value, hostile);
    }
  });

  test("binary values (objectGUID) are escaped byte by byte", () => {
    assert.equal(escapeFilterBytes(Uint8Array.from([0, 0x2a, 0xff])), "\\00\\2a\\ff");
  });
});

describe("RFC 4514 DN values", () => {
  test("specials anywhere, # and space at the start, space at the end, NUL", () => {
    assert.equal(escapeDNValue("Smith, John"), "Smith\\, John");
    assert.equal(escapeDNValue('a+b"c\\d<e>f;g'), 'a\\+b\\"c\\\\d\\<e\\>f\\;g');
    assert.equal(escapeDNValue("#admin"), "\\#admin");
    assert.equal(escapeDNValue(" lead"), "\\ lead");
    assert.equal(escapeDNValue("trail "), "trail\\ ");
    assert.equal(escapeDNValue("in#side ok"), "in#side ok");
    assert.equal(escapeDNValue("nul\u0000"), "nul\\00");
  });
});

describe("AD objectGUID text form", () => {
  test("the first three groups are little-endian, as Windows shows them", () => {
    const bytes = Buffer.from("00112233445566778899aabbccddeeff", "hex");
    assert.equal(guidToString(bytes), "33221100-5544-7766-8899-aabbccddeeff");
    assert.deepEqual(guidFromString("33221100-5544-7766-8899-aabbccddeeff"), bytes);
  });

  test("anything that is not a GUID is rejected, so it never reaches a filter", () => {
    assert.equal(guidFromString("*"), null);
    assert.equal(guidFromString("33221100-5544-7766-8899-aabbccddeeff)(x=*"), null);
    assert.equal(isGUIDString("00000000-0000-4000-8000-000000000000"), true);
    assert.equal(isGUIDString("alice"), false);
  });
});
