import { TOKEN_KINDS, type FieldError, type TokenPrice } from '@tokenledger/contracts';
import { z } from 'zod';
import { canonicalDecimal, DECIMAL_STRING } from './money';

/**
 * The rate-card JSON stored in `ModelRate.prices` and `ModelRate.match`, validated here.
 *
 * A card gives USD prices per 1,000,000 tokens for each token kind of a usage event, and USD per
 * request for `request`:
 *
 * ```json
 * { "input": "5", "output": "30", "cacheRead": "0.5",
 *   "tiers": [{ "aboveInputTokens": 272000, "input": "10", "output": "45", "cacheRead": "1" }],
 *   "rules": [{ "label": "peak", "when": { "from": "2026-08-17", "timeOfDay": { "start": "01:00", "end": "04:00" },
 *               "weekdays": [1, 2, 3, 4, 5] }, "input": "1.32", "output": "3.96" }],
 *   "serviceTiers": { "batch": { "multiplier": "0.5" }, "priority": { "input": "10", "output": "60" } } }
 * ```
 *
 * - A token kind without a price is billed at its parent's price and the result says so:
 *   cacheWrite1h → cacheWrite → input; cacheRead, cacheWrite, inputAudio, inputImage → input;
 *   reasoning, outputAudio → output. Input or output tokens with no price at all leave the event
 *   `unpriced_component`, never $0.
 * - `tiers`: once the request's input tokens are above `aboveInputTokens`, the whole request is
 *   billed at the tier's prices (components a tier does not name keep the set's own price).
 * - `rules`: alternative price sets for a UTC time window (`from` inclusive, `until` exclusive,
 *   daily `timeOfDay` [start, end) that wraps midnight when end < start, ISO `weekdays` 1 = Monday,
 *   all judged on the event's own timestamp). The first rule whose conditions all hold replaces the
 *   base prices entirely; with none, the base prices apply.
 * - `serviceTiers`: batch / flex / priority as a multiplier of the selected prices, or as their
 *   own price set. A tier the card does not name is billed at standard prices, and flagged.
 * - `other`: prices of units usage events do not carry (web searches, audio hours, pages), kept
 *   with the key of their source so nothing read from a catalog is lost.
 *
 * An organization override may instead hold an adjustment, `{ "discountPercent": "10" }`, which
 * applies to the price found below it (a negotiated discount on a provider's list prices).
 */

/** The token prices of a card, one per token kind (contracts' TOKEN_KINDS), in its order. */
export const TOKEN_COMPONENTS: readonly TokenPrice[] = TOKEN_KINDS.map((k) => k.price);
export type TokenComponent = TokenPrice;

export const PRICE_KEYS: readonly PriceKey[] = [...TOKEN_COMPONENTS, 'request'];
export type PriceKey = TokenPrice | 'request';

export const PRICED_SERVICE_TIERS = ['batch', 'flex', 'priority'] as const;
export type PricedServiceTier = (typeof PRICED_SERVICE_TIERS)[number];

export type PriceFields = Partial<Record<PriceKey, string>>;
export interface Tier extends PriceFields {
  aboveInputTokens: number;
}
export interface PriceSet extends PriceFields {
  tiers?: Tier[];
}
export interface TimeOfDay {
  start: string;
  end: string;
}
export interface When {
  from?: string;
  until?: string;
  timeOfDay?: TimeOfDay;
  weekdays?: number[];
}
export interface Rule extends PriceSet {
  when: When;
  label?: string;
}
export type ServiceTierPrice = { multiplier: string } | PriceSet;
export interface PricedCard extends PriceSet {
  rules?: Rule[];
  serviceTiers?: Partial<Record<PricedServiceTier, ServiceTierPrice>>;
  other?: Record<string, string>;
  notes?: string;
}
export interface AdjustmentCard {
  discountPercent: string;
  notes?: string;
}
export type RateCard = PricedCard | AdjustmentCard;

export function isAdjustment(card: RateCard): card is AdjustmentCard {
  return 'discountPercent' in card;
}

