import {
  completeUsage,
  type EventStatus,
  type Modality,
  type ServiceTier,
  type Usage,
} from '@tokenledger/contracts';
import { chance, logNormalInt, normal, weighted, type Random } from './random';

/** A model as a provider's API reports it. */
export interface DemoModel {
  provider: string;
  model: string;
}

/**
 * The mid-period switch: support chat moves from gpt-5.5 to deepseek-v4-pro halfway through the
 * window, over a ramp of a few days, so what-if calibration sees the same workload on both models.
 */
export const DEMO_SWITCH = {
  feature: 'support-chat',
  from: { provider: 'openai', model: 'gpt-5.5' },
  to: { provider: 'deepseek', model: 'deepseek-v4-pro' },
  /** Where in the window (0 = start, 1 = end) the ramp begins. */
  at: 0.5,
  /** The ramp's length: this many hours, or a tenth of the window when that is shorter. */
  rampHours: 72,
} as const;

/** A self-hosted fine-tune no public catalog prices: its events show up as unpriced. */
export const DEMO_UNPRICED_MODEL: DemoModel = { provider: 'vllm', model: 'support-llama-3.3-70b-ft' };

/** Above this many prompt tokens a request cannot run on gpt-5.5 (MARKET.md). */
export const GPT_55_CONTEXT = 256_000;

/** What a feature decides about one request; who and when are decided by the traffic plan. */
export interface DemoRequest {
  provider: string;
  model: string;
  usage: Usage;
  serviceTier: ServiceTier;
  environment: string;
  inputModalities: Modality[];
  latencyMs: number | null;
  status: EventStatus;
  tags: Record<string, string>;
}

export interface RequestContext {
  /** How far the support-chat switch has gone at this instant: 0 before, 1 after. */
  switchProgress: number;
}

export type DailyRhythm = 'business' | 'steady' | 'engineering' | 'nightly-batch' | 'eval-nights';

export interface FeatureProfile {
  feature: string;
  project: string;
  /** Share of all requests over the window. */
  share: number;
  rhythm: DailyRhythm;
  /** Relative growth from the start of the window to its end (0.3 = 30% more at the end). */
  growth: number;
  /** The part of the window before which the feature did not exist (0: it always did). */
  launchedAt: number;
  /** Requests are made on behalf of an end customer (customerId and a plan tag). */
  perCustomer: boolean;
  team: string;
  request(random: Random, context: RequestContext): DemoRequest;
}

/** Time to first token and time per output token, roughly as these models serve. */
const SPEED: Record<string, readonly [number, number]> = {
  'gpt-5.5': [700, 12],
  'gpt-5.5-pro': [4000, 30],
  'gpt-5-mini': [400, 7],
  'gpt-5-nano': [250, 4],
  'gpt-realtime-mini': [300, 3],
  'deepseek-v4-pro': [900, 18],
  'deepseek-v4-flash': [250, 5],
  'claude-sonnet-4-6': [800, 14],
  'claude-sonnet-4-5': [900, 15],
  'claude-haiku-4-5': [350, 6],
  'gemini-2.5-pro': [1200, 12],
  'gemini-2.5-flash': [300, 4],
};

function latency(random: Random, model: string, usage: Usage): number {
  const [ttft, perToken] = SPEED[model] ?? [500, 10];
  const ms =
    (ttft + (usage.inputTokens / 1000) * 8 + usage.outputTokens * perToken) * Math.exp(0.25 * normal(random));
  return Math.max(20, Math.round(ms));
}

/** Usage with every token kind, keys in the order validation produces (content hashes depend on it). */
function usage(parts: Partial<Usage> & Pick<Usage, 'inputTokens' | 'outputTokens'>): Usage {
  return completeUsage(parts);
}

function between(random: Random, low: number, high: number): number {
  return low + random.next() * (high - low);
}

/** A failed call: the prompt was sent (and billed), nothing came back. */
function failed(u: Usage): Usage {
  return { ...u, outputTokens: 0, reasoningTokens: 0, outputAudioTokens: 0 };
}

