// Hand-computed expectations. Prices are USD per 1M tokens: cost = tokens × price / 1,000,000.
import type Decimal from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPricer, CatalogError, parseTimestamp, type Pricer, type PricingResult } from './pricer';
import { snapshotOf, tablesInForce } from './snapshot';
import { builtInTables, event, rate, tableOf, EPOCH } from './testing/fixtures';

function strings(r: PricingResult): { total: string | null; breakdown: Record<string, string> | null } {
  return {
    total: r.totalUsd?.toFixed() ?? null,
    breakdown: r.breakdown
      ? Object.fromEntries(Object.entries(r.breakdown).map(([k, v]: [string, Decimal]) => [k, v.toFixed()]))
      : null,
  };
}

describe('the built-in catalog: MARKET.md models', () => {
  let pricer: Pricer;
  beforeAll(async () => {
    pricer = buildPricer(snapshotOf(await builtInTables()));
  });

  it("prices the README's gpt-5.5 example: 20K uncached + 100K cache reads + 4K output", () => {
    const r = pricer.price(
      event('openai', 'gpt-5.5', { inputTokens: 120_000, outputTokens: 4_000, cacheReadTokens: 100_000 }),
      null,
    );
    // 20,000 × $5 = 0.1; 100,000 × $0.5 = 0.05; 4,000 × $30 = 0.12.
    expect(r).toMatchObject({
      status: 'priced',
      reason: null,
      rateVersionId: 'genai-prices@1',
      pricedModel: 'gpt-5.5',
      pricedProvider: 'openai',
      flags: [],
    });
    expect(strings(r)).toEqual({
      total: '0.27',
      breakdown: { uncachedInput: '0.1', cacheRead: '0.05', output: '0.12' },
    });
  });

  it('gpt-5.5 bills the whole request at the long-context tier from 272,000 input tokens (OpenAI: "<272K" is standard)', () => {
    const below = pricer.price(
      event('openai', 'gpt-5.5', { inputTokens: 271_999, outputTokens: 1_000 }),
      null,
    );
    // 271,999 × $5 = 1.359995; 1,000 × $30 = 0.03.
    expect(strings(below).total).toBe('1.389995');
    expect(below.flags).toEqual([]);
    const at = pricer.price(
      event('openai', 'gpt-5.5', { inputTokens: 272_000, outputTokens: 1_000, cacheReadTokens: 200_000 }),
      null,
    );
    // 72,000 × $10 = 0.72; 200,000 × $1 = 0.2; 1,000 × $45 = 0.045.
    expect(strings(at)).toEqual({
      total: '0.965',
      breakdown: { uncachedInput: '0.72', cacheRead: '0.2', output: '0.045' },
    });
    expect(at.flags).toEqual(['tier:>271999']);
  });

  it('openrouter lists its gpt-5.5 tier above 272,000: at the threshold it is still the base price', () => {
    const at = pricer.price(
      event('openrouter', 'openai/gpt-5.5', { inputTokens: 272_000, outputTokens: 0 }),
      null,
    );
    expect(strings(at).total).toBe('1.36'); // 272,000 × $5
    const past = pricer.price(
      event('openrouter', 'openai/gpt-5.5', { inputTokens: 272_001, outputTokens: 0 }),
      null,
    );
    expect(strings(past).total).toBe('2.72001'); // 272,001 × $10
    expect(past.flags).toEqual(['tier:>272000']);
  });

  it('gpt-5.5-pro: $30 / $180', () => {
    const r = pricer.price(
      event('openai', 'gpt-5.5-pro', { inputTokens: 100_000, outputTokens: 10_000 }),
      null,
    );
    expect(strings(r).total).toBe('4.8'); // 3 + 1.8
  });

  it('the arithmetic users do by hand: 100M output tokens a month', () => {
    const out = (provider: string, model: string) =>
      strings(
        pricer.price(
          event(provider, model, { inputTokens: 0, outputTokens: 100_000_000 }, '2026-05-01T12:00:00Z'),
          null,
        ),
      ).total;
    expect(out('openai', 'gpt-5.5')).toBe('3000');
    expect(out('fireworks', 'deepseek-v4-pro')).toBe('348'); // list price, as a list-price host bills it
    expect(out('deepseek', 'deepseek-v4-flash')).toBe('28');
    expect(out('openai', 'gpt-5.5-pro')).toBe('18000');
  });

  it("deepseek-v4-pro from DeepSeek is DeepSeek's own price (launch discount), never the $1.74 / $3.48 list price", () => {
    const r = pricer.price(
      event(
        'deepseek',
        'deepseek-v4-pro',
        { inputTokens: 1_000_000, outputTokens: 1_000_000 },
        '2026-05-01T12:00:00Z',
      ),
      null,
    );
    expect(strings(r).total).toBe('1.305'); // 0.435 + 0.87
    expect(r.rateVersionId).toBe('genai-prices@1');
  });

  it('the same model costs different amounts by provider (list price at a host)', () => {
    const host = pricer.price(
      event('fireworks', 'deepseek-v4-pro', { inputTokens: 1_000_000, outputTokens: 1_000_000 }),
      null,
    );
    expect(strings(host).total).toBe('5.22'); // 1.74 + 3.48
    expect(host.rateVersionId).toBe('list-prices@1');
    const catalogName = pricer.price(
      event('fireworks', 'accounts/fireworks/models/deepseek-v4-pro', {
        inputTokens: 1_000_000,
        outputTokens: 1_000_000,
        cacheReadTokens: 500_000,
      }),
      null,
    );
    // Fireworks' own listing in genai-prices, with its cached-input price: 0.87 + 0.0725 + 3.48.
    expect(strings(catalogName).total).toBe('4.4225');
    expect(catalogName.rateVersionId).toBe('genai-prices@1');
  });

  it('the list-price table is dated: before the launch it does not exist', () => {
    const r = pricer.price(
      event('fireworks', 'deepseek-v4-pro', { inputTokens: 1, outputTokens: 1 }, '2026-04-23T23:59:59Z'),
      null,
    );
    expect(r.status).toBe('unpriced_model');
  });

  describe('DeepSeek V4 peak and off-peak (UTC; peak 01:00-04:00 and 06:00-10:00 from 2026-08-17)', () => {
    const v4pro = (at: string) =>
      pricer.price(
        event('deepseek', 'deepseek-v4-pro', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, at),
        null,
      );
    const PEAK = '5.28'; // 1.32 + 3.96
    const OFF_PEAK = '2.64'; // 0.66 + 1.98
    const LAUNCH = '1.305'; // 0.435 + 0.87

    it.each([
      ['2026-08-16T23:59:59.999Z', LAUNCH, []],
      ['2026-08-16T02:00:00Z', LAUNCH, []], // a peak hour, but before peak pricing existed
      ['2026-08-17T00:00:00Z', OFF_PEAK, ['window:off-peak']],
      ['2026-08-17T00:59:59.999Z', OFF_PEAK, ['window:off-peak']],
      ['2026-08-17T01:00:00Z', PEAK, ['window:peak']],
      ['2026-08-17T03:59:59.999Z', PEAK, ['window:peak']],
      ['2026-08-17T04:00:00Z', OFF_PEAK, ['window:off-peak']],
      ['2026-08-17T06:00:00Z', PEAK, ['window:peak']],
      ['2026-08-17T10:00:00Z', OFF_PEAK, ['window:off-peak']],
      ['2026-08-22T02:00:00Z', PEAK, ['window:peak']], // Saturday of the first week: peak
      ['2026-08-29T02:00:00Z', OFF_PEAK, ['window:off-peak']], // Saturday from 2026-08-23: off-peak all day
      ['2026-08-30T07:00:00Z', OFF_PEAK, ['window:off-peak']], // Sunday
      ['2026-08-31T07:00:00Z', PEAK, ['window:peak']], // Monday
      ['2026-08-28T09:59:59Z', PEAK, ['window:peak']], // Friday
    ])('at %s costs %s', (at, total, flags) => {
      const r = v4pro(at);
      expect(strings(r).total).toBe(total);
      // genai-prices matches DeepSeek models by prefix ("deepseek-v4-pro…"), but this is the model's
      // own id: an exact match, so no match flag (issue 20 item 4: flags name the match that happened).
      expect(r.flags).toEqual(flags);
    });

    it('v4-flash moved to $0.22 / $0.66 off-peak', () => {
      const r = pricer.price(
        event(
          'deepseek',
          'deepseek-v4-flash',
          { inputTokens: 1_000_000, outputTokens: 1_000_000 },
          '2026-09-01T12:00:00Z',
        ),
        null,
      );
      expect(strings(r).total).toBe('0.88');
    });
  });

  it('matches dated snapshots: listed ones exactly, others by removing the date', () => {
    const listed = pricer.price(
      event('openai', 'gpt-5.5-2026-04-24', { inputTokens: 1000, outputTokens: 0 }),
      null,
    );
    expect(listed).toMatchObject({ status: 'priced', pricedModel: 'gpt-5.5', flags: [] });
    const unlisted = pricer.price(
      event('openai', 'GPT-5.5-2026-09-30', { inputTokens: 1000, outputTokens: 0 }),
      null,
    );
    expect(unlisted).toMatchObject({
      status: 'priced',
      pricedModel: 'gpt-5.5',
      flags: ['match:snapshot(gpt-5.5)'],
    });
    expect(strings(unlisted).total).toBe('0.005');
  });

  it('an unknown model is unpriced with its reason, never $0', () => {
    const r = pricer.price(event('openai', 'gpt-9-ultra', { inputTokens: 10, outputTokens: 10 }), null);
    expect(r).toEqual({
      status: 'unpriced_model',
      reason: 'no rate for model "gpt-9-ultra" from provider "openai"',
      totalUsd: null,
      breakdown: null,
      rateVersionId: null,
      pricedModel: null,
      pricedProvider: null,
      flags: [],
    });
    const provider = pricer.price(event('acme', 'foo', { inputTokens: 10, outputTokens: 10 }), null);
    expect(provider.status).toBe('unpriced_model');
    expect(provider.reason).toBe(
      'no rate for model "foo" from provider "acme" (no such provider in the rate tables)',
    );
  });

  it('infers the provider from an alias, and says so', () => {
    const r = pricer.price(event('azure_openai', 'gpt-5.5', { inputTokens: 1000, outputTokens: 0 }), null);
    expect(r).toMatchObject({ status: 'priced', pricedProvider: 'openai', flags: ['provider-inferred'] });
    expect(
      pricer.price(event('xai', 'grok-4', { inputTokens: 1000, outputTokens: 0 }), null).pricedProvider,
    ).toBe('x-ai');
  });

  it('infers the provider of a gateway event from the model name', () => {
    const prefixed = pricer.price(
      event('litellm', 'openai/gpt-5.5', { inputTokens: 1000, outputTokens: 0 }),
      null,
    );
    expect(prefixed).toMatchObject({
      status: 'priced',
      pricedProvider: 'openai',
      pricedModel: 'gpt-5.5',
      flags: ['provider-inferred'],
    });
    const bare = pricer.price(
      event('litellm', 'claude-sonnet-4-5', { inputTokens: 1000, outputTokens: 0 }),
      null,
    );
    expect(bare).toMatchObject({
      status: 'priced',
      pricedProvider: 'anthropic',
      flags: ['provider-inferred'], // claude-sonnet-4-5 is the rate's own id: no match flag
    });
  });

  it("falls back to another provider's rate where the catalog says so (Azure → OpenAI)", () => {
    const r = pricer.price(event('azure', 'gpt-5.5', { inputTokens: 1000, outputTokens: 0 }), null);
    expect(r).toMatchObject({
      status: 'priced',
      pricedProvider: 'openai',
      flags: ['provider-fallback:openai'],
    });
  });

  it('bills Anthropic 1-hour cache writes at their own price, and batch at half', () => {
    const usage = {
      inputTokens: 100_000,
      outputTokens: 1_000,
      cacheReadTokens: 50_000,
      cacheWriteTokens: 20_000,
      cacheWrite1hTokens: 10_000,
    };
    const r = pricer.price(event('anthropic', 'claude-sonnet-4-5', usage), null);
    // $3 in, $3.75 5-min write, $6 1-hour write, $0.30 read, $15 out.
    expect(strings(r)).toEqual({
      total: '0.225',
      breakdown: {
        uncachedInput: '0.06',
        cacheRead: '0.015',
        cacheWrite: '0.075',
        cacheWrite1h: '0.06',
        output: '0.015',
      },
    });
    const batch = pricer.price(
      event('anthropic', 'claude-sonnet-4-5', usage, undefined, { serviceTier: 'batch' }),
      null,
    );
    expect(strings(batch).total).toBe('0.1125');
    expect(batch.flags).toEqual(['service-tier:batch']);
    const priority = pricer.price(
      event('anthropic', 'claude-sonnet-4-5', usage, undefined, { serviceTier: 'priority' }),
      null,
    );
    expect(strings(priority).total).toBe('0.225');
    expect(priority.flags).toContain('service-tier:priority=standard');
  });
});

