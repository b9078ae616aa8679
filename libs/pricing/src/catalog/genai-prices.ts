import type { ConditionalPrice, MatchLogic, ModelInfo, ModelPrice, Provider } from '@pydantic/genai-prices';
import { decimalFromFloat } from '../money';
import type {
  MatchPattern,
  ModelMatch,
  PriceFields,
  PriceKey,
  PriceSet,
  PricedCard,
  ProviderSpec,
  RateInput,
  Rule,
  Tier,
  When,
} from '../rate-card';
import type { ModelFactInput } from './model-facts';

/**
 * The built-in catalog: @pydantic/genai-prices' providers and models converted into rate cards,
 * faithfully (the cross-check in genai-prices.crosscheck.spec.ts holds it to `calcPrice`):
 *
 * - per-million token prices map onto card components; `requests_kcount` becomes a per-request
 *   price; units events do not carry (web searches, audio hours, pages…) are kept under `other`;
 * - per-key tiers (`{ base, tiers: [{ start, price }] }`, applied when input tokens > start) become
 *   whole-request tiers: one tier per distinct threshold, with every component's price there;
 * - conditional prices (checked from the last to the first, the first unconstrained entry being the
 *   default) become rules in the same order, `start_date` as `from`, `time_of_date` as a UTC window;
 * - a model's `match` becomes exact names and patterns; provider_match, model_match and
 *   fallback_model_providers become the provider's aliases, model patterns and fallbacks.
 */

const TOKEN_KEYS: Record<string, PriceKey> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  cache_write_1h_mtok: 'cacheWrite1h',
  output_reasoning_mtok: 'reasoning',
  input_audio_mtok: 'inputAudio',
  output_audio_mtok: 'outputAudio',
  input_image_mtok: 'inputImage',
};
const REQUEST_KEY = 'requests_kcount';

interface TieredValue {
  base: number;
  tiers: { start: number; price: number }[];
}

function isTiered(v: unknown): v is TieredValue {
  return typeof v === 'object' && v !== null && 'base' in v && Array.isArray((v as TieredValue).tiers);
}

/** The price of one key at an input size just above `threshold` (null: the base price). */
function valueAt(v: number | TieredValue, threshold: number | null): number {
  if (!isTiered(v)) return v;
  let price = v.base;
  if (threshold === null) return price;
  for (const t of [...v.tiers].sort((a, b) => a.start - b.start)) if (t.start <= threshold) price = t.price;
  return price;
}

function usd(value: number, divideBy = 1): string {
  return decimalFromFloat(value).div(divideBy).toFixed();
}

function fieldsAt(prices: ModelPrice, threshold: number | null): PriceFields {
  const out: PriceFields = {};
  for (const [key, raw] of Object.entries(prices)) {
    if (raw === undefined) continue;
    const value = valueAt(raw as number | TieredValue, threshold);
    if (key in TOKEN_KEYS) out[TOKEN_KEYS[key]!] = usd(value);
    else if (key === REQUEST_KEY) out.request = usd(value, 1000);
  }
  return out;
}

export function convertPriceSet(prices: ModelPrice): PriceSet & { other?: Record<string, string> } {
  const set: PriceSet & { other?: Record<string, string> } = fieldsAt(prices, null);
  const thresholds = new Set<number>();
  const other: Record<string, string> = {};
  for (const [key, raw] of Object.entries(prices)) {
    if (raw === undefined) continue;
    const mapped = key in TOKEN_KEYS || key === REQUEST_KEY;
    if (isTiered(raw) && mapped) raw.tiers.forEach((t) => thresholds.add(t.start));
    if (!mapped) other[key] = usd(valueAt(raw as number | TieredValue, null));
  }
  if (thresholds.size > 0) {
    set.tiers = [...thresholds]
      .sort((a, b) => a - b)
      .map((start): Tier => ({ aboveInputTokens: start, ...fieldsAt(prices, start) }));
  }
  if (Object.keys(other).length > 0) set.other = other;
  return set;
}