function request(
  random: Random,
  model: DemoModel,
  u: Usage,
  options: {
    environment: string;
    errorRate: number;
    tags?: Record<string, string>;
    serviceTier?: ServiceTier;
    inputModalities?: Modality[];
  },
): DemoRequest {
  const status: EventStatus = chance(random, options.errorRate) ? 'error' : 'success';
  const final = status === 'error' ? failed(u) : u;
  const serviceTier = options.serviceTier ?? 'standard';
  return {
    provider: model.provider,
    model: model.model,
    usage: final,
    serviceTier,
    environment: options.environment,
    inputModalities: options.inputModalities ?? ['text'],
    // Batch jobs come back hours later: their latency says nothing, so none is reported.
    latencyMs: serviceTier === 'batch' ? null : latency(random, model.model, final),
    status,
    tags: options.tags ?? {},
  };
}

const OPENAI = (model: string): DemoModel => ({ provider: 'openai', model });
const DEEPSEEK = (model: string): DemoModel => ({ provider: 'deepseek', model });
const ANTHROPIC = (model: string): DemoModel => ({ provider: 'anthropic', model });
const GOOGLE = (model: string): DemoModel => ({ provider: 'google', model });

/** Cached system prompt of short prompts: providers cache in 128-token steps above 1,024 tokens. */
function shortPromptCache(random: Random, inputTokens: number, p: number): number {
  if (inputTokens < 1100 || !chance(random, p)) return 0;
  return 1024 + 128 * Math.floor((random.next() * (inputTokens - 1024) * 0.6) / 128);
}

