/**
 * The one error catalog (STYLE rule 3). Each code has an HTTP status, whether its message may be shown
 * to the client (`expose`), and the message id from `messages/` that explains it to a person.
 * Add codes here; never format error responses in routes.
 */
export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, expose: true, message: "error.validation" },
  BAD_REQUEST: { status: 400, expose: true, message: "error.bad_request" },
  BODY_TOO_LARGE: { status: 413, expose: true, message: "error.body_too_large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, expose: true, message: "error.unsupported_media_type" },
  CSRF_INVALID: { status: 403, expose: true, message: "error.csrf" },
  UNAUTHENTICATED: { status: 401, expose: true, message: "error.unauthenticated" },
  INVALID_CREDENTIALS: { status: 401, expose: true, message: "error.invalid_credentials" },
  FORBIDDEN: { status: 403, expose: true, message: "error.forbidden" },
  NOT_FOUND: { status: 404, expose: true, message: "error.not_found" },
  USER_NOT_FOUND: { status: 404, expose: true, message: "error.user_not_found" },
  GROUP_NOT_FOUND: { status: 404, expose: true, message: "error.group_not_found" },
  ENROLLMENT_NOT_FOUND: { status: 404, expose: true, message: "error.enrollment_not_found" },
  FLOW_NOT_FOUND: { status: 404, expose: true, message: "error.flow_not_found" },
  FLOW_EXPIRED: { status: 410, expose: true, message: "error.flow_expired" },
  FLOW_STEP_INVALID: { status: 409, expose: true, message: "error.flow_step_invalid" },
  CONFLICT: { status: 409, expose: true, message: "error.conflict" },
  ALREADY_EXISTS: { status: 409, expose: true, message: "error.already_exists" },
  VERSION_CONFLICT: { status: 409, expose: true, message: "error.version_conflict" },
  POLICY_INVALID: { status: 422, expose: true, message: "error.policy_invalid" },
  METHOD_NOT_ALLOWED: { status: 422, expose: true, message: "error.method_not_allowed" },
  METHOD_LIMIT_REACHED: { status: 422, expose: true, message: "error.method_limit_reached" },
  CODE_INVALID: { status: 422, expose: true, message: "error.code_invalid" },
  PASSWORD_REJECTED: { status: 422, expose: true, message: "error.password_rejected" },
  RATE_LIMITED: { status: 429, expose: true, message: "error.rate_limited" },
  /** Registration portal: too many failed sign-ins for this account or from this address (15 minutes). */
  SIGN_IN_RATE_LIMITED: { status: 429, expose: true, message: "registration.error.sign_in_rate_limited" },
  /** Registration portal: "Looks good" before enough methods are registered. */
  REGISTRATION_INCOMPLETE: { status: 409, expose: true, message: "registration.error.incomplete" },
  /** Registration portal: security info that breaks a rule (SQ-xx, address format); issues name the field. */
  SECURITY_INFO_INVALID: { status: 422, expose: true, message: "registration.error.security_info_invalid" },
  BLOCKED: { status: 429, expose: true, message: "error.blocked" },
  /** Reset: self-service reset is switched off for the whole organisation (SSPR_0009; reveals no account). */
  SSPR_DISABLED: { status: 403, expose: true, message: "reset.refusal.tenant_disabled" },
  /** Reset (unlock path): the directory refused to unlock the account; the user should contact an admin. */
  UNLOCK_REFUSED: { status: 422, expose: true, message: "reset.unlock.refused" },
  RESET_UNSUPPORTED: { status: 501, expose: true, message: "error.reset_unsupported" },
  DIRECTORY_UNAVAILABLE: { status: 503, expose: false, message: "error.directory_unavailable" },
  STORE_UNAVAILABLE: { status: 503, expose: false, message: "error.unavailable" },
  INTERNAL: { status: 500, expose: false, message: "error.internal" },
  /** Start-up only (config/load.ts): an unknown key or invalid value; issues name each key. Never reaches HTTP. */
  CONFIG_INVALID: { status: 500, expose: false, message: "error.internal" },
  /** Start-up only: NODE_ENV=production with unsafe development defaults; issues name each. */
  CONFIG_UNSAFE: { status: 500, expose: false, message: "error.internal" },
} as const satisfies Record<string, { status: number; expose: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