describe('rate cards (hand-written)', () => {
  it('a kind without its own price falls back to its parent and says so', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'm', { input: '2', output: '8' })]));
    const r = pricer.price(
      event('acme', 'm', {
        inputTokens: 10_000,
        outputTokens: 1_000,
        cacheReadTokens: 4_000,
        cacheWriteTokens: 1_000,
        cacheWrite1hTokens: 1_000,
        inputAudioTokens: 500,
        inputImageTokens: 500,
        reasoningTokens: 600,
        outputAudioTokens: 100,
      }),
      null,
    );
    expect(strings(r)).toEqual({ total: '0.028', breakdown: { uncachedInput: '0.02', output: '0.008' } });
    expect(r.flags).toEqual([
      'fallback:cacheRead=input',
      'fallback:cacheWrite=input',
      'fallback:cacheWrite1h=input',
      'fallback:inputAudio=input',
      'fallback:inputImage=input',
      'fallback:reasoning=output',
      'fallback:outputAudio=output',
    ]);
  });

  it('1-hour cache writes fall back to the 5-minute price before the input price', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'm', { input: '1', output: '1', cacheWrite: '1.25' })]));
    const r = pricer.price(
      event('acme', 'm', { inputTokens: 1_000_000, outputTokens: 0, cacheWrite1hTokens: 400_000 }),
      null,
    );
    expect(strings(r)).toEqual({ total: '1.1', breakdown: { uncachedInput: '0.6', cacheWrite: '0.5' } });
    expect(r.flags).toEqual(['fallback:cacheWrite1h=cacheWrite']);
  });

  it('prices reasoning, audio and image parts apart when the card does', () => {
    const card = {
      input: '1',
      output: '4',
      reasoning: '2',
      inputAudio: '10',
      outputAudio: '20',
      inputImage: '3',
    };
    const pricer = buildPricer(tableOf([rate('acme', 'm', card)]));
    const r = pricer.price(
      event('acme', 'm', {
        inputTokens: 1000,
        outputTokens: 1000,
        reasoningTokens: 400,
        inputAudioTokens: 100,
        inputImageTokens: 200,
        outputAudioTokens: 100,
      }),
      null,
    );
    expect(strings(r).breakdown).toEqual({
      uncachedInput: '0.0007', // 700 × 1
      inputAudio: '0.001', // 100 × 10
      inputImage: '0.0006', // 200 × 3
      output: '0.002', // 500 × 4
      reasoning: '0.0008', // 400 × 2
      outputAudio: '0.002', // 100 × 20
    });
    expect(strings(r).total).toBe('0.0071');
  });

  it('adds a per-request price', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'm', { input: '1', output: '1', request: '0.005' })]));
    const r = pricer.price(event('acme', 'm', { inputTokens: 1000, outputTokens: 0 }), null);
    expect(strings(r)).toEqual({ total: '0.006', breakdown: { uncachedInput: '0.001', requests: '0.005' } });
  });

  it('a call with no tokens costs nothing, priced', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'm', { input: '1', output: '1' })]));
    expect(strings(pricer.price(event('acme', 'm', { inputTokens: 0, outputTokens: 0 }), null))).toEqual({
      total: '0',
      breakdown: {},
    });
  });

  it('tokens of a kind with no price at all leave the event unpriced_component, never $0', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'embed', { input: '0.1' })]));
    expect(pricer.price(event('acme', 'embed', { inputTokens: 1000, outputTokens: 0 }), null).status).toBe(
      'priced',
    );
    const r = pricer.price(event('acme', 'embed', { inputTokens: 1000, outputTokens: 5 }), null);
    expect(r).toMatchObject({
      status: 'unpriced_component',
      reason: 'no output price for model "embed" from provider "acme": 5 output tokens cannot be priced',
      totalUsd: null,
      pricedModel: 'embed',
    });
  });

  it('a card listed without prices leaves usage unpriced', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'm', { notes: 'price unknown' })]));
    expect(pricer.price(event('acme', 'm', { inputTokens: 1, outputTokens: 0 }), null).status).toBe(
      'unpriced_component',
    );
  });

  it('rejects parts larger than their totals, naming the field', () => {
    const pricer = buildPricer(tableOf([rate('acme', 'm', { input: '1', output: '1' })]));
    const r = pricer.price(
      event('acme', 'm', { inputTokens: 100, outputTokens: 10, cacheReadTokens: 101 }),
      null,
    );
    expect(r).toMatchObject({
      status: 'error',
      reason: 'usage.cacheReadTokens (101) is part of usage.inputTokens and cannot exceed it (100)',
      totalUsd: null,
    });
    const reasoning = pricer.price(
      event('acme', 'm', { inputTokens: 100, outputTokens: 10, reasoningTokens: 11 }),
      null,
    );
    expect(reasoning.reason).toBe(
      'usage.reasoningTokens (11) is part of usage.outputTokens and cannot exceed it (10)',
    );
    const negative = pricer.price(event('acme', 'm', { inputTokens: -1, outputTokens: 0 }), null);
    expect(negative.reason).toBe(
      'usage.inputTokens: must be a whole, non-negative number of tokens (got -1)',
    );
    const fraction = pricer.price(event('acme', 'm', { inputTokens: 1.5, outputTokens: 0 }), null);
    expect(fraction.status).toBe('error');
  });

  it('refuses to guess how cached and audio tokens overlap when both are priced apart', () => {
    const pricer = buildPricer(
      tableOf([rate('acme', 'm', { input: '1', output: '1', cacheRead: '0.1', inputAudio: '10' })]),
    );
    const r = pricer.price(
      event('acme', 'm', { inputTokens: 100, outputTokens: 0, cacheReadTokens: 80, inputAudioTokens: 50 }),
      null,
    );
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/^usage: cache and media parts \(130 tokens\) exceed usage.inputTokens \(100\)/);
  });

  it('time windows wrap midnight and honour weekdays, on the event timestamp in UTC', () => {
    const pricer = buildPricer(
      tableOf([
        rate('acme', 'm', {
          input: '1',
          output: '1',
          rules: [
            {
              label: 'night',
              when: { timeOfDay: { start: '22:00', end: '02:00' }, weekdays: [1, 2, 3, 4, 5] },
              input: '0.5',
              output: '0.5',
            },
          ],
        }),
      ]),
    );
    const at = (iso: string) =>
      pricer.price(event('acme', 'm', { inputTokens: 1_000_000, outputTokens: 0 }, iso), null);
    expect(strings(at('2026-06-03T23:30:00Z')).total).toBe('0.5'); // Wednesday
    expect(strings(at('2026-06-04T01:59:59.999Z')).total).toBe('0.5');
    expect(strings(at('2026-06-04T02:00:00Z')).total).toBe('1');
    expect(strings(at('2026-06-03T21:59:59Z')).total).toBe('1');
    expect(strings(at('2026-06-03T22:00:00Z')).total).toBe('0.5');
    expect(strings(at('2026-06-06T23:00:00Z')).total).toBe('1'); // Saturday
    expect(at('2026-06-03T23:30:00Z').flags).toEqual(['window:night']);
  });

  it('service tiers as explicit prices or multipliers', () => {
    const pricer = buildPricer(
      tableOf([
        rate('acme', 'm', {
          input: '2',
          output: '8',
          serviceTiers: {
            batch: { multiplier: '0.5' },
            priority: { input: '3.5', output: '14' },
            flex: { multiplier: '0.55' },
          },
        }),
      ]),
    );
    const at = (serviceTier: 'batch' | 'flex' | 'priority') =>
      pricer.price(
        event('acme', 'm', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, undefined, { serviceTier }),
        null,
      );
    expect(strings(at('batch')).total).toBe('5');
    expect(strings(at('priority')).total).toBe('17.5');
    expect(strings(at('flex')).total).toBe('5.5');
    expect(at('flex').flags).toEqual(['service-tier:flex']);
  });

  it('uses exact big-integer arithmetic past 2^53', () => {
    const pricer = buildPricer(
      tableOf([rate('acme', 'm', { input: '45.123456789', output: '0.000000001' })]),
    );
    const r = pricer.price(
      event('acme', 'm', { inputTokens: 9_999_999_999, outputTokens: 9_999_999_999 }),
      null,
    );
    // 9,999,999,999 × 45.123456789 / 1e6 and 9,999,999,999 × 0.000000001 / 1e6.
    expect(strings(r).breakdown).toEqual({
      uncachedInput: '451234.567844876543211',
      output: '0.000009999999999',
    });
    expect(strings(r).total).toBe('451234.56785487654321');
  });
});

