import { ERROR_CATALOG, type ErrorCode } from "./catalog.ts";

/** A problem with one field of the input, shown next to the field and returned in JSON. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `methods.securityQuestions.toReset`. */
  field: string;
  /** Message id (from `messages/`) or plain English for admin-facing validation text. */
  message: string;
  /** The rule that failed, e.g. `POL-05` or `SQ-08`, when one applies. */
  rule?: string;
}

/** The only error class (ARCHITECTURE "Classes"). Domain code throws it only when a request cannot continue. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly messageId: string;
  readonly issues: FieldIssue[];
  /** Values substituted into the message (never secrets). */
  readonly params: Record<string, string | number>;

  constructor(
    code: ErrorCode,
    options: { issues?: FieldIssue[]; params?: Record<string, string | number>; cause?: unknown; detail?: string } = {},
  ) {
    super(options.detail ?? code, { cause: options.cause });
    const entry = ERROR_CATALOG[code];
    this.name = "AppError";
    this.code = code;
    this.status = entry.status;
    this.expose = entry.expose;
    this.messageId = entry.message;
    this.issues = options.issues ?? [];
    this.params = options.params ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
