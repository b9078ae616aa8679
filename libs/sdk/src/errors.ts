import type { ApiErrorCode, FieldError, UsageEvent } from './event.js';

/**
 * What went wrong on the way to Tokenledger. The SDK never throws these into the application: it
 * hands them to the `onError` hook.
 *
 * - `EVENTS_REJECTED`: the API refused some events of a batch (per-event validation, 202 with
 *   `rejected`); they are not retried. `rejected` lists each with its field errors.
 * - `BATCH_REJECTED`: the API refused a whole batch for a reason a retry cannot fix (401, 403,
 *   400, 404, 413 for one event, or a server error that persisted past `maxRetries`); its events
 *   are dropped.
 * - `DELIVERY_RETRYING`: the API is unreachable, rate limited (429) or unavailable (5xx); the
 *   events stay buffered and are sent again after `retryInMs` with the same ids.
 * - `BUFFER_OVERFLOW`: the buffer was full, so the oldest events were dropped (`dropped`).
 * - `EVENTS_LOST`: `shutdown()` ran out of time with events still undelivered.
 * - `INVALID_EVENT`: `track()` got something that is not an event; it was dropped.
 * - `CONFIGURATION`: the options cannot work (no API key); the SDK does nothing.
 */
export type SdkErrorCode =
  | 'EVENTS_REJECTED'
  | 'BATCH_REJECTED'
  | 'DELIVERY_RETRYING'
  | 'BUFFER_OVERFLOW'
  | 'EVENTS_LOST'
  | 'INVALID_EVENT'
  | 'CONFIGURATION';

export interface RejectedEventReport {
  eventId: string;
  errors: FieldError[];
  event: UsageEvent;
}

export interface TokenledgerSdkErrorInit {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** The code of the API's error envelope, when it sent one. */
  apiCode?: ApiErrorCode | string;
  /** How many events this error is about. */
  count?: number;
  /** The ids of the events this error is about (dropped, lost or rejected). */
  eventIds?: string[];
  rejected?: RejectedEventReport[];
  /** For `DELIVERY_RETRYING`: when the next attempt is due. */
  retryInMs?: number;
  attempt?: number;
  cause?: unknown;
}

export class TokenledgerSdkError extends Error {
  readonly status?: number;
  readonly apiCode?: ApiErrorCode | string;
  readonly count: number;
  readonly eventIds: string[];
  readonly rejected: RejectedEventReport[];
  readonly retryInMs?: number;
  readonly attempt?: number;

  constructor(
    readonly code: SdkErrorCode,
    message: string,
    init: TokenledgerSdkErrorInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TokenledgerSdkError';
    this.status = init.status;
    this.apiCode = init.apiCode;
    this.eventIds = init.eventIds ?? [];
    this.count = init.count ?? this.eventIds.length;
    this.rejected = init.rejected ?? [];
    this.retryInMs = init.retryInMs;
    this.attempt = init.attempt;
  }

  /** Whether the events concerned are still buffered and will be sent again. */
  get willRetry(): boolean {
    return this.code === 'DELIVERY_RETRYING';
  }
}
