import { waitForUpdate } from '@pydantic/genai-prices';
import type { UsageEvent } from '@tokenledger/contracts';
import {
  BUILTIN_TABLES,
  buildBuiltInCatalog,
  buildPricer,
  snapshotOf,
  Usd,
  type RateInput,
} from '@tokenledger/pricing';
import { describe, expect, it } from 'vitest';
import { calibrate, type DailyUsage } from './calibration';
import { mixLayout, ROUTING_PROMPT_SIZES } from './layout';
import type { ModelProfile } from './quality';
import { seededRandom } from './random';
import { recommend } from './recommend';
import { scenarioErrors, type Move, type Scenario } from './scenario';
import { simulate } from './simulate';
import { foldIntoSlices, type MixEvent } from './testing';
import type { TrafficSlice } from './traffic';

const NOW = new Date('2026-11-30T00:00:00.000Z');

const RATES: RateInput[] = [
  {
    provider: 'openai',
    model: 'gpt-5.5',
    match: { exact: ['gpt-5.5'] },
    prices: {
      input: '5',
      output: '30',
      cacheRead: '0.5',
      tiers: [{ aboveInputTokens: 271999, input: '10', output: '45', cacheRead: '1' }],
      serviceTiers: { batch: { multiplier: '0.5' }, priority: { input: '10', output: '60' } },
    },
    source: 'test',
  },
  {
    provider: 'deepseek',
    model: 'deepseek-v4-pro',
    match: { exact: ['deepseek-v4-pro'] },
    prices: {
      input: '0.435',
      output: '0.87',
      cacheRead: '0.03625',
      rules: [
        {
          label: 'peak',
          when: {
            from: '2026-08-17T00:00:00Z',
            timeOfDay: { start: '01:00', end: '04:00' },
            weekdays: [1, 2, 3, 4, 5],
          },
          input: '1.74',
          output: '3.48',
        },
        {
          label: 'peak-late',
          when: {
            from: '2026-08-17T00:00:00Z',
            timeOfDay: { start: '06:00', end: '10:00' },
            weekdays: [1, 2, 3, 4, 5],
          },
          input: '1.74',
          output: '3.48',
        },
      ],
    },
    source: 'test',
  },
  {
    provider: 'acme',
    model: 'big',
    match: { exact: ['big'] },
    prices: {
      input: '1',
      output: '2',
      reasoning: '3',
      inputImage: '4',
      request: '0.001',
      tiers: [{ aboveInputTokens: 100000, input: '2', output: '4' }],
      serviceTiers: { batch: { multiplier: '0.5' } },
    },
    source: 'test',
  },
];

const PROFILES: ModelProfile[] = [
  {
    provider: 'openai',
    model: 'gpt-5.5',
    contextWindow: 256_000,
    maxOutputTokens: null,
    inputModalities: ['text', 'image', 'audio', 'video'],
    capabilities: ['tools', 'computer-use'],
    benchmarks: {
      'swe-bench-pro': { score: 58.6, unit: '%' },
      'osworld-verified': { score: 78.7, unit: '%' },
    },
  },
  {
    provider: 'deepseek',
    model: 'deepseek-v4-pro',
    contextWindow: 1_000_000,
    maxOutputTokens: null,
    inputModalities: ['text'],
    capabilities: ['tools'],
    benchmarks: { 'swe-bench-pro': { score: 55.4, unit: '%' }, 'osworld-verified': null },
  },
  {
    provider: 'acme',
    model: 'big',
    contextWindow: 128_000,
    maxOutputTokens: 8000,
    inputModalities: ['text', 'image'],
    capabilities: ['tools'],
    benchmarks: {},
  },
];

const pricer = buildPricer(
  snapshotOf([{ slug: 'test', versions: [{ effectiveFrom: '2026-01-01T00:00:00Z', rates: RATES }] }]),
);
const layout = mixLayout(
  PROFILES,
  RATES.map((r) => r.prices),
);
const profile = (ref: { provider: string | null; model: string }) =>
  PROFILES.find((p) => p.model === ref.model && (ref.provider === null || p.provider === ref.provider)) ??
  null;

