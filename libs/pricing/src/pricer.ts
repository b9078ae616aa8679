import type { FieldError, UsageEvent } from '@tokenledger/contracts';
import type Decimal from 'decimal.js';
import {
  combineMultipliers,
  compileCard,
  ruleApplies,
  SLOT,
  type CompiledCard,
  type CompiledPrices,
} from './compile';
import { ModelIndex, normalizeName, compilePattern, type MatchHit, type PatternTest } from './match';
import { bigScaledToDecimal, scaledToDecimal } from './money';
import {
  isAdjustment,
  parseModelMatch,
  parseRateCard,
  providerSpecErrors,
  PROVIDER_ID,
  type ProviderSpec,
} from './rate-card';
import type { CatalogSnapshot, SnapshotTable, SnapshotVersion } from './snapshot';

export type PricingStatus = 'priced' | 'unpriced_model' | 'unpriced_component' | 'error';

export interface PricingResult {
  status: PricingStatus;
  /** Why it is not priced, in words; null when priced. */
  reason: string | null;
  /** Exact; null unless priced. */
  totalUsd: Decimal | null;
  /**
   * Component → USD: uncachedInput, cacheRead, cacheWrite, cacheWrite1h, inputAudio, inputImage,
   * output, reasoning, outputAudio, requests — those with tokens. Parts sum exactly to the total.
   * Tokens of a kind without its own price are in their parent's part (flagged `fallback:`).
   */
  breakdown: Record<string, Decimal> | null;
  /** The RateTableVersion whose rate priced it (the override's version when an override applied). */
  rateVersionId: string | null;
  /** The canonical catalog model id that matched. */
  pricedModel: string | null;
  pricedProvider: string | null;
  /** How it was priced: `tier:>272000`, `window:peak`, `fallback:cacheWrite=input`, `provider-inferred`, … */
  flags: string[];
}

export interface Pricer {
  /** Synchronous, no I/O. `organizationId` selects that organization's overrides (null: catalog only). */
  price(event: UsageEvent, organizationId: string | null): PricingResult;
}

