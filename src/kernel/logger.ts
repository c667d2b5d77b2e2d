import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Fields that must never reach a log line, whatever the caller passes (STYLE rule 5, REQ on logging).
 * pino's redaction replaces them with "[redacted]".
 */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "newPassword",
  "*.newPassword",
  "currentPassword",
  "*.currentPassword",
  "code",
  "*.code",
  "answer",
  "*.answer",
  "answers",
  "*.answers",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "req.headers.cookie",
  "req.headers.authorization",
  'res.headers["set-cookie"]',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "opensspr" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination as pino.DestinationStream | undefined,
  );
}