/** Which reported model names a rate covers. */
export type MatchPattern =
  | { equals: string }
  | { startsWith: string }
  | { endsWith: string }
  | { contains: string }
  | { regex: string }
  | { allOf: MatchPattern[] }
  | { anyOf: MatchPattern[] };

export interface ModelMatch {
  /** Ids and aliases, compared case-insensitively. */
  exact?: string[];
  patterns?: MatchPattern[];
  /** A name ending in a date (-2026-04-24, -20260424, @20260424) also matches the exact id without it. Default true. */
  snapshots?: boolean;
  /** Every model of the provider (a provider-wide price or discount); the least specific match. */
  allModels?: boolean;
}

/** A provider of a catalog version: its aliases and where to look when it lacks a model. */
export interface ProviderSpec {
  id: string;
  name?: string;
  /** Other names events use for this provider (`azure_openai` → openai); matching them is flagged `provider-inferred`. */
  aliases?: MatchPattern[];
  /** Model names this provider makes, for events from a gateway that does not say (`litellm`). */
  modelPatterns?: MatchPattern[];
  /** Providers whose rates apply to models this one lacks (azure → openai), flagged `provider-fallback:<id>`. */
  fallbackProviders?: string[];
  pricingUrls?: string[];
  notes?: string;
}

/** One rate as stored: the content of a `ModelRate` row. */
export interface RateInput {
  provider: string;
  /** The canonical model id (`pricedModel` of what it prices). */
  model: string;
  match: ModelMatch;
  prices: RateCard;
  /** Where the price comes from (package and version, file, person). */
  source: string;
}

export const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

// ───────────────────────────── schemas ─────────────────────────────

const usd = z
  .union([z.string(), z.number()], { error: 'must be a decimal string of USD, e.g. "2.5"' })
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'x') : v.trim();
    const normal = typeof v === 'number' && /e/i.test(text) ? safeCanonical(text) : text;
    if (normal === null || !DECIMAL_STRING.test(normal)) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative decimal of USD, e.g. "2.5"' });
      return z.NEVER;
    }
    return canonicalDecimal(normal);
  });

function safeCanonical(text: string): string | null {
  try {
    const n = Number(text);
    return n >= 0 ? canonicalDecimal(text) : null;
  } catch {
    return null;
  }
}

const priceFieldShape = Object.fromEntries(PRICE_KEYS.map((k) => [k, usd.optional()])) as Record<
  PriceKey,
  z.ZodOptional<typeof usd>
>;

const unknownField = (issue: { code?: string }) =>
  issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be an object';

const tierSchema = z.strictObject(
  {
    ...priceFieldShape,
    aboveInputTokens: z
      .number({ error: 'must be a number of input tokens' })
      .int('must be a whole number of tokens')
      .min(0, 'must not be negative'),
  },
  { error: unknownField },
);

const tiersSchema = z.array(tierSchema, { error: 'must be an array of tiers' }).superRefine((tiers, ctx) => {
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i]!.aboveInputTokens <= tiers[i - 1]!.aboveInputTokens)
      ctx.addIssue({
        code: 'custom',
        path: [i, 'aboveInputTokens'],
        message: 'tiers must be in increasing order of aboveInputTokens',
      });
  }
});

const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const DATE_OR_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

const instant = z
  .string({ error: 'must be a date (2026-08-17) or an RFC 3339 timestamp' })
  .regex(DATE_OR_TIMESTAMP, 'must be a date (2026-08-17) or an RFC 3339 timestamp with a time zone')
  .refine((s) => !Number.isNaN(parseInstant(s)), 'is not a valid date');

/** Milliseconds since the epoch of a rule bound; a bare date is midnight UTC. */
export function parseInstant(s: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
}

/** Milliseconds after UTC midnight of "HH:MM[:SS]". */
export function parseTimeOfDay(s: string): number {
  const m = TIME.exec(s);
  if (!m) return Number.NaN;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000;
}

