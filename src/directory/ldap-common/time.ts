/** Directory time formats: LDAP GeneralizedTime (OpenLDAP ppolicy) and Windows FILETIME (AD). */

/** Parses `YYYYMMDDHHMMSS[.fff]Z`; `null` when it does not parse. */
export function parseGeneralizedTime(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?Z$/.exec(value.trim());
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const date = new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0), ms),
  );
  return Number.isNaN(date.getTime()) ? null : date;
}

/** FILETIME: 100 ns intervals since 1601-01-01 UTC. */
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

/** Converts an AD FILETIME string; `null` for 0 and "never" (0x7FFFFFFFFFFFFFFF). */
export function parseFileTime(value: string | null): Date | null {
  if (value === null || !/^-?\d+$/.test(value)) return null;
  const ticks = BigInt(value);
  if (ticks <= 0n || ticks >= 0x7fffffffffffffffn) return null;
  return new Date(Number(ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS));
}
