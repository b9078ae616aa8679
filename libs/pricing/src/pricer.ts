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
  private readonly cache = new Map<string, Resolution>();

  constructor(readonly versions: CompiledVersion[]) {}

  resolve(providerRaw: string, modelRaw: string): Resolution {
    const key = `${providerRaw}\n${modelRaw}`;
    let r = this.cache.get(key);
    if (r === undefined) {
      r = this.resolveUncached(providerRaw, modelRaw);
      if (this.cache.size >= RESOLUTION_CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, r);
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
function usageProblem(usage: UsageEvent['usage'] | undefined): string | null {
  if (!usage || typeof usage !== 'object') return 'usage: is required';
  for (const field of USAGE_FIELDS) {
    const v = usage[field];
    if (v === undefined && field !== 'inputTokens' && field !== 'outputTokens') continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      return `usage.${field}: must be a whole, non-negative number of tokens (got ${String(v)})`;
  }
  for (const [part, total] of USAGE_PARTS) {
    if ((usage[part] ?? 0) > usage[total])
      return `usage.${part} (${usage[part]}) is part of usage.${total} and cannot exceed it (${usage[total]})`;
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

class SnapshotPricer implements Pricer {
  private readonly contexts = new Map<string, Context>();

  constructor(private readonly layers: Map<string | null, CompiledTable[]>) {}

  private context(tables: CompiledTable[], ms: number): Context | null {
    let key = '';
    let count = 0;
    for (const t of tables) {
      const v = t.at(ms);
      if (v) {
        key += `${v.ordinal},`;
        count++;
      }
    }
    if (count === 0) return null;
    let ctx = this.contexts.get(key);
    if (!ctx) {
      const versions: CompiledVersion[] = [];
      for (const t of tables) {
        const v = t.at(ms);
        if (v) versions.push(v);
      }
      ctx = new Context(versions);
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  price(event: UsageEvent, organizationId: string | null): PricingResult {
    const usage = event.usage;
    const problem = usageProblem(usage);
    if (problem) return failure('error', problem);
    const ms = typeof event.occurredAt === 'string' ? Date.parse(event.occurredAt) : Number.NaN;
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
  const flags = [...resolved.flags];
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

  const base = {
    rateVersionId: (adjustment ?? rate).version.id,
    pricedModel: rate.model,
    pricedProvider: rate.provider,
    flags,
  };
  if (tokens[0] < 0)
    return {
      ...failure(
        'error',
        `usage: cache and media parts (${separateIn} tokens) exceed usage.inputTokens (${u.inputTokens}); ` +
          `${rate.model} prices them apart and the event does not say how they overlap`,
      ),
      ...base,
    };
  if (tokens[6] < 0)
    return {
      ...failure(
        'error',
        `usage: reasoning and audio parts (${separateOut} tokens) exceed usage.outputTokens (${u.outputTokens})`,
      ),
      ...base,
    };
  for (const [part, slot, what] of [
    [0, SLOT.input, 'input'],
    [6, SLOT.output, 'output'],
  ] as const) {
    if (tokens[part]! > 0 && p[slot]! < 0)
      return {
        ...failure(
          'unpriced_component',
          `no ${what} price for model "${rate.model}" from provider "${rate.provider}": ${tokens[part]} ${what} tokens cannot be priced`,
        ),
        ...base,
      };
  }

  // Exact integer arithmetic at 10^-scale USD: doubles while every product is a safe integer
  // (integers below 2^53 multiply and add exactly), BigInt beyond.
  const values = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let total = 0;
  let fast = prices.safe;
  for (let i = 0; fast && i < 10; i++) {
    if (tokens[i] === 0) continue;
    const v = tokens[i]! * p[PART_SLOT[i]!]!;
    values[i] = v;
    total += v;
    if (v > MAX_SAFE || total > MAX_SAFE) fast = false;
  }
  const breakdown: Record<string, Decimal> = {};
  if (fast) {
    for (let i = 0; i < 10; i++)
      if (tokens[i] !== 0) breakdown[PART_NAMES[i]!] = scaledToDecimal(values[i]!, prices.scale);
    return {
      status: 'priced',
      reason: null,
      totalUsd: scaledToDecimal(total, prices.scale),
      breakdown,
      ...base,
    };
  }
  let bigTotal = 0n;
  for (let i = 0; i < 10; i++) {
    if (tokens[i] === 0) continue;
    const v = BigInt(tokens[i]!) * prices.big[PART_SLOT[i]!]!;
    bigTotal += v;
    breakdown[PART_NAMES[i]!] = bigScaledToDecimal(v, prices.scale);
  }
  return {
    status: 'priced',
    reason: null,
    totalUsd: bigScaledToDecimal(bigTotal, prices.scale),
    breakdown,
    ...base,
  };
}