describe('effective dating', () => {
  const v1 = [rate('acme', 'm', { input: '1', output: '1' })];
  const v2 = [rate('acme', 'm', { input: '2', output: '2' })];
  const pricer = buildPricer(
    snapshotOf([
      {
        slug: 'acme',
        versions: [
          { id: 'v1', effectiveFrom: '2026-01-01T00:00:00Z', rates: v1 },
          { id: 'v2', effectiveFrom: '2026-06-01T00:00:00Z', rates: v2 },
          {
            id: 'v3',
            effectiveFrom: '2026-06-01T00:00:00Z',
            rates: [rate('acme', 'm', { input: '3', output: '3' })],
          },
        ],
      },
    ]),
  );
  const at = (iso: string) =>
    pricer.price(event('acme', 'm', { inputTokens: 1_000_000, outputTokens: 0 }, iso), null);

  it('prices by the version in force at the event, not the latest', () => {
    expect(at('2026-05-31T23:59:59.999Z')).toMatchObject({ rateVersionId: 'v1' });
    expect(strings(at('2026-05-31T23:59:59.999Z')).total).toBe('1');
  });

  it('a later publication with the same effectiveFrom supersedes', () => {
    expect(at('2026-06-01T00:00:00Z')).toMatchObject({ rateVersionId: 'v3' });
  });

  it('before the first version nothing is in force: unpriced', () => {
    const r = at('2025-12-31T23:59:59Z');
    expect(r.status).toBe('unpriced_model');
    expect(r.reason).toContain('no rate table is in force at 2025-12-31T23:59:59.000Z');
  });
});

