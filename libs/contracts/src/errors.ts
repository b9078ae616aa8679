/**
 * Error codes every process speaks. The API's exception filter maps each one to an HTTP status
 * exhaustively, GraphQL puts it in `extensions.code`, the SDK and the CLI branch on it.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  MalformedJson: 'MALFORMED_JSON',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  RateLimited: 'RATE_LIMITED',
  QueueUnavailable: 'QUEUE_UNAVAILABLE',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  QUEUE_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** One problem with one field: `path` is dotted (`usage.inputTokens`, `tags.team`). */
export interface FieldError {
  path: string;
  message: string;
}

/** The body of every error response: `{"error": {"code", "message", "details"}}`. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    details?: unknown;
  };
}

export function errorEnvelope(code: ErrorCode, message: string, details?: unknown): ErrorEnvelope {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Thrown by domain and service code; adapters (HTTP, GraphQL, CLI) translate it. */
export class TokenledgerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'TokenledgerError';
  }
}

const CODES = new Set<string>(Object.values(ErrorCode));

/**
 * True for a TokenledgerError even when it crossed a module-copy boundary (a library loaded once as
 * ESM and once as CommonJS has two classes of the same name, and instanceof fails between them).
 */
export function isTokenledgerError(value: unknown): value is TokenledgerError {
  if (value instanceof TokenledgerError) return true;
  const e = value as { name?: unknown; code?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.name === 'TokenledgerError' &&
    typeof e.code === 'string' &&
    CODES.has(e.code)
  );
}

export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
