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

/**
 * Reads every kind of `u` into `counts`; the index of the first one that is not a whole,
 * non-negative number (an absent part reads as 0), or -1. Pricing calls this once per event, so
 * it is written out per kind from TOKEN_KINDS at load: a named property read per kind (`u.inputTokens`)
 * stays monomorphic where a loop over `u[field]` is a keyed lookup each time (about twice the
 * time of the whole reader). Equivalent to the loop in `readCountsSlowly`, which a test compares.
 */
const readCounts = new Function(
  'u',
  'c',
  `let v;\n${USAGE_FIELDS.map(
    (field, i) =>
      `v = u.${field};\n` +
      `if (v === undefined${REQUIRED[i] ? ' && false' : ''}) c[${i}] = 0;\n` +
      `else if (typeof v === 'number' && v >= 0 && v <= ${MAX_SAFE} && Math.floor(v) === v) c[${i}] = v;\n` +
      `else return ${i};`,
  ).join('\n')}\nreturn -1;`,
) as (u: Partial<Counts>, counts: number[]) => number;

/** The reader `readCounts` unrolls, as a loop: the reference its test compares it with. */
export function readCountsSlowly(u: Partial<Counts>, counts: number[]): number {
  for (let i = 0; i < USAGE_FIELDS.length; i++) {
    const v = u[USAGE_FIELDS[i]!];
    if (v === undefined && !REQUIRED[i]) counts[i] = 0;
    else if (wholeTokens(v)) counts[i] = v!;
    else return i;
  }
  return -1;
}

/** `readCounts` for tests. */
export const readCountsFast = (u: Partial<Counts>, counts: number[]): number => readCounts(u, counts);

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
  const bad = readCounts(u, counts);
  if (bad >= 0) {
    const field = USAGE_FIELDS[bad]!;
    return `usage.${field}: must be a whole, non-negative number of tokens (got ${String(u[field])})`;
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