/** "01:00:00Z" or "09:00:00+08:00" → "01:00:00" (UTC). */
export function utcTimeOfDay(value: string): string {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(value);
  if (!m) throw new Error(`unsupported time of day "${value}"`);
  const offset = m[4] === 'Z' ? 0 : (m[5] === '+' ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
  const seconds = (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) - offset + 86400 * 2) % 86400;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

function whenOf(constraint: NonNullable<ConditionalPrice['constraint']>): When {
  if (constraint.type === 'start_date') return { from: constraint.start_date };
  return {
    timeOfDay: { start: utcTimeOfDay(constraint.start_time), end: utcTimeOfDay(constraint.end_time) },
  };
}

export function convertCard(model: ModelInfo): PricedCard {
  if (!Array.isArray(model.prices)) return convertPriceSet(model.prices);
  const entries = model.prices;
  const rules: Rule[] = [];
  let base: ModelPrice | null = null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (!entry.constraint) {
      base = entry.prices;
      break;
    }
    const { other: _other, ...set } = convertPriceSet(entry.prices);
    rules.push({ when: whenOf(entry.constraint), ...set });
  }
  // With no unconstrained entry, @pydantic/genai-prices falls back to the first one.
  const card: PricedCard = convertPriceSet(base ?? entries[0]!.prices);
  if (rules.length > 0) card.rules = rules;
  return card;
}

export function convertPattern(logic: MatchLogic): MatchPattern {
  if ('or' in logic) return { anyOf: logic.or.map(convertPattern) };
  if ('and' in logic) return { allOf: logic.and.map(convertPattern) };
  if ('equals' in logic) return { equals: logic.equals };
  if ('starts_with' in logic) return { startsWith: logic.starts_with };
  if ('ends_with' in logic) return { endsWith: logic.ends_with };
  if ('contains' in logic) return { contains: logic.contains };
  return { regex: logic.regex };
}

export function convertMatch(logic: MatchLogic): ModelMatch {
  const top = 'or' in logic ? logic.or : [logic];
  const exact: string[] = [];
  const patterns: MatchPattern[] = [];
  for (const item of top) {
    if ('equals' in item) exact.push(item.equals);
    else patterns.push(convertPattern(item));
  }
  const match: ModelMatch = {};
  if (exact.length > 0) match.exact = exact;
  if (patterns.length > 0) match.patterns = patterns;
  return match;
}

function convertProvider(p: Provider): ProviderSpec {
  const spec: ProviderSpec = { id: p.id, name: p.name };
  if (p.provider_match) spec.aliases = [convertPattern(p.provider_match)];
  if (p.model_match) spec.modelPatterns = [convertPattern(p.model_match)];
  if (p.fallback_model_providers?.length) spec.fallbackProviders = [...p.fallback_model_providers];
  if (p.pricing_urls?.length) spec.pricingUrls = [...p.pricing_urls];
  if (p.price_comments) spec.notes = p.price_comments;
  return spec;
}

const MEDIA_INPUT: [string, string][] = [
  ['input_audio_mtok', 'audio'],
  ['input_audio_hours', 'audio'],
  ['audio_hours', 'audio'],
  ['input_image_mtok', 'image'],
  ['input_video_mtok', 'video'],
];

function inputModalitiesOf(model: ModelInfo): string[] {
  const keys = new Set<string>();
  for (const entry of Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }])
    for (const k of Object.keys(entry.prices)) keys.add(k);
  const out = keys.has('input_mtok') || keys.has('input_text_mtok') ? ['text'] : [];
  for (const [key, modality] of MEDIA_INPUT) if (keys.has(key) && !out.includes(modality)) out.push(modality);
  return out;
}

export interface ConvertedCatalog {
  providers: ProviderSpec[];
  rates: RateInput[];
  facts: ModelFactInput[];
}

/** Converts @pydantic/genai-prices' data (as `waitForUpdate()` returns it). `source` names the package and version. */
export function convertGenaiPrices(providers: readonly Provider[], source: string): ConvertedCatalog {
  const out: ConvertedCatalog = { providers: [], rates: [], facts: [] };
  for (const p of providers) {
    out.providers.push(convertProvider(p));
    for (const model of p.models) {
      out.rates.push({
        provider: p.id,
        model: model.id,
        match: convertMatch(model.match),
        prices: convertCard(model),
        source,
      });
      out.facts.push({
        provider: p.id,
        model: model.id,
        displayName: model.name ?? null,
        contextWindow: model.context_window ?? null,
        maxOutputTokens: null,
        inputModalities: inputModalitiesOf(model),
        outputModalities: [],
        capabilities: [],
        benchmarks: {},
        source: `${source} (context window; input modalities read from the token kinds it prices)`,
      });
    }
  }
  return out;
}
