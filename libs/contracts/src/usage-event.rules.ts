// What a valid usage event is, as plain values: the schema (usage-event.ts) and the quick
// check (usage-event.quick.ts) both read them.

/** API.md limits. */
export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
export const MAX_TAGS = 32;
/** A single request above ten billion tokens is a unit mix-up, not a request. */
export const MAX_TOKENS = 10_000_000_000;

export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

export const MODALITIES = ['text', 'image', 'audio', 'video', 'file'] as const;
export type Modality = (typeof MODALITIES)[number];

export const EVENT_STATUSES = ['success', 'error'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** A provider id as in the catalog, e.g. "openai". */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Every token kind of `usage`, in the schema's order (declared in token-kinds.ts). */
export { USAGE_FIELDS } from './token-kinds';
