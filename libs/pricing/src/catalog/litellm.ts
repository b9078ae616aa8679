import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { decimalFromFloat } from '../money';
import {
  PROVIDER_ID,
  type PriceFields,
  type PriceKey,
  type PricedCard,
  type RateInput,
  type Tier,
} from '../rate-card';

/**
 * LiteLLM's `model_prices_and_context_window.json` (model name → prices in USD per token) as
 * rates for an organization's override table. Read: per-token prices of every token kind,
 * `_above_<N>k_tokens` long-context prices (whole-request tiers above N × 1000 input tokens),
 * `_batches` / `_flex` / `_priority` service-tier prices, `input_cost_per_request`. Other units
 * (per image, per second, per character…) are kept under `other`; entries with no per-token price
 * at all are skipped with the reason.
 */

const TOKEN_FIELDS: Record<string, PriceKey> = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
  cache_creation_input_token_cost_above_1hr: 'cacheWrite1h',
  output_cost_per_reasoning_token: 'reasoning',
  input_cost_per_audio_token: 'inputAudio',
  output_cost_per_audio_token: 'outputAudio',
  input_cost_per_image_token: 'inputImage',
};
const REQUEST_FIELD = 'input_cost_per_request';
const TIER_FIELD = /^(.+)_above_(\d+)k_tokens$/;
const SERVICE_TIER_FIELD = /^(.+)_(batches|flex|priority)$/;
const SERVICE_TIER_NAMES = { batches: 'batch', flex: 'flex', priority: 'priority' } as const;
const PRICE_LIKE = /cost|price/;

/** LiteLLM provider names → Tokenledger's (the built-in catalog's) provider ids. */
const PROVIDERS: [RegExp, string][] = [
  [/^(openai|text-completion-openai|chatgpt)$/, 'openai'],
  [/^(azure|azure_ai|azure_text)$/, 'azure'],
  [/^anthropic$/, 'anthropic'],
  [/^(vertex_ai.*|gemini)$/, 'google'],
  [/^(bedrock|bedrock_converse)$/, 'aws'],
  [/^fireworks_ai.*$/, 'fireworks'],
  [/^together_ai$/, 'together'],
  [/^(cohere|cohere_chat)$/, 'cohere'],
  [/^xai$/, 'x-ai'],
  [/^moonshot$/, 'moonshotai'],
  [/^voyage$/, 'voyageai'],
];

export function litellmProvider(name: string): string | null {
  const lower = name.trim().toLowerCase();
  for (const [re, id] of PROVIDERS) if (re.test(lower)) return id;
  const id = lower.replace(/[^a-z0-9._-]+/g, '-');
  return PROVIDER_ID.test(id) ? id : null;
}

export interface SkippedEntry {
  key: string;
  reason: string;
}

export interface LiteLLMConversion {
  rates: RateInput[];
  skipped: SkippedEntry[];
  /** Entries read (excluding LiteLLM's `sample_spec`). */
  entries: number;
}

function perMillion(value: number): string {
  return decimalFromFloat(value).times(1_000_000).toFixed();
}

type Entry = Record<string, unknown>;

function readCard(entry: Entry): { card: PricedCard } | { skip: string } {
  const base: PriceFields = {};
  const tiers = new Map<number, PriceFields>();
  const serviceTiers = new Map<'batch' | 'flex' | 'priority', PriceFields>();
  const other: Record<string, string> = {};
  for (const [field, value] of Object.entries(entry)) {
    if (!PRICE_LIKE.test(field) || value === null || value === undefined) continue;
    if (typeof value === 'object') continue; // e.g. search_context_cost_per_query: per-query prices by size
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return { skip: `${field} is not a non-negative number` };
    if (field in TOKEN_FIELDS) {
      base[TOKEN_FIELDS[field]!] = perMillion(value);
      continue;
    }
    if (field === REQUEST_FIELD) {
      base.request = decimalFromFloat(value).toFixed();
      continue;
    }
    const tier = TIER_FIELD.exec(field);
    if (tier && tier[1]! in TOKEN_FIELDS) {
      const above = Number(tier[2]) * 1000;
      const fields = tiers.get(above) ?? {};
      fields[TOKEN_FIELDS[tier[1]!]!] = perMillion(value);
      tiers.set(above, fields);
      continue;
    }
    const service = SERVICE_TIER_FIELD.exec(field);
    if (service && service[1]! in TOKEN_FIELDS) {
      const name = SERVICE_TIER_NAMES[service[2] as keyof typeof SERVICE_TIER_NAMES];
      const fields = serviceTiers.get(name) ?? {};
      fields[TOKEN_FIELDS[service[1]!]!] = perMillion(value);
      serviceTiers.set(name, fields);
      continue;
    }
    other[field] = decimalFromFloat(value).toFixed();
  }
  if (Object.keys(base).length === 0) {
    const mode = typeof entry.mode === 'string' ? ` (mode ${entry.mode})` : '';
    return { skip: `no per-token prices${mode}: usage events carry tokens` };
  }
  const card: PricedCard = { ...base };
  if (tiers.size > 0)
    card.tiers = [...tiers.entries()]
      .sort(([a], [b]) => a - b)
      .map(([above, f]): Tier => ({ aboveInputTokens: above, ...f }));
  if (serviceTiers.size > 0) card.serviceTiers = Object.fromEntries(serviceTiers);
  if (Object.keys(other).length > 0) card.other = other;
  return { card };
}