describe('organization overrides', () => {
  const ORG = 'org-1';
  const OTHER = 'org-2';
  const catalog = [
    rate('openai', 'gpt-x', { input: '10', output: '10' }),
    rate('openai', 'gpt-y', { input: '20', output: '20' }),
  ];
  const pricer = buildPricer(
    snapshotOf([
      { slug: 'catalog', versions: [{ id: 'cat', effectiveFrom: EPOCH, rates: catalog }] },
      {
        slug: 'overrides',
        organizationId: ORG,
        versions: [
          {
            id: 'ovr',
            effectiveFrom: EPOCH,
            rates: [
              rate('openai', 'gpt-x', { input: '7', output: '7' }),
              rate('openai', '*', { discountPercent: '10' }, { allModels: true }),
            ],
          },
        ],
      },
    ]),
  );
  const usage = { inputTokens: 1_000_000, outputTokens: 0 };

  it('a negotiated price applies to its organization only', () => {
    const mine = pricer.price(event('openai', 'gpt-x', usage), ORG);
    expect(strings(mine).total).toBe('7');
    expect(mine).toMatchObject({ rateVersionId: 'ovr', flags: ['override:overrides'] });
    expect(strings(pricer.price(event('openai', 'gpt-x', usage), OTHER)).total).toBe('10');
    expect(strings(pricer.price(event('openai', 'gpt-x', usage), null)).total).toBe('10');
  });

  it("a provider discount applies to the catalog's price, with the override's version", () => {
    const r = pricer.price(event('openai', 'gpt-y', usage), ORG);
    expect(strings(r).total).toBe('18');
    expect(r).toMatchObject({
      rateVersionId: 'ovr',
      flags: ['override:discount-10%', 'base-rate-version:cat'],
    });
  });
});