const timeOfDaySchema = z
  .strictObject(
    {
      start: z
        .string({ error: 'must be a UTC time "HH:MM" or "HH:MM:SS"' })
        .regex(TIME, 'must be a UTC time "HH:MM" or "HH:MM:SS"'),
      end: z
        .string({ error: 'must be a UTC time "HH:MM" or "HH:MM:SS"' })
        .regex(TIME, 'must be a UTC time "HH:MM" or "HH:MM:SS"'),
    },
    { error: unknownField },
  )
  .refine((t) => parseTimeOfDay(t.start) !== parseTimeOfDay(t.end), {
    message: 'start and end must differ (a window from 22:00 to 02:00 wraps midnight)',
    path: ['end'],
  });

const whenSchema = z
  .strictObject(
    {
      from: instant.optional(),
      until: instant.optional(),
      timeOfDay: timeOfDaySchema.optional(),
      weekdays: z
        .array(
          z.number({ error: 'must be ISO weekday numbers, 1 = Monday … 7 = Sunday' }).int().min(1).max(7),
          { error: 'must be an array of ISO weekday numbers, 1 = Monday … 7 = Sunday' },
        )
        .min(1, 'must name at least one weekday')
        .refine((w) => new Set(w).size === w.length, 'must not repeat a weekday')
        .optional(),
    },
    { error: unknownField },
  )
  .superRefine((w, ctx) => {
    if (!w.from && !w.until && !w.timeOfDay && !w.weekdays)
      ctx.addIssue({ code: 'custom', message: 'must give at least one of from, until, timeOfDay, weekdays' });
    if (w.from && w.until && parseInstant(w.from) >= parseInstant(w.until))
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after from' });
  });

const priceSetShape = { ...priceFieldShape, tiers: tiersSchema.optional() };

const ruleSchema = z.strictObject(
  {
    ...priceSetShape,
    when: whenSchema,
    label: z
      .string()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9][a-z0-9:._-]*$/, 'must be a short lower-case label, e.g. "peak"')
      .optional(),
  },
  { error: unknownField },
);

const serviceTierSchema = z.union(
  [
    z.strictObject({
      multiplier: usd.refine((m) => Number(m) > 0, 'must be above 0'),
    }),
    z.strictObject(priceSetShape),
  ],
  { error: 'must be { "multiplier": "0.5" } or a set of prices' },
);

const pricedCardSchema = z.strictObject(
  {
    ...priceSetShape,
    rules: z.array(ruleSchema, { error: 'must be an array of rules' }).optional(),
    serviceTiers: z
      .strictObject(
        {
          batch: serviceTierSchema.optional(),
          flex: serviceTierSchema.optional(),
          priority: serviceTierSchema.optional(),
        },
        {
          error: (i) =>
            i.code === 'unrecognized_keys'
              ? 'unknown service tier (batch, flex, priority)'
              : 'must be an object',
        },
      )
      .optional(),
    other: z.record(z.string().min(1).max(64), usd, { error: 'must be an object of unit → USD' }).optional(),
    notes: z.string().max(2000).optional(),
  },
  { error: unknownField },
);

const adjustmentCardSchema = z.strictObject(
  {
    discountPercent: usd.refine((p) => Number(p) <= 100, 'must be between 0 and 100'),
    notes: z.string().max(2000).optional(),
  },
  { error: unknownField },
);

function hasAnyPrice(set: PriceFields): boolean {
  return PRICE_KEYS.some((k) => set[k] !== undefined);
}

// ───────────────────────────── parsing ─────────────────────────────

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  const rest = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const full = `${prefix}${rest}`;
  return full.startsWith('.') ? full.slice(1) : full || '(value)';
}

function zodErrors(prefix: string, error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: joinPath(prefix, [...issue.path, key]),
          message: unknownKeyMessage(key, issue.path),
        });
      }
    } else {
      out.push({ path: joinPath(prefix, issue.path), message: issue.message });
    }
  }
  return out;
}

function unknownKeyMessage(key: string, path: readonly PropertyKey[]): string {
  if (path[path.length - 1] === 'serviceTiers') return 'unknown service tier (batch, flex, priority)';
  if (/_mtok$|_per_token|cost/.test(key))
    return `unknown field (token prices are ${PRICE_KEYS.join(', ')}, USD per 1M tokens; other units go in "other")`;
  return 'unknown field';
}