function asUsageEvent(e: MixEvent, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    eventId: 'x',
    occurredAt: e.occurredAt,
    provider: e.provider,
    model: e.model,
    usage: { ...e.usage },
    serviceTier: e.serviceTier as UsageEvent['serviceTier'],
    feature: e.feature,
    customerId: null,
    environment: 'production',
    inputModalities: e.inputModalities as UsageEvent['inputModalities'],
    latencyMs: null,
    status: 'success',
    tags: {},
    ...over,
  };
}

/** Events that straddle every edge: tier thresholds, windows, oversized prompts, images, peak hours. */
function generate(count: number, seed: number): MixEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const sizes = [
    1, 500, 1000, 1001, 7999, 8000, 8001, 99_999, 100_000, 100_001, 128_000, 128_001, 255_999, 256_000,
    256_001, 271_999, 272_000, 272_001, 900_000,
  ];
  const models = [
    ['openai', 'gpt-5.5'],
    ['openai', 'gpt-5.5'],
    ['deepseek', 'deepseek-v4-pro'],
    ['acme', 'big'],
  ] as const;
  return Array.from({ length: count }, () => {
    const [provider, model] = pick(models);
    const at = Date.UTC(2026, 7, 10) + Math.floor(random() * 21 * 86_400_000);
    const input = random() < 0.5 ? pick(sizes) : 1 + Math.floor(random() * 300_000);
    const output = random() < 0.2 ? 8000 + Math.floor(random() * 3) : Math.floor(random() * 5000);
    const image = random() < 0.2;
    const e: MixEvent = {
      occurredAt: new Date(at).toISOString(),
      provider,
      model,
      feature: pick(['chat', 'agent', '']),
      inputModalities: image ? ['image', 'text'] : ['text'],
      serviceTier: random() < 0.2 ? 'batch' : 'standard',
      priced: true,
      costUsd: null,
      usage: {
        inputTokens: input,
        outputTokens: output,
        cacheReadTokens: Math.floor(random() * input * 0.5),
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: Math.floor(random() * output * 0.3),
        inputAudioTokens: 0,
        outputAudioTokens: 0,
        inputImageTokens: image ? Math.floor(random() * input * 0.2) : 0,
      },
    };
    const p = pricer.price(asUsageEvent(e), null);
    e.priced = p.status === 'priced';
    e.costUsd = p.totalUsd?.toFixed() ?? null;
    return e;
  });
}

const FILTER = { from: new Date('2026-08-10T00:00:00Z'), to: new Date('2026-08-31T00:00:00Z') };

/** Every event re-priced on its own under one move: the reference the traffic mix must equal. */
function bruteForce(events: MixEvent[], move: Move): string {
  const target = profile(move.target)!;
  let total = new Usd(0);
  for (const e of events) {
    if (Date.parse(e.occurredAt) >= FILTER.to.getTime()) continue;
    const selected =
      !(e.provider === move.target.provider && e.model === move.target.model) &&
      (!move.source ||
        (move.source.model === e.model && (!move.source.provider || move.source.provider === e.provider)));
    const needsImage = e.inputModalities.includes('image') || e.usage.inputImageTokens > 0;
    const eligible =
      e.priced &&
      (!needsImage || target.inputModalities.includes('image')) &&
      (target.contextWindow === null || e.usage.inputTokens <= target.contextWindow) &&
      (target.maxOutputTokens === null || e.usage.outputTokens <= target.maxOutputTokens) &&
      (!move.maxPromptTokens || e.usage.inputTokens <= move.maxPromptTokens);
    if (!selected || !eligible) {
      total = total.plus(e.costUsd ?? 0);
      continue;
    }
    const factor = move.outputEfficiency?.mode === 'fixed' ? move.outputEfficiency.value : 1;
    const u = { ...e.usage };
    u.outputTokens *= factor;
    u.reasoningTokens *= factor;
    if (move.cache?.mode === 'none') u.cacheReadTokens = 0;
    const p = pricer.price(
      asUsageEvent(e, {
        provider: move.target.provider,
        model: move.target.model,
        usage: u,
        serviceTier: (move.serviceTier ?? e.serviceTier) as UsageEvent['serviceTier'],
      }),
      null,
    );
    if (p.status !== 'priced') throw new Error(`brute force could not price: ${p.reason}`);
    total = total.plus(p.totalUsd!);
  }
  return total.toFixed();
}