describe('catalog loading', () => {
  it('rejects two rates with the same name, naming both', () => {
    expect(() =>
      buildPricer(
        tableOf([
          rate('acme', 'a', { input: '1' }, { exact: ['m'] }),
          rate('acme', 'b', { input: '2' }, { exact: ['M'] }),
        ]),
      ),
    ).toThrow(/ambiguous rates: "m" matches "a" and "b" equally well/);
  });

  it('rejects two identical patterns', () => {
    expect(() =>
      buildPricer(
        tableOf([
          rate('acme', 'a', { input: '1' }, { patterns: [{ startsWith: 'gpt-' }] }),
          rate('acme', 'b', { input: '2' }, { patterns: [{ startsWith: 'gpt-' }] }),
        ]),
      ),
    ).toThrow(CatalogError);
  });

  it('the most specific match wins: exact over prefix, longer prefix over shorter, prefix over contains', () => {
    const pricer = buildPricer(
      tableOf([
        rate('acme', 'family', { input: '1' }, { patterns: [{ startsWith: 'gpt-' }] }),
        rate('acme', 'four', { input: '2' }, { patterns: [{ startsWith: 'gpt-4' }] }),
        rate('acme', 'exact', { input: '3' }, { exact: ['gpt-4o'] }),
        rate('acme', 'mini', { input: '4' }, { patterns: [{ contains: 'gpt-4o-mini' }] }),
      ]),
    );
    const model = (name: string) =>
      pricer.price(event('acme', name, { inputTokens: 1, outputTokens: 0 }), null).pricedModel;
    expect(model('gpt-4o')).toBe('exact');
    expect(model('gpt-4.1')).toBe('four');
    expect(model('gpt-3.5')).toBe('family');
    expect(model('gpt-4o-mini')).toBe('four'); // prefix "gpt-4" beats contains "gpt-4o-mini"
  });

  it('a name two patterns match equally well is an error at pricing time, never a silent choice', () => {
    const pricer = buildPricer(
      tableOf([
        rate('acme', 'a', { input: '1' }, { patterns: [{ startsWith: 'abc' }] }),
        rate('acme', 'b', { input: '2' }, { patterns: [{ endsWith: 'xyz' }] }),
      ]),
    );
    const r = pricer.price(event('acme', 'abc-xyz', { inputTokens: 1, outputTokens: 0 }), null);
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/matches several rates equally well/);
  });

  it('dated snapshots can be turned off per rate', () => {
    const pricer = buildPricer(
      tableOf([rate('acme', 'm', { input: '1' }, { exact: ['m'], snapshots: false })]),
    );
    expect(
      pricer.price(event('acme', 'm-2026-01-15', { inputTokens: 1, outputTokens: 0 }), null).status,
    ).toBe('unpriced_model');
  });

  it('reports invalid stored cards with the path of the field', () => {
    try {
      buildPricer(tableOf([rate('acme', 'm', { input: '-1' } as never)]));
      expect.unreachable();
    } catch (error) {
      expect((error as CatalogError).problems).toEqual([
        {
          path: 'tables[test].versions[1].rates[acme/m].prices.input',
          message: 'must be a non-negative decimal of USD, e.g. "2.5"',
        },
      ]);
    }
  });
});