/** The model name events report: the key without LiteLLM's provider prefix (`azure/gpt-4o` → `gpt-4o`). */
function modelName(key: string, litellm: string, provider: string): string {
  const lower = litellm.toLowerCase();
  for (const prefix of new Set([lower, lower.split(/[-]/)[0]!, provider])) {
    if (key.toLowerCase().startsWith(`${prefix}/`) && key.length > prefix.length + 1)
      return key.slice(prefix.length + 1);
  }
  return key;
}

/**
 * Converts a parsed LiteLLM price file. Throws a VALIDATION_FAILED error when the file is not
 * LiteLLM's shape at all; entries it cannot use are skipped, each with its reason.
 */
export function convertLiteLLM(json: unknown, source: string): LiteLLMConversion {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      'file: must be a JSON object of model name → prices, as LiteLLM’s model_prices_and_context_window.json',
    );
  const skipped: SkippedEntry[] = [];
  const byModel = new Map<string, { key: string; rate: RateInput }>();
  let entries = 0;
  for (const [key, raw] of Object.entries(json)) {
    if (key === 'sample_spec') continue;
    entries++;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      skipped.push({ key, reason: 'not an object of prices' });
      continue;
    }
    const entry = raw as Entry;
    if (typeof entry.litellm_provider !== 'string' || entry.litellm_provider.length === 0) {
      skipped.push({ key, reason: 'no litellm_provider' });
      continue;
    }
    const provider = litellmProvider(entry.litellm_provider);
    if (provider === null) {
      skipped.push({
        key,
        reason: `litellm_provider "${entry.litellm_provider}" is not a usable provider id`,
      });
      continue;
    }
    const read = readCard(entry);
    if ('skip' in read) {
      skipped.push({ key, reason: read.skip });
      continue;
    }
    const model = modelName(key, entry.litellm_provider, provider);
    if (model.length > 256) {
      skipped.push({ key, reason: 'model name longer than 256 characters' });
      continue;
    }
    const id = `${provider}\n${model.toLowerCase()}`;
    const seen = byModel.get(id);
    if (seen) {
      if (JSON.stringify(seen.rate.prices) === JSON.stringify(read.card)) {
        const exact = seen.rate.match.exact!;
        if (!exact.includes(key)) exact.push(key);
      } else
        skipped.push({
          key,
          reason: `same model as "${seen.key}" (provider ${provider}, model ${model}) with other prices; the first entry is kept`,
        });
      continue;
    }
    byModel.set(id, {
      key,
      rate: {
        provider,
        model,
        match: { exact: model === key ? [model] : [model, key] },
        prices: read.card,
        source,
      },
    });
  }
  // An alias (a full key) that is another rate's own model name belongs to that rate.
  const rates = [...byModel.values()].map((v) => v.rate);
  const names = new Set(rates.map((r) => `${r.provider}\n${r.model.toLowerCase()}`));
  for (const r of rates) {
    r.match.exact = r.match.exact!.filter(
      (name) =>
        name.toLowerCase() === r.model.toLowerCase() || !names.has(`${r.provider}\n${name.toLowerCase()}`),
    );
  }
  return { rates, skipped, entries };
}