function scenario(moves: Move[], over: Partial<Scenario> = {}): Scenario {
  return { filter: FILTER, moves, prices: 'event-time', benchmark: 'swe-bench-pro', ...over };
}

describe('simulate (traffic mix) against re-pricing every event', () => {
  const events = generate(3000, 7);
  const slices = foldIntoSlices(
    events.filter((e) => Date.parse(e.occurredAt) < FILTER.to.getTime()),
    layout,
  );

  it('keeps far fewer slices than events', () => {
    expect(slices.length).toBeLessThan(events.length);
  });

  const random = seededRandom(99);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const targets = [
    { provider: 'deepseek', model: 'deepseek-v4-pro' },
    { provider: 'openai', model: 'gpt-5.5' },
    { provider: 'acme', model: 'big' },
  ];
  const moves: Move[] = Array.from({ length: 24 }, () => ({
    source:
      random() < 0.3
        ? null
        : pick([{ model: 'gpt-5.5' }, { provider: 'deepseek', model: 'deepseek-v4-pro' }, { model: 'big' }]),
    target: pick(targets),
    maxPromptTokens: random() < 0.3 ? pick(ROUTING_PROMPT_SIZES) : null,
    serviceTier: random() < 0.3 ? pick(['batch', 'priority', 'standard'] as const) : null,
    outputEfficiency: { mode: 'fixed', value: pick([1, 1, 2, 3]) },
    cache: random() < 0.5 ? { mode: 'none' } : { mode: 'keep' },
  }));

  it.each(moves.map((m, i) => [i, m] as const))('scenario %i equals brute force to 1e-9 USD', (_, move) => {
    const result = simulate({
      scenario: scenario([move]),
      slices,
      layout,
      pricer,
      organizationId: null,
      profile,
      now: NOW,
    });
    const reference = bruteForce(events, move);
    expect(result.projectedUsd.minus(reference).abs().toNumber()).toBeLessThan(1e-9);
    const baseline = events
      .filter((e) => Date.parse(e.occurredAt) < FILTER.to.getTime())
      .reduce((s, e) => s.plus(e.costUsd ?? 0), new Usd(0));
    expect(result.baselineUsd.toFixed()).toBe(baseline.toFixed());
  });
});

describe('eligibility', () => {
  const events = generate(2000, 3).filter((e) => e.model === 'gpt-5.5');
  const slices = foldIntoSlices(events, layout);
  const result = simulate({
    scenario: scenario([{ source: { model: 'gpt-5.5' }, target: { provider: 'acme', model: 'big' } }]),
    slices,
    layout,
    pricer,
    organizationId: null,
    profile,
    now: NOW,
  });

  it('keeps prompts above the window and outputs above the limit where they are, by reason', () => {
    const tooLong = events.filter((e) => e.usage.inputTokens > 128_000);
    const window = result.totals.stayed.get('CONTEXT_WINDOW')!;
    expect(window.requests.toNumber()).toBe(tooLong.length);
    const cost = tooLong.reduce((s, e) => s.plus(e.costUsd!), new Usd(0));
    expect(window.costUsd.toFixed()).toBe(cost.toFixed());
    const tooMuchOutput = events.filter((e) => e.usage.inputTokens <= 128_000 && e.usage.outputTokens > 8000);
    expect(result.totals.stayed.get('OUTPUT_LIMIT')!.requests.toNumber()).toBe(tooMuchOutput.length);
  });

  it('keeps image requests on a text-only target, and counts only what moved in the savings', () => {
    const r = simulate({
      scenario: scenario([
        { source: { model: 'gpt-5.5' }, target: { provider: 'deepseek', model: 'deepseek-v4-pro' } },
      ]),
      slices,
      layout,
      pricer,
      organizationId: null,
      profile,
      now: NOW,
    });
    const images = events.filter((e) => e.inputModalities.includes('image'));
    expect(r.totals.stayed.get('MODALITY')!.requests.toNumber()).toBe(images.length);
    expect(r.totals.movedRequests.toNumber()).toBe(events.length - images.length);
    const stayedCost = images.reduce((s, e) => s.plus(e.costUsd!), new Usd(0));
    expect(r.projectedUsd.minus(r.moves[0]!.projectedUsd).toFixed()).toBe(stayedCost.toFixed());
  });

  it('states quality with its basis, and a missing score as unknown', () => {
    const r = simulate({
      scenario: scenario(
        [{ source: { model: 'gpt-5.5' }, target: { provider: 'deepseek', model: 'deepseek-v4-pro' } }],
        {
          benchmark: 'osworld-verified',
        },
      ),
      slices,
      layout,
      pricer,
      organizationId: null,
      profile,
      now: NOW,
    });
    expect(r.quality[0]!.delta).toBeNull();
    expect(r.quality[0]!.note).toMatch(/not assumed equal/);
    const swe = simulate({
      scenario: scenario([
        { source: { model: 'gpt-5.5' }, target: { provider: 'deepseek', model: 'deepseek-v4-pro' } },
      ]),
      slices,
      layout,
      pricer,
      organizationId: null,
      profile,
      now: NOW,
    });
    expect(swe.quality[0]!.delta).toBeCloseTo(-3.2, 6);
  });
});

