/** Column encodings shared by every SQL store: epoch-ms times, JSON text, 0/1 booleans. */

export function toMs(at: Date): number {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new TypeError("invalid Date passed to the store");
  return ms;
}

export function toMsOrNull(at: Date | null | undefined): number | null {
  return at === null || at === undefined ? null : toMs(at);
}

export function fromMs(ms: number | string): Date {
  return new Date(Number(ms));
}

export function fromMsOrNull(ms: number | string | null): Date | null {
  return ms === null ? null : new Date(Number(ms));
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toFlag(value: boolean): number {
  return value ? 1 : 0;
}

export function fromFlag(value: number | boolean): boolean {
  return value === true || Number(value) === 1;
}

/** Escapes LIKE wildcards; pair with `escape '\'`. */
export function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Counts come back as number (SQLite) or, for safety, as a numeric string. */
export function toCount(value: unknown): number {
  return Number(value ?? 0);
}
