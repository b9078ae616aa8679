import type { z } from 'zod';
import type { usageEventSchema } from './usage-event';
import {
  EVENT_STATUSES,
  MAX_INT4,
  MAX_TAGS,
  MAX_TOKENS,
  MODALITIES,
  RFC3339,
  PROVIDER_ID,
  SERVICE_TIERS,
  USAGE_FIELDS,
  tagKeyProblem,
  timestampProblem,
  unstorableText,
} from './usage-event.rules';

type Parsed = z.output<typeof usageEventSchema>;

const EVENT_FIELDS = new Set([
  'eventId',
  'occurredAt',
  'provider',
  'model',
  'usage',
  'serviceTier',
  'feature',
  'customerId',
  'environment',
  'inputModalities',
  'latencyMs',
  'status',
  'tags',
]);
const USAGE_FIELD_SET = new Set<string>(USAGE_FIELDS);
const TIERS = new Set<unknown>(SERVICE_TIERS);
const STATUSES = new Set<unknown>(EVENT_STATUSES);
const KINDS = new Set<unknown>(MODALITIES);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isLabel = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max && unstorableText(v) === null;
const isTokens = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TOKENS;

/**
 * The schema's output for an event that plainly satisfies it, or null for anything else (then the
 * schema itself decides, and names what is wrong). Most events are valid, and checking them here
 * costs a fraction of the schema's general machinery on the ingestion path. It may say null to an
 * event the schema would accept; it never accepts one the schema rejects, and what it returns is
 * what the schema returns, keys in the same order (the content hash of an event depends on it):
 * usage-event.quick.spec.ts checks both over generated events.
 */
export function quickParse(raw: unknown): Parsed | null {
  if (!isRecord(raw)) return null;
  for (const key in raw) if (!EVENT_FIELDS.has(key)) return null;
  const r = raw;
  if (!isLabel(r.eventId, 128)) return null;
  if (
    typeof r.occurredAt !== 'string' ||
    !RFC3339.test(r.occurredAt) ||
    Number.isNaN(Date.parse(r.occurredAt)) ||
    timestampProblem(r.occurredAt) !== null
  )
    return null;
  if (typeof r.provider !== 'string' || !PROVIDER_ID.test(r.provider)) return null;
  if (!isLabel(r.model, 256)) return null;

  const u = r.usage;
  if (!isRecord(u)) return null;
  for (const key in u) if (!USAGE_FIELD_SET.has(key)) return null;
  // The two totals are required; every other kind defaults to 0. Keys in the schema's order.
  if (u.inputTokens === undefined || u.outputTokens === undefined) return null;
  const usage = {} as Parsed['usage'];
  for (const field of USAGE_FIELDS) {
    const v = u[field] === undefined ? 0 : u[field];
    if (!isTokens(v)) return null;
    usage[field] = v;
  }

  const serviceTier = r.serviceTier === undefined ? 'standard' : r.serviceTier;
  if (!TIERS.has(serviceTier)) return null;
  if (r.feature !== undefined && !isLabel(r.feature, 128)) return null;
  if (r.customerId !== undefined && !isLabel(r.customerId, 128)) return null;
  const environment = r.environment === undefined ? 'production' : r.environment;
  if (!isLabel(environment, 64)) return null;
  let inputModalities = ['text'];
  if (r.inputModalities !== undefined) {
    const m = r.inputModalities;
    if (!Array.isArray(m) || m.length === 0 || !m.every((k) => KINDS.has(k))) return null;
    inputModalities = [...(m as string[])];
  }
  if (
    r.latencyMs !== undefined &&
    !(
      Number.isSafeInteger(r.latencyMs) &&
      (r.latencyMs as number) >= 0 &&
      (r.latencyMs as number) <= MAX_INT4
    )
  )
    return null;
  const status = r.status === undefined ? 'success' : r.status;
  if (!STATUSES.has(status)) return null;
  const tags: Record<string, string> = {};
  if (r.tags !== undefined) {
    if (!isRecord(r.tags) || Object.getPrototypeOf(r.tags) !== Object.prototype) return null;
    const keys = Object.keys(r.tags);
    if (keys.length > MAX_TAGS) return null;
    for (const key of keys) {
      const v = r.tags[key];
      if (
        tagKeyProblem(key) !== null ||
        typeof v !== 'string' ||
        v.length > 256 ||
        unstorableText(v) !== null
      )
        return null;
      tags[key] = v;
    }
  }

  // The schema's key order: its shape's, optional keys only when given.
  const parsed: Record<string, unknown> = {
    eventId: r.eventId,
    occurredAt: r.occurredAt,
    provider: r.provider,
    model: r.model,
    usage,
    serviceTier,
  };
  if (r.feature !== undefined) parsed.feature = r.feature;
  if (r.customerId !== undefined) parsed.customerId = r.customerId;
  parsed.environment = environment;
  parsed.inputModalities = inputModalities;
  if (r.latencyMs !== undefined) parsed.latencyMs = r.latencyMs;
  parsed.status = status;
  parsed.tags = tags;
  return parsed as Parsed;
}
