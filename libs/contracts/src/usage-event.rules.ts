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

// What the store can hold. Every string of an event lands in a PostgreSQL `text` column or inside
// the `tags` jsonb, and every number in a column of a fixed width (prisma/schema.prisma): an event
// the store cannot hold must be refused at the door, naming the field, never accepted with 202 and
// then dead-lettered by the worker (issue 13).

/** The largest value of a PostgreSQL `integer` column: `latencyMs` lands in one. */
export const MAX_INT4 = 2_147_483_647;

/** The earliest `occurredAt` accepted (docs/API.md): anything older is a clock or unit mistake. */
export const MIN_OCCURRED_AT = '2000-01-01T00:00:00Z';
export const MIN_OCCURRED_AT_MS = Date.parse(MIN_OCCURRED_AT);

/** A UTF-16 surrogate without its other half: not a character, so not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Unicode bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
 * (U+2066-U+2069), marks (U+200E, U+200F, U+061C). Inside an identifier they reorder the text
 * around it wherever it is displayed (`gpt-5.5\u202e` shows the rest of a line reversed).
 */
export const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
/** NUL, any surrogate or a bidi control: what might be unstorable or unsafe to display. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const SUSPECT = /[\u0000\uD800-\uDFFF\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/**
 * Why `s` cannot be stored faithfully as PostgreSQL text or a jsonb string, or displayed safely,
 * or null when it can. text and jsonb refuse NUL; a lone surrogate would be rewritten to U+FFFD
 * on the way (so two eventIds could collapse into one) or refused by jsonb; a bidi control
 * (BIDI_CONTROL) would reorder the dashboard's and exports' text around the identifier.
 */
export function unstorableText(s: string): string | null {
  // One cheap scan for the common case, nothing suspect; the precise checks only when needed.
  if (!SUSPECT.test(s)) return null;
  if (s.includes('\u0000')) return 'must not contain NUL (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must not contain an unpaired UTF-16 surrogate (not valid Unicode)';
  const bidi = BIDI_CONTROL.exec(s);
  if (bidi)
    return `must not contain Unicode bidirectional control characters (found U+${bidi[0]
      .charCodeAt(0)
      .toString(16)
      .toUpperCase()
      .padStart(4, '0')} at position ${bidi.index})`;
  return null;
}

/** Why `key` cannot be a tag key (API.md: 1-64 characters of storable text), or null. */
export function tagKeyProblem(key: string): string | null {
  if (key.length === 0) return 'tag keys must not be empty';
  if (key.length > 64) return 'tag keys must be at most 64 characters';
  // A JavaScript object cannot hold it as an own key: it would be silently dropped.
  if (key === '__proto__') return 'tag key "__proto__" is reserved';
  const text = unstorableText(key);
  return text === null ? null : `tag keys ${text}`;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!);

/**
 * Why an RFC 3339 timestamp is not an instant the store should take, or null when it is (and for
 * a string that is not RFC 3339 at all, which the format check reports). Date.parse alone moves
 * 2026-02-30 to March 2 and reads 24:00 as the next day: a date must exist on the calendar.
 */
export function timestampProblem(s: string): string | null {
  if (!RFC3339.test(s)) return null;
  // RFC3339 fixes every position up to the seconds, and the offset's at the end: read digits there.
  const n = (at: number) => (s.charCodeAt(at) - 48) * 10 + (s.charCodeAt(at + 1) - 48);
  const year = n(0) * 100 + n(2);
  const month = n(5);
  const day = n(8);
  const last = s.charCodeAt(s.length - 1);
  const zulu = last === 90 || last === 122; // Z or z
  const offH = zulu ? 0 : n(s.length - 5);
  const offM = zulu ? 0 : n(s.length - 2);
  if (month < 1 || month > 12 || day < 1 || n(11) > 23 || n(14) > 59 || n(17) > 59 || offH > 23 || offM > 59)
    return 'is not a valid date';
  if (day > daysIn(year, month))
    return `is not a valid date: ${s.slice(0, 7)} has ${daysIn(year, month)} days`;
  // Only the years around the minimum need the instant (the offset can cross it).
  if (year <= 2000) {
    const at = Date.parse(s);
    if (Number.isNaN(at)) return 'is not a valid date';
    if (at < MIN_OCCURRED_AT_MS) return `must be on or after ${MIN_OCCURRED_AT}`;
  }
  return null;
}