/** A catalog that cannot be loaded as it is: every problem, each naming where it is. */
export class CatalogError extends Error {
  constructor(readonly problems: FieldError[]) {
    super(
      `the rate catalog is invalid: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
    );
    this.name = 'CatalogError';
  }
}

/** Gateways whose events name a model but not who served it; the provider is inferred from the model. */
export const GATEWAY_PROVIDERS = new Set(['litellm']);

interface Rate {
  provider: string;
  model: string;
  card: CompiledCard;
  version: CompiledVersion;
}

interface CompiledProvider {
  spec: ProviderSpec;
  aliases: PatternTest[];
  modelPatterns: PatternTest[];
}

class CompiledVersion {
  readonly priced = new Map<string, ModelIndex<Rate>>();
  readonly adjustments = new Map<string, ModelIndex<Rate>>();
  readonly providers = new Map<string, CompiledProvider>();

  constructor(
    readonly ordinal: number,
    readonly id: string,
    readonly table: SnapshotTable,
    readonly effectiveFromMs: number,
    readonly version: number,
  ) {}

  knows(provider: string): boolean {
    return this.priced.has(provider) || this.adjustments.has(provider) || this.providers.has(provider);
  }
}

class CompiledTable {
  /** Sorted by effectiveFrom, then version number. */
  readonly versions: CompiledVersion[];
  private readonly starts: Float64Array;

  constructor(
    readonly table: SnapshotTable,
    versions: CompiledVersion[],
  ) {
    this.versions = [...versions].sort(
      (a, b) => a.effectiveFromMs - b.effectiveFromMs || a.version - b.version,
    );
    this.starts = Float64Array.from(this.versions.map((v) => v.effectiveFromMs));
  }

  /** The start of the first version after the one in force at `ms` (Infinity when none). */
  nextStart(ms: number): number {
    for (let i = 0; i < this.starts.length; i++) if (this.starts[i]! > ms) return this.starts[i]!;
    return Infinity;
  }

  /** The version in force at `ms`: the latest effectiveFrom ≤ ms (ties: the later version). */
  at(ms: number): CompiledVersion | null {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= ms) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : this.versions[found]!;
  }
}

interface Resolved {
  kind: 'rate';
  rate: Rate;
  adjustment: Rate | null;
  flags: string[];
}
type Resolution =
  | Resolved
  | { kind: 'unpriced_model'; reason: string; flags: string[] }
  | { kind: 'error'; reason: string; flags: string[] };

const RESOLUTION_CACHE_LIMIT = 50_000;

/** The versions in force for one combination of tables at one moment, with a cache of lookups. */
class Context {
  /** provider → model → resolution: two lookups, no string building per event. */
  private readonly cache = new Map<string, Map<string, Resolution>>();
  private cached = 0;

  constructor(readonly versions: CompiledVersion[]) {}

  resolve(providerRaw: string, modelRaw: string): Resolution {
    let byModel = this.cache.get(providerRaw);
    if (byModel === undefined) {
      byModel = new Map();
      this.cache.set(providerRaw, byModel);
    }
    let r = byModel.get(modelRaw);
    if (r === undefined) {
      r = this.resolveUncached(providerRaw, modelRaw);
      if (++this.cached > RESOLUTION_CACHE_LIMIT) {
        this.cache.clear();
        this.cached = 1;
        this.cache.set(providerRaw, (byModel = new Map()));
      }
      byModel.set(modelRaw, r);
    }
    return r;
  }

  private knows(provider: string): boolean {
    return this.versions.some((v) => v.knows(provider));
  }

  private providerSpec(id: string): CompiledProvider | undefined {
    for (const v of this.versions) {
      const p = v.providers.get(id);
      if (p) return p;
    }
    return undefined;
  }

  /** The provider a name stands for, by the catalog's aliases (most specific alias wins). */
  private byAlias(name: string): string | null {
    let best: { id: string; score: number } | null = null;
    for (const v of this.versions)
      for (const p of v.providers.values())
        for (const test of p.aliases) {
          const s = test(name);
          if (s >= 0 && (!best || s > best.score)) best = { id: p.spec.id, score: s };
        }
    return best?.id ?? null;
  }

  /** The provider whose model names a gateway's model name looks like. */
  private byModel(model: string): string | null {
    const name = normalizeName(model);
    let best: { id: string; score: number } | null = null;
    for (const v of this.versions)
      for (const p of v.providers.values())
        for (const test of p.modelPatterns) {
          const s = test(name);
          if (s >= 0 && (!best || s > best.score)) best = { id: p.spec.id, score: s };
        }
    return best?.id ?? null;
  }

  private resolveUncached(providerRaw: string, modelRaw: string): Resolution {
    const flags: string[] = [];
    let provider = normalizeName(providerRaw);
    let model = modelRaw;
    if (!this.knows(provider)) {
      let inferred: string | null = null;
      if (GATEWAY_PROVIDERS.has(provider)) {
        const slash = model.indexOf('/');
        const prefix = slash > 0 ? normalizeName(model.slice(0, slash)) : '';
        if (prefix && this.knows(prefix)) {
          inferred = prefix;
          model = model.slice(slash + 1);
        } else inferred = this.byModel(model);
      } else inferred = this.byAlias(provider);
      if (inferred === null)
        return {
          kind: 'unpriced_model',
          reason: `no rate for model "${modelRaw}" from provider "${providerRaw}" (no such provider in the rate tables)`,
          flags,
        };
      provider = inferred;
      flags.push('provider-inferred');
    }
    const direct = this.lookup(provider, model);
    if (direct.kind !== 'unpriced_model') return withFlags(direct, flags);
    for (const fallback of this.providerSpec(provider)?.spec.fallbackProviders ?? []) {
      const r = this.lookup(fallback, model);
      if (r.kind !== 'unpriced_model') return withFlags(r, [...flags, `provider-fallback:${fallback}`]);
    }
    return {
      kind: 'unpriced_model',
      reason: `no rate for model "${modelRaw}" from provider "${providerRaw}"`,
      flags,
    };
  }

  /** Walks the tables in order: the first priced match wins; an adjustment above it applies to it. */
  private lookup(provider: string, model: string): Resolution {
    let adjustment: MatchHit<Rate> | null = null;
    for (const v of this.versions) {
      const priced = v.priced.get(provider)?.match(model);
      if (priced?.kind === 'ambiguous') return ambiguous(provider, model, priced.hits);
      if (priced?.kind === 'hit') {
        const flags = matchFlags(priced.hit);
        if (priced.hit.entry.version.table.kind === 'override')
          flags.push(`override:${priced.hit.entry.version.table.slug}`);
        return { kind: 'rate', rate: priced.hit.entry, adjustment: adjustment?.entry ?? null, flags };
      }
      const adj = v.adjustments.get(provider)?.match(model);
      if (adj?.kind === 'ambiguous') return ambiguous(provider, model, adj.hits);
      if (adj?.kind === 'hit' && adjustment === null) adjustment = adj.hit;
    }
    return { kind: 'unpriced_model', reason: '', flags: [] };
  }
}

function withFlags(r: Resolution, flags: string[]): Resolution {
  return flags.length === 0 ? r : { ...r, flags: [...flags, ...r.flags] };
}

function matchFlags(hit: MatchHit<Rate>): string[] {
  if (hit.how === 'snapshot') return ['match:snapshot'];
  if (hit.how === 'pattern') return ['match:pattern'];
  if (hit.how === 'all-models') return ['match:all-models'];
  return [];
}

function ambiguous(provider: string, model: string, hits: MatchHit<Rate>[]): Resolution {
  return {
    kind: 'error',
    reason: `model "${model}" from provider "${provider}" matches several rates equally well (${hits
      .map((h) => `"${h.entry.model}" in ${h.entry.version.table.slug} v${h.entry.version.version}`)
      .join(', ')}): make one of them more specific`,
    flags: [],
  };
}

// ───────────────────────────── building ─────────────────────────────

function toMs(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

function compileProvider(spec: ProviderSpec): CompiledProvider {
  return {
    spec,
    aliases: (spec.aliases ?? []).map(compilePattern),
    modelPatterns: (spec.modelPatterns ?? []).map(compilePattern),
  };
}

/**
 * Compiles the rates of one version; problems (invalid JSON, two rates for one model, names that
 * two rates match equally well) are collected under `where`.
 */
function compileVersion(
  table: SnapshotTable,
  version: SnapshotVersion,
  ordinal: number,
  cards: Map<string, CompiledCard>,
  problems: FieldError[],
): CompiledVersion {
  const where = `tables[${table.slug}${table.organizationId ? `@${table.organizationId}` : ''}].versions[${version.version}]`;
  const effectiveFromMs = toMs(version.effectiveFrom);
  if (Number.isNaN(effectiveFromMs))
    problems.push({ path: `${where}.effectiveFrom`, message: 'is not a valid date' });
  const compiled = new CompiledVersion(ordinal, version.id, table, effectiveFromMs, version.version);

  const providers = version.providers ?? [];
  if (!Array.isArray(providers)) problems.push({ path: `${where}.providers`, message: 'must be an array' });
  else
    providers.forEach((raw, i) => {
      const errors = providerSpecErrors(raw, `${where}.providers[${i}]`);
      if (errors.length > 0) problems.push(...errors);
      else {
        const spec = raw as ProviderSpec;
        if (compiled.providers.has(spec.id))
          problems.push({ path: `${where}.providers[${i}].id`, message: `"${spec.id}" is listed twice` });
        compiled.providers.set(spec.id, compileProvider(spec));
      }
    });

  const seen = new Set<string>();
  version.rates.forEach((raw) => {
    const at = `${where}.rates[${raw.provider}/${raw.model}]`;
    if (typeof raw.provider !== 'string' || !PROVIDER_ID.test(raw.provider)) {
      problems.push({ path: `${at}.provider`, message: 'must be a lower-case provider id' });
      return;
    }
    const key = `${raw.provider}\n${raw.model}`;
    if (seen.has(key)) problems.push({ path: at, message: 'appears twice in one version' });
    seen.add(key);
    const match = parseModelMatch(raw.match, `${at}.match`);
    if (!match.ok) {
      problems.push(...match.errors);
      return;
    }
    const cardKey = JSON.stringify(raw.prices);
    let card = cards.get(cardKey);
    if (!card) {
      const parsed = parseRateCard(raw.prices, `${at}.prices`);
      if (!parsed.ok) {
        problems.push(...parsed.errors);
        return;
      }
      card = compileCard(parsed.value);
      cards.set(cardKey, card);
      if (isAdjustment(parsed.value) && table.kind !== 'override')
        problems.push({
          path: `${at}.prices`,
          message: 'a discount belongs in an organization override table',
        });
    }
    const rate: Rate = { provider: raw.provider, model: raw.model, card, version: compiled };
    const indexes = card.adjustment ? compiled.adjustments : compiled.priced;
    let index = indexes.get(raw.provider);
    if (!index) indexes.set(raw.provider, (index = new ModelIndex<Rate>()));
    index.add(rate, match.value);
  });

  for (const [kind, indexes] of [
    ['rates', compiled.priced],
    ['discounts', compiled.adjustments],
  ] as const) {
    for (const [provider, index] of indexes) {
      for (const { name, entries } of index.findAmbiguities()) {
        problems.push({
          path: `${where}.rates[${provider}]`,
          message: `ambiguous ${kind}: "${name}" matches ${entries.map((e) => `"${e.model}"`).join(' and ')} equally well`,
        });
      }
      if (index.allModelsCount > 1)
        problems.push({
          path: `${where}.rates[${provider}]`,
          message: `ambiguous ${kind}: more than one covers every model of "${provider}"`,
        });
    }
  }
  return compiled;
}

const USAGE_PARTS: [keyof UsageEvent['usage'], keyof UsageEvent['usage']][] = [
  ['cacheReadTokens', 'inputTokens'],
  ['cacheWriteTokens', 'inputTokens'],
  ['cacheWrite1hTokens', 'inputTokens'],
  ['inputAudioTokens', 'inputTokens'],
  ['inputImageTokens', 'inputTokens'],
  ['reasoningTokens', 'outputTokens'],
  ['outputAudioTokens', 'outputTokens'],
];
const USAGE_FIELDS: (keyof UsageEvent['usage'])[] = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'reasoningTokens',
  'inputAudioTokens',
  'outputAudioTokens',
  'inputImageTokens',
];

function failure(status: PricingStatus, reason: string, flags: string[] = []): PricingResult {
  return {
    status,
    reason,
    totalUsd: null,
    breakdown: null,
    rateVersionId: null,
    pricedModel: null,
    pricedProvider: null,
    flags,
  };
}

/** Usage the pricer cannot take at face value: named by field, as the API names it. */
function wholeTokens(v: unknown): boolean {
  return typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v;
}

/** Usage the pricer cannot take at face value: named by field, as the API names it. */
function usageProblem(u: UsageEvent['usage'] | undefined): string | null {
  if (!u || typeof u !== 'object') return 'usage: is required';
  const input = u.inputTokens;
  const output = u.outputTokens;
  // The common case, a validated event, in one pass of plain comparisons.
  if (
    wholeTokens(input) &&
    wholeTokens(output) &&
    wholeTokens(u.cacheReadTokens) &&
    wholeTokens(u.cacheWriteTokens) &&
    wholeTokens(u.cacheWrite1hTokens) &&
    wholeTokens(u.reasoningTokens) &&
    wholeTokens(u.inputAudioTokens) &&
    wholeTokens(u.outputAudioTokens) &&
    wholeTokens(u.inputImageTokens) &&
    u.cacheReadTokens <= input &&
    u.cacheWriteTokens <= input &&
    u.cacheWrite1hTokens <= input &&
    u.inputAudioTokens <= input &&
    u.inputImageTokens <= input &&
    u.reasoningTokens <= output &&
    u.outputAudioTokens <= output
  )
    return null;
  for (const field of USAGE_FIELDS) {
    const v = u[field];
    if (v === undefined && field !== 'inputTokens' && field !== 'outputTokens') continue;
    if (!wholeTokens(v))
      return `usage.${field}: must be a whole, non-negative number of tokens (got ${String(v)})`;
  }
  for (const [part, total] of USAGE_PARTS) {
    if ((u[part] ?? 0) > u[total])
      return `usage.${part} (${u[part]}) is part of usage.${total} and cannot exceed it (${u[total]})`;
  }
  return null;
}

/** Builds a pricer over a snapshot of every rate table. Throws CatalogError when the catalog is invalid. */
export function buildPricer(snapshot: CatalogSnapshot): Pricer {
  const problems: FieldError[] = [];
  const cards = new Map<string, CompiledCard>();
  let ordinal = 0;
  const globalTables: CompiledTable[] = [];
  const orgTables = new Map<string, CompiledTable[]>();
  for (const table of snapshot.tables) {
    const versions = table.versions.map((v) => compileVersion(table, v, ordinal++, cards, problems));
    const compiled = new CompiledTable(table, versions);
    if (table.organizationId === null) globalTables.push(compiled);
    else {
      const list = orgTables.get(table.organizationId) ?? [];
      list.push(compiled);
      orgTables.set(table.organizationId, list);
    }
  }
  if (problems.length > 0) throw new CatalogError(problems);
  const byPriority = (a: CompiledTable, b: CompiledTable) =>
    a.table.priority - b.table.priority || a.table.slug.localeCompare(b.table.slug);
  globalTables.sort(byPriority);
  const layers = new Map<string | null, CompiledTable[]>([[null, globalTables]]);
  for (const [org, tables] of orgTables) layers.set(org, [...tables.sort(byPriority), ...globalTables]);
  return new SnapshotPricer(layers);
}

interface CachedContext {
  /** The context holds for instants in [from, until). */
  from: number;
  until: number;
  ctx: Context | null;
}

class SnapshotPricer implements Pricer {
  private readonly contexts = new Map<string, Context>();
  /** Per list of tables: the contexts met so far and the time spans they hold for. */
  private readonly spans = new Map<CompiledTable[], CachedContext[]>();

  constructor(private readonly layers: Map<string | null, CompiledTable[]>) {}

  private context(tables: CompiledTable[], ms: number): Context | null {
    let spans = this.spans.get(tables);
    if (spans === undefined) this.spans.set(tables, (spans = []));
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (ms >= span.from && ms < span.until) return span.ctx;
    }
    let key = '';
    let from = -Infinity;
    let until = Infinity;
    const versions: CompiledVersion[] = [];
    for (const t of tables) {
      const v = t.at(ms);
      until = Math.min(until, t.nextStart(ms));
      if (v) {
        key += `${v.ordinal},`;
        from = Math.max(from, v.effectiveFromMs);
        versions.push(v);
      }
    }
    let ctx: Context | null = null;
    if (versions.length > 0) {
      ctx = this.contexts.get(key) ?? null;
      if (!ctx) this.contexts.set(key, (ctx = new Context(versions)));
    }
    if (spans.length < 64) spans.push({ from, until, ctx });
    return ctx;
  }

  price(event: UsageEvent, organizationId: string | null): PricingResult {
    const usage = event.usage;
    const problem = usageProblem(usage);
    if (problem) return failure('error', problem);
    const ms = typeof event.occurredAt === 'string' ? parseTimestamp(event.occurredAt) : Number.NaN;
    if (Number.isNaN(ms))
      return failure('error', `occurredAt: "${String(event.occurredAt)}" is not a valid timestamp`);
    if (typeof event.provider !== 'string' || typeof event.model !== 'string')
      return failure('error', 'provider and model: are required strings');

    const tables = this.layers.get(organizationId) ?? this.layers.get(null)!;
    const ctx = this.context(tables, ms);
    if (!ctx)
      return failure(
        'unpriced_model',
        `no rate for model "${event.model}" from provider "${event.provider}" (no rate table is in force at ${event.occurredAt})`,
      );
    const resolution = ctx.resolve(event.provider, event.model);
    if (resolution.kind !== 'rate') return failure(resolution.kind, resolution.reason, resolution.flags);
    return computeCost(event, ms, resolution);
  }
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

/**
 * Milliseconds of a timestamp. Validated events carry `toISOString()` form
 * (2026-06-01T12:00:00.000Z), read here digit by digit (Date.parse costs more than the rest of
 * pricing); anything else goes through Date.parse.
 */
export function parseTimestamp(s: string): number {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  )
    return Date.parse(s);
  for (const i of DIGIT_POSITIONS) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return Date.parse(s);
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > DAYS_IN_MONTH[month - 1]! + leap ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return Date.parse(s);
  return Date.UTC(
    year,
    month - 1,
    day,
    hour,
    minute,
    second,
    digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22),
  );
}

// ───────────────────────────── the arithmetic ─────────────────────────────

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Breakdown parts in output order: name and price slot. */
const PART_NAMES = [
  'uncachedInput',
  'cacheRead',
  'cacheWrite',
  'cacheWrite1h',
  'inputAudio',
  'inputImage',
  'output',
  'reasoning',
  'outputAudio',
  'requests',
] as const;
const PART_SLOT = [
  SLOT.input,
  SLOT.cacheRead,
  SLOT.cacheWrite,
  SLOT.cacheWrite1h,
  SLOT.inputAudio,
  SLOT.inputImage,
  SLOT.output,
  SLOT.reasoning,
  SLOT.outputAudio,
  SLOT.request,
];

function computeCost(event: UsageEvent, ms: number, resolved: Resolved): PricingResult {
  const { rate, adjustment } = resolved;
  const card = rate.card;
  const flags = resolved.flags.length === 0 ? [] : resolved.flags.slice();
  if (adjustment) {
    flags.push(adjustment.card.adjustment!.flag, `base-rate-version:${rate.version.id}`);
  }

  // Which price set: a time rule, then a service tier's own prices.
  let set = card.base;
  for (const rule of card.rules) {
    if (ruleApplies(rule, ms)) {
      set = rule.set;
      flags.push(rule.flag);
      break;
    }
  }
  let multiplier: string | null = adjustment ? adjustment.card.adjustment!.multiplier : null;
  const tier = event.serviceTier;
  if (tier && tier !== 'standard') {
    const st = card.serviceTiers.get(tier);
    if (!st) flags.push(`service-tier:${tier}=standard`);
    else {
      flags.push(`service-tier:${tier}`);
      if ('set' in st) set = st.set;
      else multiplier = combineMultipliers(st.multiplier, multiplier);
    }
  }
  const u = event.usage;
  let prices: CompiledPrices = set.base;
  let tierFlag: string | null = null;
  for (const t of set.tiers) {
    if (u.inputTokens > t.above) {
      prices = t.prices;
      tierFlag = t.flag;
    }
  }
  if (tierFlag) flags.push(tierFlag);
  if (multiplier !== null) prices = prices.multiplied(multiplier);

  // Tokens per part. A kind without a price is billed at its parent's price (in its parent's part).
  const p = prices.num;
  const tokens = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const cacheRead = u.cacheReadTokens ?? 0;
  const cacheWrite = u.cacheWriteTokens ?? 0;
  const cacheWrite1h = u.cacheWrite1hTokens ?? 0;
  const reasoning = u.reasoningTokens ?? 0;
  const inputAudio = u.inputAudioTokens ?? 0;
  const outputAudio = u.outputAudioTokens ?? 0;
  const inputImage = u.inputImageTokens ?? 0;
  let separateIn = 0;
  let separateOut = 0;
  if (cacheRead > 0) {
    if (p[SLOT.cacheRead]! < 0) flags.push('fallback:cacheRead=input');
    else {
      tokens[1] = cacheRead;
      separateIn += cacheRead;
    }
  }
  if (cacheWrite > 0) {
    if (p[SLOT.cacheWrite]! < 0) flags.push('fallback:cacheWrite=input');
    else {
      tokens[2] = cacheWrite;
      separateIn += cacheWrite;
    }
  }
  if (cacheWrite1h > 0) {
    if (p[SLOT.cacheWrite1h]! >= 0) {
      tokens[3] = cacheWrite1h;
      separateIn += cacheWrite1h;
    } else if (p[SLOT.cacheWrite]! >= 0) {
      tokens[2] += cacheWrite1h;
      separateIn += cacheWrite1h;
      flags.push('fallback:cacheWrite1h=cacheWrite');
    } else flags.push('fallback:cacheWrite1h=input');
  }
  if (inputAudio > 0) {
    if (p[SLOT.inputAudio]! < 0) flags.push('fallback:inputAudio=input');
    else {
      tokens[4] = inputAudio;
      separateIn += inputAudio;
    }
  }
  if (inputImage > 0) {
    if (p[SLOT.inputImage]! < 0) flags.push('fallback:inputImage=input');
    else {
      tokens[5] = inputImage;
      separateIn += inputImage;
    }
  }
  if (reasoning > 0) {
    if (p[SLOT.reasoning]! < 0) flags.push('fallback:reasoning=output');
    else {
      tokens[7] = reasoning;
      separateOut += reasoning;
    }
  }
  if (outputAudio > 0) {
    if (p[SLOT.outputAudio]! < 0) flags.push('fallback:outputAudio=output');
    else {
      tokens[8] = outputAudio;
      separateOut += outputAudio;
    }
  }
  tokens[0] = u.inputTokens - separateIn;
  tokens[6] = u.outputTokens - separateOut;
  tokens[9] = p[SLOT.request]! >= 0 ? 1 : 0;

  const rateVersionId = (adjustment ?? rate).version.id;
  if (tokens[0] < 0)
    return notPriced(
      rate,
      rateVersionId,
      flags,
      'error',
      `usage: cache and media parts (${separateIn} tokens) exceed usage.inputTokens (${u.inputTokens}); ` +
        `${rate.model} prices them apart and the event does not say how they overlap`,
    );
  if (tokens[6] < 0)
    return notPriced(
      rate,
      rateVersionId,
      flags,
      'error',
      `usage: reasoning and audio parts (${separateOut} tokens) exceed usage.outputTokens (${u.outputTokens})`,
    );
  if (tokens[0] > 0 && p[SLOT.input]! < 0)
    return notPriced(
      rate,
      rateVersionId,
      flags,
      'unpriced_component',
      missingPrice(rate, 'input', tokens[0]),
    );
  if (tokens[6] > 0 && p[SLOT.output]! < 0)
    return notPriced(
      rate,
      rateVersionId,
      flags,
      'unpriced_component',
      missingPrice(rate, 'output', tokens[6]),
    );

  // Exact integer arithmetic at 10^-scale USD: doubles while the total is a safe integer (then
  // every product and partial sum is one too, and exact), BigInt beyond.
  const values = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let total = 0;
  for (let i = 0; i < 10; i++) {
    if (tokens[i] === 0) continue;
    const v = tokens[i]! * p[PART_SLOT[i]!]!;
    values[i] = v;
    total += v;
  }
  const breakdown: Record<string, Decimal> = {};
  let totalUsd: Decimal;
  if (prices.safe && total <= MAX_SAFE) {
    for (let i = 0; i < 10; i++)
      if (tokens[i] !== 0) breakdown[PART_NAMES[i]!] = scaledToDecimal(values[i]!, prices.scale);
    totalUsd = scaledToDecimal(total, prices.scale);
  } else {
    let bigTotal = 0n;
    for (let i = 0; i < 10; i++) {
      if (tokens[i] === 0) continue;
      const v = BigInt(tokens[i]!) * prices.big[PART_SLOT[i]!]!;
      bigTotal += v;
      breakdown[PART_NAMES[i]!] = bigScaledToDecimal(v, prices.scale);
    }
    totalUsd = bigScaledToDecimal(bigTotal, prices.scale);
  }
  return {
    status: 'priced',
    reason: null,
    totalUsd,
    breakdown,
    rateVersionId,
    pricedModel: rate.model,
    pricedProvider: rate.provider,
    flags,
  };
}

function notPriced(
  rate: Rate,
  rateVersionId: string,
  flags: string[],
  status: PricingStatus,
  reason: string,
): PricingResult {
  return {
    status,
    reason,
    totalUsd: null,
    breakdown: null,
    rateVersionId,
    pricedModel: rate.model,
    pricedProvider: rate.provider,
    flags,
  };
}

function missingPrice(rate: Rate, what: 'input' | 'output', tokens: number): string {
  return `no ${what} price for model "${rate.model}" from provider "${rate.provider}": ${tokens} ${what} tokens cannot be priced`;
}
