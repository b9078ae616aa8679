// The rules a `usage` object keeps (API.md's token convention), once: validation reports them
// field by field, pricing refuses usage that breaks them. Both read the kinds from TOKEN_KINDS.
import type { FieldError } from './errors';
import { groupOf, PART_KINDS, TOKEN_KINDS, USAGE_FIELDS, type UsageField } from './token-kinds';

type Counts = Readonly<Record<UsageField, number>>;

// Derived once at load: the hot paths loop over plain arrays.
const PARTS: readonly (readonly [UsageField, UsageField])[] = PART_KINDS.map((k) => [k.field, k.total]);
const CACHE = groupOf('cache').map((k) => k.field);
const MEDIA = groupOf('media').map((k) => k.field);
/** Totals are required; a part may be absent (it defaults to 0). */
const REQUIRED: readonly boolean[] = TOKEN_KINDS.map((k) => k.total === null);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function sum(u: Counts, fields: readonly UsageField[]): number {
  let n = 0;
  for (let i = 0; i < fields.length; i++) n += u[fields[i]!];
  return n;
}

/** Parts may not exceed the totals they are part of, alone or with the parts billed beside them. */
export function partErrors(u: Counts): FieldError[] {
  const errors: FieldError[] = [];
  for (const [part, total] of PARTS) {
    if (u[part] > u[total]) {
      errors.push({
        path: `usage.${part}`,
        message: `${part} (${u[part]}) is part of ${total} and cannot exceed it (${u[total]})`,
      });
    }
  }
  const cached = sum(u, CACHE);
  if (errors.length === 0 && cached > u.inputTokens) {
    errors.push({
      path: `usage.${CACHE[0]}`,
      message: `cache reads and writes together (${cached}) are part of inputTokens and cannot exceed it (${u.inputTokens})`,
    });
  }
  if (errors.length === 0 && sum(u, MEDIA) > u.inputTokens) {
    errors.push({
      path: `usage.${MEDIA[0]}`,
      message: `audio and image input tokens together cannot exceed inputTokens (${u.inputTokens})`,
    });
  }
  return errors;
}

function wholeTokens(v: unknown): boolean {
  return typeof v === 'number' && v >= 0 && v <= MAX_SAFE && Math.floor(v) === v;
}

// Index pairs (part, total) into TOKEN_KINDS, for checks over counts read once.
const PART_AT: readonly (readonly [number, number])[] = PART_KINDS.map((k) => [
  USAGE_FIELDS.indexOf(k.field),
  USAGE_FIELDS.indexOf(k.total),
]);

/**
 * Reads a usage's counts into `counts`, in TOKEN_KINDS order (an absent part as 0), and returns
 * the first rule it breaks, in words naming the field as the API does; null when it keeps them
 * all. For usage that may not have come through validation (stored events, quotes): counts are
 * whole and non-negative (totals required, parts may be absent), each part within its total.
 * Each field is read once, so a hot path (pricing) can work on `counts` afterwards.
 */
export function readUsage(u: Partial<Counts> | undefined, counts: number[]): string | null {
  if (!u || typeof u !== 'object') return 'usage: is required';
  for (let i = 0; i < USAGE_FIELDS.length; i++) {
    const field = USAGE_FIELDS[i]!;
    const v = u[field];
    if (v === undefined && !REQUIRED[i]) counts[i] = 0;
    else if (wholeTokens(v)) counts[i] = v!;
    else return `usage.${field}: must be a whole, non-negative number of tokens (got ${String(v)})`;
  }
  for (let i = 0; i < PART_AT.length; i++) {
    const [part, total] = PART_AT[i]!;
    if (counts[part]! > counts[total]!)
      return `usage.${USAGE_FIELDS[part]} (${counts[part]}) is part of usage.${USAGE_FIELDS[total]} and cannot exceed it (${counts[total]})`;
  }
  return null;
}

/** The first rule a usage breaks (see readUsage); null when it keeps them all. */
export function usageProblem(u: Partial<Counts> | undefined): string | null {
  return readUsage(u, new Array<number>(USAGE_FIELDS.length));
}

/** Usage with every token kind, keys in the order validation produces (content hashes depend on it). */
export function completeUsage(
  parts: Partial<Counts> & Pick<Counts, 'inputTokens' | 'outputTokens'>,
): Record<UsageField, number> {
  const usage = {} as Record<UsageField, number>;
  for (let i = 0; i < USAGE_FIELDS.length; i++) {
    const field = USAGE_FIELDS[i]!;
    usage[field] = REQUIRED[i] ? parts[field]! : (parts[field] ?? 0);
  }
  return usage;
}