describe('timestamps', () => {
  it('reads ISO timestamps exactly as Date.parse does, and falls back to it for other forms', () => {
    for (const s of [
      '2026-06-01T12:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2026-06-01T12:00:00Z',
      '2026-06-01T14:00:00+02:00',
    ])
      expect(parseTimestamp(s)).toBe(Date.parse(s));
    expect(parseTimestamp('2026-02-29T00:00:00.000Z')).toBe(Date.parse('2026-02-29T00:00:00.000Z'));
    expect(parseTimestamp('2026-13-01T00:00:00.000Z')).toBeNaN();
  });
});

describe('tablesInForce', () => {
  it('lists the version of each table in force, in the order the pricer consults them', () => {
    const snapshot = snapshotOf([
      { slug: 'catalog', versions: [{ id: 'c1', effectiveFrom: EPOCH, rates: [] }] },
      {
        slug: 'overrides',
        organizationId: 'org',
        versions: [
          { id: 'o1', effectiveFrom: '2026-01-01T00:00:00Z', rates: [] },
          { id: 'o2', effectiveFrom: '2026-07-01T00:00:00Z', rates: [] },
        ],
      },
    ]);
    const ids = (at: string, org: string | null) => tablesInForce(snapshot, at, org).map((t) => t.version.id);
    expect(ids('2026-06-01T00:00:00Z', 'org')).toEqual(['o1', 'c1']);
    expect(ids('2026-07-01T00:00:00Z', 'org')).toEqual(['o2', 'c1']);
    expect(ids('2025-06-01T00:00:00Z', 'org')).toEqual(['c1']);
    expect(ids('2026-07-01T00:00:00Z', null)).toEqual(['c1']);
  });
});

describe('flags name the match that happened (issue 20 item 4)', () => {
  const pricer = buildPricer(
    snapshotOf([
      {
        slug: 'genai-prices',
        versions: [
          {
            effectiveFrom: '2026-01-01T00:00:00Z',
            rates: [
              {
                provider: 'acme',
                model: 'acme-pro',
                match: {
                  exact: ['acme-pro-latest'],
                  patterns: [{ anyOf: [{ startsWith: 'acme-pro' }, { contains: 'pro-x' }] }],
                },
                prices: { input: '1', output: '2' },
                source: 'test',
              },
            ],
          },
        ],
      },
    ]),
  );
  const flagsOf = (model: string) =>
    pricer.price(event('acme', model, { inputTokens: 1000, outputTokens: 0 }, '2026-06-01T00:00:00Z'), null)
      .flags;

  it.each([
    ['acme-pro', []], // the rate's own id, though only a prefix pattern lists it
    ['acme-pro-latest', []], // an exact alias
    ['acme-pro-latest-2026-05-01', ['match:snapshot(acme-pro-latest)']],
    ['acme-pro-vision', ['match:pattern:startsWith(acme-pro)']],
  ])('%s → %j', (model, flags) => {
    expect(flagsOf(model)).toEqual(flags);
  });
});
