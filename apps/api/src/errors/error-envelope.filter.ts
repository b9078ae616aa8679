import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import {
  ERROR_HTTP_STATUS,
  ErrorCode,
  errorEnvelope,
  isTokenledgerError,
  type ErrorEnvelope,
} from '@tokenledger/contracts';
import { isDatabaseUnavailable, refusedValue } from '@tokenledger/db';
import type { FastifyReply } from 'fastify';

interface FastifyishError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Fastify's own errors (body parsing, limits) by code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.MalformedJson,
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

/** Turns anything thrown into a status and the one error envelope of API.md. */
export function toEnvelope(exception: unknown): {
  status: number;
  body: ErrorEnvelope;
  headers?: Record<string, string>;
} {
  if (isTokenledgerError(exception)) {
    const headers =
      exception.code === ErrorCode.RateLimited || exception.code === ErrorCode.QueueUnavailable
        ? { 'retry-after': String(retryAfterOf(exception.details) ?? 5) }
        : undefined;
    return {
      status: ERROR_HTTP_STATUS[exception.code],
      body: errorEnvelope(exception.code, exception.message, exception.details),
      headers,
    };
  }
  if (exception instanceof HttpException && isFastifyError(exception.cause)) {
    return toEnvelope(exception.cause); // Nest wraps Fastify's parser errors; their code says more
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
    const message = status === 404 ? 'No such route' : exception.message;
    return { status, body: errorEnvelope(code, message) };
  }
  const fastify = exception as FastifyishError;
  if (fastify && typeof fastify.code === 'string' && FASTIFY_CODES[fastify.code]) {
    const code = FASTIFY_CODES[fastify.code]!;
    const message =
      code === ErrorCode.MalformedJson
        ? `The request body is not valid JSON: ${fastify.message ?? ''}`.trim()
        : code === ErrorCode.PayloadTooLarge
          ? 'The request body is larger than 5 MB'
          : (fastify.message ?? 'Unsupported content type');
    return { status: ERROR_HTTP_STATUS[code], body: errorEnvelope(code, message) };
  }
  if (
    fastify &&
    typeof fastify.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const code = STATUS_CODES[fastify.statusCode] ?? ErrorCode.ValidationFailed;
    return { status: fastify.statusCode, body: errorEnvelope(code, fastify.message ?? 'Bad request') };
  }
  const refused = refusedValue(exception);
  if (refused) {
    return {
      status: 400,
      body: errorEnvelope(ErrorCode.ValidationFailed, `A value is not valid: ${refused.slice(0, 200)}`),
      headers: {},
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      body: errorEnvelope(
        ErrorCode.ServiceUnavailable,
        'The database is unavailable; nothing was accepted. Retry shortly.',
      ),
      headers: { 'retry-after': '5' },
    };
  }
  return { status: 500, body: errorEnvelope(ErrorCode.Internal, 'Internal error; it has been logged') };
}

function isFastifyError(value: unknown): value is FastifyishError {
  const code = (value as FastifyishError | undefined)?.code;
  return typeof code === 'string' && code.startsWith('FST_');
}

function retryAfterOf(details: unknown): number | undefined {
  const value = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof value === 'number' ? value : undefined;
}

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception; // GraphQL formats its own errors
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toEnvelope(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply
      .status(status)
      .headers(headers ?? {})
      .send(body);
  }
}
