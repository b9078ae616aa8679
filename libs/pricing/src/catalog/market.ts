import type { RateInput } from '../rate-card';
import type { BenchmarkScore, ModelFactInput } from './model-facts';

/**
 * The launch figures of April 2026 (/work/shared/MARKET.md, "The market Tokenledger serves"): the
 * first rows of the built-in catalog. They are kept as a dated list-price table consulted after
 * the genai-prices catalog, so where that catalog has a provider's own price, the provider's price
 * wins. The $1.74 / $3.48 of deepseek-v4-pro is what list-price hosts such as Fireworks charge;
 * DeepSeek's own API billed it at a 75% launch discount, so it is not attached to provider
 * `deepseek`.
 */
export const MARKET_SOURCE =
  'MARKET.md: launch list prices (OpenAI GPT-5.5 and DeepSeek V4 launch material, April 2026)';
export const LIST_PRICES_EFFECTIVE_FROM = '2026-04-24T00:00:00.000Z';

export const MARKET_LIST_PRICES: RateInput[] = [
  {
    provider: 'openai',
    model: 'gpt-5.5',
    match: { exact: ['gpt-5.5'] },
    prices: { input: '5', output: '30' },
    source: MARKET_SOURCE,
  },
  {
    provider: 'openai',
    model: 'gpt-5.5-pro',
    match: { exact: ['gpt-5.5-pro'] },
    prices: { input: '30', output: '180' },
    source: MARKET_SOURCE,
  },
  {
    provider: 'deepseek',
    model: 'deepseek-v4-flash',
    match: { exact: ['deepseek-v4-flash'] },
    prices: { input: '0.14', output: '0.28' },
    source: MARKET_SOURCE,
  },
  {
    provider: 'fireworks',
    model: 'deepseek-v4-pro',
    match: {
      exact: ['deepseek-v4-pro', 'deepseek-ai/deepseek-v4-pro', 'accounts/fireworks/models/deepseek-v4-pro'],
    },
    prices: {
      input: '1.74',
      output: '3.48',
      notes:
        'List price, charged by hosts that bill DeepSeek V4-Pro at list (e.g. Fireworks); not DeepSeek’s own API price.',
    },
    source: MARKET_SOURCE,
  },
];

const pct = (score: number, approximate = false): BenchmarkScore =>
  approximate ? { score, unit: '%', approximate } : { score, unit: '%' };
const rating = (score: number, approximate = false): BenchmarkScore =>
  approximate ? { score, unit: 'rating', approximate } : { score, unit: 'rating' };

export interface MarketModelFacts {
  model: string;
  /** The provider whose launch figures these are: its context window is MARKET.md's. */
  maker: string;
  contextWindow: number;
  inputModalities: string[];
  capabilities: string[];
  benchmarks: ModelFactInput['benchmarks'];
  notes: string;
}

/** MARKET.md's models table and benchmark table. */
export const MARKET_MODEL_FACTS: MarketModelFacts[] = [
  {
    model: 'gpt-5.5',
    maker: 'openai',
    contextWindow: 256_000,
    inputModalities: ['text', 'image', 'audio', 'video'],
    capabilities: ['tools', 'computer-use'],
    benchmarks: {
      'swe-bench-pro': pct(58.6),
      'terminal-bench-2.0': pct(82.7),
      'osworld-verified': pct(78.7),
      codeforces: rating(3100, true),
      'gpqa-diamond': pct(72, true),
    },
    notes:
      'dense; native computer use; fewer tokens per task than gpt-5.4 (genai-prices lists a 1M window; MARKET.md: above 256K it cannot run)',
  },
  {
    model: 'gpt-5.5-pro',
    maker: 'openai',
    contextWindow: 256_000,
    inputModalities: ['text', 'image', 'audio', 'video'],
    capabilities: [],
    benchmarks: {},
    notes: 'context window as gpt-5.5 in MARKET.md',
  },
  {
    model: 'deepseek-v4-pro',
    maker: 'deepseek',
    contextWindow: 1_000_000,
    inputModalities: ['text'],
    capabilities: ['tools'],
    benchmarks: {
      'swe-bench-pro': pct(55.4),
      'terminal-bench-2.0': pct(67.9),
      'osworld-verified': null,
      codeforces: rating(3206),
      'gpqa-diamond': pct(71, true),
    },
    notes:
      'MoE, 1.6T total / 49B active; MIT licence, self-hostable; no images, audio, video or computer use',
  },
  {
    model: 'deepseek-v4-flash',
    maker: 'deepseek',
    contextWindow: 1_000_000,
    inputModalities: ['text'],
    capabilities: ['tools'],
    benchmarks: {
      'swe-bench-pro': pct(42.1),
      'terminal-bench-2.0': pct(54.2),
      'osworld-verified': null,
      codeforces: rating(2891),
      'gpqa-diamond': pct(62, true),
    },
    notes: 'MoE, 284B total / 13B active; MIT licence; no images, audio, video or computer use',
  },
];

/**
 * Model facts with MARKET.md's figures laid over the catalog's: every provider's row of a MARKET
 * model gets its modalities, capabilities and benchmark scores (it is the same model); the maker's
 * row also gets its context window.
 */
export function withMarketFacts(facts: ModelFactInput[]): ModelFactInput[] {
  const byModel = new Map(MARKET_MODEL_FACTS.map((f) => [f.model, f]));
  const out = facts.map((fact) => {
    const market = byModel.get(fact.model);
    if (!market) return fact;
    const maker = fact.provider === market.maker;
    return {
      ...fact,
      contextWindow: maker ? market.contextWindow : fact.contextWindow,
      inputModalities: market.inputModalities,
      capabilities: market.capabilities,
      benchmarks: market.benchmarks,
      source: `${fact.source}; ${MARKET_SOURCE}${maker ? ` (${market.notes})` : ''}`,
    };
  });
  // List-price rows the catalog lacks (e.g. a host's bare model name) get MARKET's facts too.
  for (const rate of MARKET_LIST_PRICES) {
    if (out.some((f) => f.provider === rate.provider && f.model === rate.model)) continue;
    const market = byModel.get(rate.model)!;
    out.push({
      provider: rate.provider,
      model: rate.model,
      displayName: null,
      contextWindow: market.contextWindow,
      inputModalities: market.inputModalities,
      capabilities: market.capabilities,
      benchmarks: market.benchmarks,
      maxOutputTokens: null,
      outputModalities: [],
      source: MARKET_SOURCE,
    });
  }
  return out;
}
