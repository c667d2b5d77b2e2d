/**
 * Escaping of values placed in LDAP filters and DNs (REQ-099). The connectors build filters with ldapts
 * filter objects (values travel as raw BER octets, so nothing needs escaping on the wire); these functions
 * are for the string forms: filters read from configuration combined with a value, logs, and DNs built
 * from an attribute value.
 */

/**
 * RFC 4515 §3 assertion-value escaping: `*` `(` `)` `\` NUL become `\2a` `\28` `\29` `\5c` `\00`.
 * Every other character is kept (UTF-8 is valid in a filter string).
 */
export function escapeFilterValue(value: string): string {
  let out = "";
  for (const char of value) {
    switch (char) {
      case "*":
        out += "\\2a";
        break;
      case "(":
        out += "\\28";
        break;
      case ")":
        out += "\\29";
        break;
      case "\\":
        out += "\\5c";
        break;
      case "\0":
        out += "\\00";
        break;
      default:
        out += char;
    }
  }
  return out;
}

/** RFC 4515 escaping of binary data (e.g. an AD objectGUID): every byte as `\hh`. */
export function escapeFilterBytes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += `\\${byte.toString(16).padStart(2, "0")}`;
  return out;
}

/**
 * RFC 4514 §2.4 attribute-value escaping for a DN component: `, + " \ < > ;` anywhere, `#` or space at the
 * start, space at the end are backslash-escaped; NUL becomes `\00`.
 */
export function escapeDNValue(value: string): string {
  let out = "";
  const chars = Array.from(value);
  chars.forEach((char, index) => {
    if (char === "\0") {
      out += "\\00";
    } else if (',+"\\<>;'.includes(char)) {
      out += `\\${char}`;
    } else if (index === 0 && (char === "#" || char === " ")) {
      out += `\\${char}`;
    } else if (index === chars.length - 1 && char === " ") {
      out += "\\ ";
    } else {
      out += char;
    }
  });
  return out;
}

/**
 * AD writes an objectGUID as 16 bytes whose first three groups are little-endian; Windows shows it as
 * `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in that mixed order. These convert both ways.
 */
export function guidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error("objectGUID must be 16 bytes");
  const hex = (indexes: number[]): string => indexes.map((i) => (bytes[i] ?? 0).toString(16).padStart(2, "0")).join("");
  return `${hex([3, 2, 1, 0])}-${hex([5, 4])}-${hex([7, 6])}-${hex([8, 9])}-${hex([10, 11, 12, 13, 14, 15])}`;
}

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string has the canonical UUID/GUID shape (entryUUID, objectGUID string form). */
export function isGUIDString(value: string): boolean {
  return GUID_PATTERN.test(value);
}

/** Inverse of `guidToString`; `null` when the string is not a GUID. */
export function guidFromString(value: string): Buffer | null {
  if (!isGUIDString(value)) return null;
  const hex = value.replace(/-/g, "");
  const raw = Buffer.from(hex, "hex");
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => raw[i] ?? 0));
}