/** Validates a `ModelRate.prices` value; errors name the field under `prefix` (e.g. `rates[3].prices`). */
export function parseRateCard(raw: unknown, prefix = 'prices'): Parsed<RateCard> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, errors: [{ path: prefix, message: 'must be an object of prices' }] };
  if ('discountPercent' in raw) {
    const r = adjustmentCardSchema.safeParse(raw);
    return r.success ? { ok: true, value: r.data } : { ok: false, errors: zodErrors(prefix, r.error) };
  }
  const r = pricedCardSchema.safeParse(raw);
  if (!r.success) return { ok: false, errors: zodErrors(prefix, r.error) };
  const card = r.data as PricedCard;
  const priced =
    hasAnyPrice(card) || (card.rules ?? []).some(hasAnyPrice) || Object.keys(card.other ?? {}).length > 0;
  // A card without prices says "known, price unknown" (its usage stays unpriced): only with a note why.
  if (!priced && !card.notes)
    return {
      ok: false,
      errors: [
        {
          path: prefix,
          message: `gives no price: name at least one of ${PRICE_KEYS.join(', ')} (or say in "notes" why there is none)`,
        },
      ],
    };
  return { ok: true, value: card };
}

const PATTERN_KEYS = ['equals', 'startsWith', 'endsWith', 'contains', 'regex', 'allOf', 'anyOf'] as const;

function patternErrors(raw: unknown, path: string, out: FieldError[], depth = 0): void {
  if (depth > 8) {
    out.push({ path, message: 'is nested too deeply' });
    return;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    out.push({ path, message: `must be an object with one of ${PATTERN_KEYS.join(', ')}` });
    return;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1 || !(PATTERN_KEYS as readonly string[]).includes(keys[0]!)) {
    out.push({ path, message: `must have exactly one of ${PATTERN_KEYS.join(', ')}` });
    return;
  }
  const key = keys[0]!;
  const value = (raw as Record<string, unknown>)[key];
  if (key === 'allOf' || key === 'anyOf') {
    if (!Array.isArray(value) || value.length === 0) {
      out.push({ path: `${path}.${key}`, message: 'must be a non-empty array of patterns' });
      return;
    }
    value.forEach((v, i) => patternErrors(v, `${path}.${key}[${i}]`, out, depth + 1));
    return;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    out.push({ path: `${path}.${key}`, message: 'must be a non-empty string of at most 256 characters' });
    return;
  }
  if (key === 'regex') {
    try {
      new RegExp(value);
    } catch (error) {
      out.push({
        path: `${path}.regex`,
        message: `is not a valid regular expression (${(error as Error).message})`,
      });
    }
  }
}

/** Validates a list of match patterns (provider aliases, model patterns). */
export function patternListErrors(raw: unknown, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!Array.isArray(raw)) return [{ path, message: 'must be an array of patterns' }];
  raw.forEach((p, i) => patternErrors(p, `${path}[${i}]`, out));
  return out;
}

const MATCH_KEYS = ['exact', 'patterns', 'snapshots', 'allModels'];

/** Validates a `ModelRate.match` value. */
export function parseModelMatch(raw: unknown, prefix = 'match'): Parsed<ModelMatch> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return {
      ok: false,
      errors: [{ path: prefix, message: 'must be an object: { "exact": [...], "patterns": [...] }' }],
    };
  const errors: FieldError[] = [];
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!MATCH_KEYS.includes(key))
      errors.push({ path: `${prefix}.${key}`, message: `unknown field (${MATCH_KEYS.join(', ')})` });
  }
  if (obj.exact !== undefined) {
    if (!Array.isArray(obj.exact))
      errors.push({ path: `${prefix}.exact`, message: 'must be an array of model names' });
    else
      obj.exact.forEach((e, i) => {
        if (typeof e !== 'string' || e.trim().length === 0 || e.length > 256)
          errors.push({
            path: `${prefix}.exact[${i}]`,
            message: 'must be a non-empty model name of at most 256 characters',
          });
      });
  }
  if (obj.patterns !== undefined) errors.push(...patternListErrors(obj.patterns, `${prefix}.patterns`));
  for (const flag of ['snapshots', 'allModels'] as const) {
    if (obj[flag] !== undefined && typeof obj[flag] !== 'boolean')
      errors.push({ path: `${prefix}.${flag}`, message: 'must be true or false' });
  }
  const empty =
    (!Array.isArray(obj.exact) || obj.exact.length === 0) &&
    (!Array.isArray(obj.patterns) || obj.patterns.length === 0) &&
    obj.allModels !== true;
  if (errors.length === 0 && empty)
    errors.push({
      path: prefix,
      message: 'matches nothing: give exact names, patterns or "allModels": true',
    });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: obj as ModelMatch };
}