describe("MARKET.md's arithmetic on the catalog the repo ships", () => {
  it('100M output tokens a month: $3,000 on gpt-5.5, $348 on deepseek-v4-pro, $28 on deepseek-v4-flash', async () => {
    const b = buildBuiltInCatalog((await waitForUpdate())!, 'test');
    const shipped = buildPricer(
      snapshotOf([
        {
          slug: BUILTIN_TABLES.catalog.slug,
          priority: BUILTIN_TABLES.catalog.priority,
          versions: [
            {
              effectiveFrom: '1970-01-01T00:00:00.000Z',
              rates: b.catalog.rates,
              providers: b.catalog.providers,
            },
          ],
        },
        {
          slug: BUILTIN_TABLES.listPrices.slug,
          priority: BUILTIN_TABLES.listPrices.priority,
          versions: [{ effectiveFrom: b.listPrices.effectiveFrom, rates: b.listPrices.rates }],
        },
      ]),
    );
    const month = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };
    // 100M output tokens over the month: 5M on each of 20 days.
    const slices: TrafficSlice[] = Array.from({ length: 20 }, (_, d) => ({
      day: `2026-06-${String(d + 1).padStart(2, '0')}`,
      provider: 'openai',
      model: 'gpt-5.5',
      feature: 'summaries',
      inputMin: 0,
      outputMin: 0,
      modalities: ['text'],
      serviceTier: 'standard',
      windowMinute: 720,
      requests: 10_000,
      pricedRequests: 10_000,
      costUsd: new Usd(150),
      inputTokens: 0,
      outputTokens: 5_000_000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      inputImageTokens: 0,
    }));
    const shippedLayout = mixLayout([], []);
    const run = (provider: string, model: string) =>
      simulate({
        scenario: {
          filter: month,
          moves: [{ source: null, target: { provider, model } }],
          prices: 'event-time',
          benchmark: 'swe-bench-pro',
        },
        slices,
        layout: shippedLayout,
        pricer: shipped,
        organizationId: null,
        profile: () => null,
        now: NOW,
      });
    expect(run('openai', 'gpt-5.5').baselineUsd.toFixed()).toBe('3000');
    const pro = run('fireworks', 'deepseek-v4-pro');
    expect(pro.projectedUsd.toFixed()).toBe('348');
    expect(pro.monthlySavingsUsd.toFixed()).toBe('2652');
    expect(pro.savingsPercent!.toFixed(1)).toBe('88.4');
    expect(run('deepseek', 'deepseek-v4-flash').projectedUsd.toFixed()).toBe('28');
  });
});

describe('calibration', () => {
  it('finds a 1.3× output ratio with an interval that contains it', () => {
    const random = seededRandom(5);
    const days = (model: string, factor: number): DailyUsage[] =>
      Array.from({ length: 14 }, (_, d) => {
        const requests = 200 + Math.floor(random() * 50);
        let output = 0;
        for (let i = 0; i < requests; i++) output += Math.round(factor * (200 + random() * 400));
        return {
          day: `2026-06-${10 + d}`,
          feature: 'chat',
          provider: 'x',
          model,
          requests,
          inputTokens: requests * 1000,
          outputTokens: output,
        };
      });
    const c = calibrate(days('a', 1), days('b', 1.3), 1)!;
    expect(c.output.ratio).toBeGreaterThan(1.2);
    expect(c.output.ratio).toBeLessThan(1.4);
    expect(c.output.low).toBeLessThanOrEqual(1.3);
    expect(c.output.high).toBeGreaterThanOrEqual(1.3);
    expect(c.input.ratio).toBeCloseTo(1, 6);
    expect(calibrate(days('a', 1).slice(0, 1), days('b', 1), 1)).toBeNull();
  });
});