/** The company's features, each with its own shape of traffic and tokens. */
export const DEMO_FEATURES: readonly FeatureProfile[] = [
  {
    // High volume, tiny outputs: routes each incoming ticket to a queue.
    feature: 'ticket-classifier',
    project: 'demo',
    share: 0.46,
    rhythm: 'steady',
    growth: 0.3,
    launchedAt: 0,
    perCustomer: true,
    team: 'support',
    request(random) {
      const model = weighted(random, [
        [DEEPSEEK('deepseek-v4-flash'), 0.7],
        [OPENAI('gpt-5-nano'), 0.3],
      ]);
      const inputTokens = logNormalInt(random, 900, 0.45, 250, 6000);
      const u = usage({
        inputTokens,
        outputTokens: logNormalInt(random, 12, 0.6, 1, 120),
        cacheReadTokens: shortPromptCache(random, inputTokens, 0.65),
      });
      return request(random, model, u, {
        environment: weighted(random, [
          ['production', 0.93],
          ['staging', 0.07],
        ]),
        errorRate: 0.004,
      });
    },
  },
  {
    // Long prompts (policies, product docs, the conversation so far), mostly served from cache.
    feature: 'support-chat',
    project: 'demo',
    share: 0.22,
    rhythm: 'business',
    growth: 0.3,
    launchedAt: 0,
    perCustomer: true,
    team: 'support',
    request(random, { switchProgress }) {
      const switched = switchProgress > 0 && random.next() < switchProgress;
      const inputTokens = logNormalInt(random, 26_000, 0.55, 3000, 140_000);
      const cacheReadTokens = chance(random, 0.88) ? Math.round(inputTokens * between(random, 0.7, 0.94)) : 0;
      // DeepSeek answers at greater length and thinks more on the same conversations.
      const outputTokens = switched
        ? logNormalInt(random, 420, 0.65, 20, 6000)
        : logNormalInt(random, 320, 0.6, 20, 4000);
      const reasoningTokens = chance(random, switched ? 0.8 : 0.6)
        ? Math.round(outputTokens * (switched ? between(random, 0.25, 0.5) : between(random, 0.1, 0.3)))
        : 0;
      const u = usage({ inputTokens, outputTokens, cacheReadTokens, reasoningTokens });
      return request(random, switched ? DEMO_SWITCH.to : DEMO_SWITCH.from, u, {
        environment: weighted(random, [
          ['production', 0.9],
          ['staging', 0.07],
          ['development', 0.03],
        ]),
        errorRate: 0.01,
      });
    },
  },
  {
    // Summaries of uploaded documents and PDFs.
    feature: 'doc-summary',
    project: 'demo',
    share: 0.08,
    rhythm: 'business',
    growth: 0.2,
    launchedAt: 0,
    perCustomer: true,
    team: 'docs',
    request(random) {
      const model = weighted(random, [
        [ANTHROPIC('claude-haiku-4-5'), 0.6],
        [GOOGLE('gemini-2.5-flash'), 0.4],
      ]);
      const inputTokens = logNormalInt(random, 14_000, 0.8, 800, 180_000);
      const u = usage({
        inputTokens,
        outputTokens: logNormalInt(random, 450, 0.45, 60, 2000),
        cacheReadTokens: shortPromptCache(random, inputTokens, 0.15),
      });
      return request(random, model, u, {
        environment: weighted(random, [
          ['production', 0.94],
          ['staging', 0.06],
        ]),
        errorRate: 0.006,
        inputModalities: chance(random, 0.3) ? ['text', 'file'] : ['text'],
      });
    },
  },
  {
    // Nightly product-catalog enrichment through the Batch API (half price, no latency).
    feature: 'catalog-enrichment',
    project: 'data-platform',
    share: 0.08,
    rhythm: 'nightly-batch',
    growth: 0,
    launchedAt: 0,
    perCustomer: false,
    team: 'data',
    request(random) {
      const inputTokens = logNormalInt(random, 1800, 0.4, 400, 8000);
      const outputTokens = logNormalInt(random, 220, 0.5, 20, 1500);
      const u = usage({
        inputTokens,
        outputTokens,
        cacheReadTokens: shortPromptCache(random, inputTokens, 0.8),
        reasoningTokens: Math.round(outputTokens * between(random, 0.2, 0.5)),
      });
      return request(random, OPENAI('gpt-5-mini'), u, {
        environment: 'production',
        errorRate: 0.002,
        serviceTier: 'batch',
        tags: { job: 'nightly-enrichment' },
      });
    },
  },
  {
    // An agent working in the company's repositories: huge prompts, lots of reasoning.
    feature: 'coding-agent',
    project: 'devtools',
    share: 0.07,
    rhythm: 'engineering',
    growth: 0.6,
    launchedAt: 0,
    perCustomer: false,
    team: 'platform',
    request(random) {
      const inputTokens = logNormalInt(random, 70_000, 0.95, 3000, 980_000);
      // Prompts above gpt-5.5's window go to long-context models.
      const model =
        inputTokens > GPT_55_CONTEXT
          ? weighted(random, [
              [DEEPSEEK('deepseek-v4-pro'), 0.6],
              [ANTHROPIC('claude-sonnet-4-5'), 0.25],
              [GOOGLE('gemini-2.5-pro'), 0.15],
            ])
          : weighted(random, [
              [OPENAI('gpt-5.5'), 0.55],
              [ANTHROPIC('claude-sonnet-4-6'), 0.32],
              [DEEPSEEK('deepseek-v4-pro'), 0.1],
              [OPENAI('gpt-5.5-pro'), 0.03],
            ]);
      let cacheReadTokens = chance(random, 0.85) ? Math.round(inputTokens * between(random, 0.55, 0.92)) : 0;
      let cacheWriteTokens = 0;
      let cacheWrite1hTokens = 0;
      if (model.provider === 'anthropic') {
        // Anthropic bills cache writes: the new part of the conversation, sometimes kept for an hour.
        const written = Math.round((inputTokens - cacheReadTokens) * between(random, 0.3, 0.9));
        if (chance(random, 0.2)) cacheWrite1hTokens = written;
        else cacheWriteTokens = written;
      }
      cacheReadTokens = Math.min(cacheReadTokens, inputTokens - cacheWriteTokens - cacheWrite1hTokens);
      const outputTokens = logNormalInt(random, 2200, 0.8, 50, 64_000);
      const u = usage({
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        cacheWrite1hTokens,
        reasoningTokens: Math.round(outputTokens * between(random, 0.35, 0.75)),
      });
      const environment = weighted(random, [
        ['development', 0.65],
        ['ci', 0.35],
      ]);
      return request(random, model, u, {
        environment,
        errorRate: 0.03,
        serviceTier:
          model.model === 'gpt-5.5' && environment === 'development' && chance(random, 0.1)
            ? 'priority'
            : 'standard',
        tags: {
          team: weighted(random, [
            ['platform', 0.35],
            ['web', 0.3],
            ['mobile', 0.2],
            ['data', 0.15],
          ]),
        },
      });
    },
  },
  {
    // Turns a screenshot into front-end code: image input, long code output. Launched mid-window.
    feature: 'screenshot-to-code',
    project: 'demo',
    share: 0.04,
    rhythm: 'business',
    growth: 0.8,
    launchedAt: 0.15,
    perCustomer: true,
    team: 'studio',
    request(random) {
      const model = weighted(random, [
        [OPENAI('gpt-5.5'), 0.6],
        [ANTHROPIC('claude-sonnet-4-6'), 0.3],
        [GOOGLE('gemini-2.5-flash'), 0.1],
      ]);
      const images = 1 + Math.floor(random.next() * 3);
      let inputImageTokens = 0;
      for (let i = 0; i < images; i++) inputImageTokens += logNormalInt(random, 1500, 0.3, 500, 3000);
      const textTokens = logNormalInt(random, 3500, 0.5, 800, 20_000);
      const outputTokens = logNormalInt(random, 3500, 0.5, 300, 16_000);
      const u = usage({
        inputTokens: textTokens + inputImageTokens,
        outputTokens,
        inputImageTokens,
        cacheReadTokens: chance(random, 0.5) ? Math.round(textTokens * 0.5) : 0,
        reasoningTokens:
          model.model === 'gpt-5.5' ? Math.round(outputTokens * between(random, 0.1, 0.35)) : 0,
      });
      return request(random, model, u, {
        environment: weighted(random, [
          ['production', 0.92],
          ['staging', 0.08],
        ]),
        errorRate: 0.015,
        inputModalities: ['text', 'image'],
      });
    },
  },
  {
    // Evaluation suites on Tuesday and Thursday nights, mostly against a self-hosted fine-tune.
    feature: 'eval-runs',
    project: 'data-platform',
    share: 0.03,
    rhythm: 'eval-nights',
    growth: 0,
    launchedAt: 0,
    perCustomer: false,
    team: 'ml',
    request(random) {
      const model = weighted(random, [
        [DEMO_UNPRICED_MODEL, 0.55],
        [DEEPSEEK('deepseek-v4-flash'), 0.25],
        [OPENAI('gpt-5.5'), 0.15],
        [OPENAI('gpt-5.5-pro'), 0.05],
      ]);
      const u = usage({
        inputTokens: logNormalInt(random, 6000, 0.7, 500, 60_000),
        outputTokens: logNormalInt(random, 600, 0.6, 20, 6000),
      });
      return request(random, model, u, {
        environment: weighted(random, [
          ['staging', 0.6],
          ['development', 0.4],
        ]),
        errorRate: 0.02,
        tags: {
          suite: weighted(random, [
            ['support-regression', 0.5],
            ['code-quality', 0.3],
            ['safety', 0.2],
          ]),
        },
      });
    },
  },
  {
    // The phone line: speech in, speech out.
    feature: 'voice-support',
    project: 'demo',
    share: 0.02,
    rhythm: 'business',
    growth: 0.4,
    launchedAt: 0,
    perCustomer: true,
    team: 'support',
    request(random) {
      const inputAudioTokens = logNormalInt(random, 1800, 0.6, 200, 20_000);
      const textIn = logNormalInt(random, 1200, 0.4, 300, 6000);
      const outputAudioTokens = logNormalInt(random, 900, 0.6, 50, 8000);
      const textOut = logNormalInt(random, 120, 0.5, 10, 800);
      const u = usage({
        inputTokens: inputAudioTokens + textIn,
        outputTokens: outputAudioTokens + textOut,
        inputAudioTokens,
        outputAudioTokens,
        cacheReadTokens: chance(random, 0.5) ? Math.round(textIn * 0.8) : 0,
      });
      return request(random, OPENAI('gpt-realtime-mini'), u, {
        environment: 'production',
        errorRate: 0.01,
        inputModalities: ['text', 'audio'],
      });
    },
  },
];
