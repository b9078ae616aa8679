/**
 * The event shape of `POST /v1/events` (API.md), as the SDK's users write it.
 *
 * These declarations mirror `@tokenledger/contracts` instead of importing it: the SDK is installed
 * on its own, and the contracts package (zod schemas, server-side helpers) is not published.
 * `contracts-conformance.spec.ts` proves at compile time that both shapes are the same and at run
 * time that every event the SDK builds passes the server's validation, so drift fails the build.
 */

/** API.md limits, equal to the contracts' constants (checked by the conformance spec). */
export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const MAX_TAGS = 32;

export type ServiceTier = 'standard' | 'batch' | 'flex' | 'priority';
export type Modality = 'text' | 'image' | 'audio' | 'video' | 'file';
export type EventStatus = 'success' | 'error';

/**
 * Token counts. The convention is OpenAI's and OpenTelemetry's: every part is included in its
 * total (cache reads and writes in `inputTokens`, reasoning in `outputTokens`).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  /** Cache writes with the default (5-minute) lifetime. */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  inputAudioTokens?: number;
  outputAudioTokens?: number;
  inputImageTokens?: number;
}

/**
 * Each part and the total it is part of, as contracts' TOKEN_KINDS declare them (PART_KINDS order;
 * the conformance spec checks both agree).
 */
export const USAGE_PARTS = [
  ['cacheReadTokens', 'inputTokens'],
  ['cacheWriteTokens', 'inputTokens'],
  ['cacheWrite1hTokens', 'inputTokens'],
  ['inputAudioTokens', 'inputTokens'],
  ['inputImageTokens', 'inputTokens'],
  ['reasoningTokens', 'outputTokens'],
  ['outputAudioTokens', 'outputTokens'],
] as const satisfies readonly (readonly [
  Exclude<keyof Usage, 'inputTokens' | 'outputTokens'>,
  'inputTokens' | 'outputTokens',
])[];

/** Who and what a call was for: set per event, per scope (`withContext`) or per wrapped client. */
export interface EventContext {
  feature?: string;
  customerId?: string;
  environment?: string;
  tags?: Record<string, string>;
}

/** One usage event as `POST /v1/events` accepts it. */
export interface UsageEvent extends EventContext {
  /** 1–128 characters; the idempotency key: a retry with the same id is counted once. */
  eventId: string;
  /** RFC 3339 with a time zone. */
  occurredAt: string;
  /** Lower-case provider id as in the catalog, e.g. `openai`. */
  provider: string;
  /** The model as the provider's API reported it. */
  model: string;
  usage: Usage;
  serviceTier?: ServiceTier;
  inputModalities?: Modality[];
  latencyMs?: number;
  status?: EventStatus;
}

/** What `track()` takes: `eventId` (time-sortable) and `occurredAt` (now) are filled when absent. */
export type TrackEvent = Omit<UsageEvent, 'eventId' | 'occurredAt'> & {
  eventId?: string;
  occurredAt?: string | Date;
};

/** The error codes of the API's error envelope (`{"error": {"code", "message", "details"}}`). */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'QUEUE_UNAVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

/** One problem with one field of one event, as the API reports it. */
export interface FieldError {
  path: string;
  message: string;
}

/** A per-event rejection in a `202` answer: `index` is the event's position in the batch sent. */
export interface RejectedEvent {
  index: number;
  eventId?: string;
  errors: FieldError[];
}

/** The body of a `202` answer. */
export interface IngestResult {
  accepted: number;
  rejected: RejectedEvent[];
}