describe('scenario validation', () => {
  it('names the field', () => {
    const errors = scenarioErrors(
      {
        filter: { from: new Date('2026-07-01'), to: new Date('2026-06-01') },
        moves: [{ source: null, target: { provider: 'x', model: 'nope' }, share: 2 }],
        prices: 'event-time',
        benchmark: 'swe-bench-pro',
      },
      () => false,
    );
    expect(errors.map((e) => e.path)).toEqual([
      'scenario.filter.from',
      'scenario.moves[0].target',
      'scenario.moves[0].share',
    ]);
  });
});

describe('recommend', () => {
  it('picks the cheapest target within the tolerance, never one without a score', () => {
    const events = generate(1500, 11).filter((e) => e.model === 'gpt-5.5');
    const slices = foldIntoSlices(events, layout);
    const recs = recommend({
      filter: FILTER,
      slices,
      layout,
      pricer,
      organizationId: null,
      profile,
      candidates: PROFILES,
      benchmark: 'swe-bench-pro',
      tolerance: 5,
      prices: 'event-time',
      now: NOW,
    });
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) {
      expect(r.target?.model).toBe('deepseek-v4-pro');
      expect(r.monthlySavingsUsd.isPositive()).toBe(true);
    }
    const strict = recommend({
      filter: FILTER,
      slices,
      layout,
      pricer,
      organizationId: null,
      profile,
      candidates: PROFILES,
      benchmark: 'swe-bench-pro',
      tolerance: 1,
      prices: 'event-time',
      now: NOW,
    });
    expect(strict.every((r) => r.target === null)).toBe(true);
  });
});

describe("prices: today's rates or those in force at the time", () => {
  const gpt = (output: string): RateInput => ({
    provider: 'openai',
    model: 'gpt-5.5',
    match: { exact: ['gpt-5.5'] },
    prices: { input: '5', output },
    source: 'test',
  });
  const flash: RateInput = {
    provider: 'deepseek',
    model: 'deepseek-v4-flash',
    match: { exact: ['deepseek-v4-flash'] },
    prices: { input: '0.14', output: '0.28' },
    source: 'test',
  };
  const versioned = buildPricer(
    snapshotOf([
      {
        slug: 'test',
        versions: [
          { effectiveFrom: '2026-01-01T00:00:00Z', rates: [gpt('30'), flash] },
          { effectiveFrom: '2026-10-01T00:00:00Z', rates: [gpt('20'), flash] },
        ],
      },
    ]),
  );
  const june: TrafficSlice = {
    day: '2026-06-03',
    provider: 'openai',
    model: 'gpt-5.5',
    feature: 'chat',
    inputMin: 0,
    outputMin: 0,
    modalities: ['text'],
    serviceTier: 'standard',
    windowMinute: 0,
    requests: 100,
    pricedRequests: 100,
    costUsd: new Usd(30),
    inputTokens: 0,
    outputTokens: 1_000_000,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    inputImageTokens: 0,
  };
  const run = (prices: Scenario['prices'], target = { provider: 'deepseek', model: 'deepseek-v4-flash' }) =>
    simulate({
      scenario: {
        filter: { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') },
        moves: [{ source: { model: 'gpt-5.5' }, target }],
        prices,
        benchmark: 'swe-bench-pro',
      },
      slices: [june],
      layout: mixLayout([], []),
      pricer: versioned,
      organizationId: null,
      profile: () => null,
      now: NOW,
    });

  it('compares against what was paid, at the rates of the time', () => {
    const r = run('event-time');
    expect(r.baselineUsd.toFixed()).toBe('30');
    expect(r.projectedUsd.toFixed()).toBe('0.28');
  });

  it("re-prices the baseline at today's rates too, so both sides use one price list", () => {
    const r = run('today');
    expect(r.baselineUsd.toFixed()).toBe('20');
    expect(r.projectedUsd.toFixed()).toBe('0.28');
    expect(run('today', { provider: 'openai', model: 'gpt-5.5' }).projectedUsd.toFixed()).toBe('20');
  });
});