/** Validates a provider of a catalog version. */
export function providerSpecErrors(raw: unknown, prefix: string): FieldError[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return [{ path: prefix, message: 'must be an object' }];
  const p = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  const allowed = ['id', 'name', 'aliases', 'modelPatterns', 'fallbackProviders', 'pricingUrls', 'notes'];
  for (const key of Object.keys(p))
    if (!allowed.includes(key)) errors.push({ path: `${prefix}.${key}`, message: 'unknown field' });
  if (typeof p.id !== 'string' || !PROVIDER_ID.test(p.id))
    errors.push({ path: `${prefix}.id`, message: 'must be a lower-case provider id, e.g. "openai"' });
  if (p.aliases !== undefined) errors.push(...patternListErrors(p.aliases, `${prefix}.aliases`));
  if (p.modelPatterns !== undefined)
    errors.push(...patternListErrors(p.modelPatterns, `${prefix}.modelPatterns`));
  if (p.fallbackProviders !== undefined) {
    if (
      !Array.isArray(p.fallbackProviders) ||
      p.fallbackProviders.some((f) => typeof f !== 'string' || !PROVIDER_ID.test(f))
    )
      errors.push({ path: `${prefix}.fallbackProviders`, message: 'must be an array of provider ids' });
  }
  for (const key of ['name', 'notes'] as const)
    if (p[key] !== undefined && typeof p[key] !== 'string')
      errors.push({ path: `${prefix}.${key}`, message: 'must be a string' });
  if (
    p.pricingUrls !== undefined &&
    (!Array.isArray(p.pricingUrls) || p.pricingUrls.some((u) => typeof u !== 'string'))
  )
    errors.push({ path: `${prefix}.pricingUrls`, message: 'must be an array of strings' });
  return errors;
}

/**
 * Validates one rate (a `ModelRate` row). Returns the rate with its prices normalised (decimal
 * strings in canonical form) or the errors, each naming its field under `prefix`.
 */
export function parseRate(raw: unknown, prefix = 'rate'): Parsed<RateInput> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, errors: [{ path: prefix, message: 'must be an object' }] };
  const r = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(r))
    if (!['provider', 'model', 'match', 'prices', 'source'].includes(key))
      errors.push({ path: `${prefix}.${key}`, message: 'unknown field' });
  if (typeof r.provider !== 'string' || !PROVIDER_ID.test(r.provider))
    errors.push({ path: `${prefix}.provider`, message: 'must be a lower-case provider id, e.g. "openai"' });
  if (typeof r.model !== 'string' || r.model.trim().length === 0 || r.model.length > 256)
    errors.push({ path: `${prefix}.model`, message: 'must be a model id of 1 to 256 characters' });
  if (typeof r.source !== 'string' || r.source.trim().length === 0 || r.source.length > 500)
    errors.push({
      path: `${prefix}.source`,
      message: 'must say where the price comes from (1 to 500 characters)',
    });
  const match = parseModelMatch(r.match, `${prefix}.match`);
  if (!match.ok) errors.push(...match.errors);
  const prices = parseRateCard(r.prices, `${prefix}.prices`);
  if (!prices.ok) errors.push(...prices.errors);
  if (errors.length > 0 || !match.ok || !prices.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      provider: r.provider as string,
      model: r.model as string,
      match: match.value,
      prices: prices.value,
      source: r.source as string,
    },
  };
}
