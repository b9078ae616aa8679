import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { parseProviderFile, ProviderPageError } from './provider-pages';
import { zeroTokens, type ProviderUsageRow } from './provider-rows';
import { coverageSentence, reconcile, undatedModel, type OurUsageCell } from './reconcile';

const T0 = Date.UTC(2026, 9, 1) / 1000;
const DAY = 86_400;

function openAiUsagePage(days: number[], hasMore = false) {
  return {
    object: 'page',
    data: days.map((d) => ({
      object: 'bucket',
      start_time: T0 + d * DAY,
      end_time: T0 + (d + 1) * DAY,
      results: [
        {
          object: 'organization.usage.completions.result',
          input_tokens: 1_000_000,
          input_cached_tokens: 200_000,
          output_tokens: 100_000,
          num_model_requests: 10,
          project_id: 'proj_a',
          api_key_id: null,
          model: 'gpt-4o-2024-08-06',
        },
      ],
    })),
    has_more: hasMore,
    next_page: hasMore ? 'page_2' : null,
  };
}

function openAiCostPage(days: number[], value: number) {
  return {
    object: 'page',
    data: days.map((d) => ({
      object: 'bucket',
      start_time: T0 + d * DAY,
      end_time: T0 + (d + 1) * DAY,
      results: [
        {
          object: 'organization.costs.result',
          amount: { value, currency: 'usd' },
          line_item: 'gpt-4o-2024-08-06, input',
          project_id: 'proj_a',
        },
      ],
    })),
    has_more: false,
    next_page: null,
  };
}

function ours(day: string, costUsd: string, over: Partial<OurUsageCell> = {}): OurUsageCell {
  return {
    ...zeroTokens(),
    inputTokens: 1_000_000,
    cacheReadTokens: 200_000,
    outputTokens: 100_000,
    day,
    project: 'web',
    model: 'gpt-4o',
    requests: 10,
    unpricedRequests: 0,
    costUsd: new Decimal(costUsd),
    ...over,
  };
}

describe('provider pages', () => {
  it('reads OpenAI usage and cost pages from JSON Lines, a day per bucket', () => {
    const file = [openAiUsagePage([0, 1]), openAiCostPage([0, 1], 3.25)]
      .map((p) => JSON.stringify(p))
      .join('\n');
    const parsed = parseProviderFile('openai', file);
    expect(parsed.usageDays).toEqual(['2026-10-01', '2026-10-02']);
    expect(parsed.costDays).toEqual(['2026-10-01', '2026-10-02']);
    expect(parsed.usage[0]).toMatchObject({
      day: '2026-10-01',
      model: 'gpt-4o-2024-08-06',
      cacheReadTokens: 200_000,
    });
    expect(parsed.costs[1]!.amountUsd.toFixed()).toBe('3.25');
    expect(parsed.costs[1]!.model).toBe('gpt-4o-2024-08-06');
  });

  it('reads Anthropic amounts as cents and input as the sum of its parts', () => {
    const file = {
      usage: [
        {
          data: [
            {
              starting_at: '2026-10-03T00:00:00Z',
              ending_at: '2026-10-04T00:00:00Z',
              results: [
                {
                  uncached_input_tokens: 1500,
                  cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1000 },
                  cache_read_input_tokens: 200,
                  output_tokens: 500,
                  server_tool_use: { web_search_requests: 10 },
                  workspace_id: null,
                  model: 'claude-sonnet-4-20250514',
                  service_tier: 'standard',
                },
              ],
            },
            { starting_at: '2026-10-04T00:00:00Z', ending_at: '2026-10-05T00:00:00Z', results: [] },
          ],
          has_more: false,
          next_page: null,
        },
      ],
      costs: [
        {
          data: [
            {
              starting_at: '2026-10-03T00:00:00Z',
              ending_at: '2026-10-04T00:00:00Z',
              results: [
                {
                  currency: 'USD',
                  amount: '123.45',
                  model: 'claude-sonnet-4-20250514',
                  cost_type: 'tokens',
                  workspace_id: 'wrk_1',
                },
              ],
            },
          ],
          has_more: false,
          next_page: null,
        },
      ],
    };
    const parsed = parseProviderFile('anthropic', JSON.stringify(file));
    expect(parsed.usageDays).toEqual(['2026-10-03', '2026-10-04']);
    expect(parsed.usage[0]).toMatchObject({
      inputTokens: 3200,
      cacheWriteTokens: 500,
      cacheWrite1hTokens: 1000,
      externalProjectId: 'default',
      webSearchRequests: 10,
    });
    expect(parsed.costs[0]!.amountUsd.toFixed()).toBe('1.2345');
  });

  it('names the line and the field of a bad page', () => {
    const bad = openAiUsagePage([0]);
    (bad.data[0]!.results[0] as Record<string, unknown>).output_tokens = 'many';
    const file = [JSON.stringify(openAiUsagePage([1])), JSON.stringify(bad)].join('\n');
    expect(() => parseProviderFile('openai', file)).toThrow(ProviderPageError);
    expect(() => parseProviderFile('openai', file)).toThrow(
      /^line 2: data\[0\]\.results\[0\]\.output_tokens: /,
    );
    expect(() => parseProviderFile('openai', '{"data": [}')).toThrow(/file: is not JSON \(line 1/);
    expect(() =>
      parseProviderFile(
        'anthropic',
        JSON.stringify({
          costs: [{ data: [{ starting_at: 'x', ending_at: 'y', results: [] }], has_more: false }],
        }),
      ),
    ).toThrow(/costs\[0\]: data\[0\]\.starting_at: must be an RFC 3339 timestamp/);
    expect(() =>
      parseProviderFile('openai', JSON.stringify(openAiCostPage([0], 1)).replace('"usd"', '"eur"')),
    ).toThrow(/page 1: data\[0\]\.results\[0\]\.amount\.currency: only "usd" is supported/);
  });
});

const usageRow = (day: string, over: Partial<ProviderUsageRow> = {}): ProviderUsageRow => ({
  ...zeroTokens(),
  inputTokens: 1_000_000,
  cacheReadTokens: 200_000,
  outputTokens: 100_000,
  day,
  model: 'gpt-4o-2024-08-06',
  externalProjectId: 'proj_a',
  apiKeyId: '',
  serviceTier: '',
  requests: 10,
  webSearchRequests: 0,
  ...over,
});

const cost = (day: string, amount: string, over = {}) => ({
  day,
  model: 'gpt-4o-2024-08-06',
  externalProjectId: 'proj_a',
  lineItem: 'gpt-4o-2024-08-06, input',
  serviceTier: '',
  chargeKind: 'usage' as const,
  amountUsd: new Decimal(amount),
  ...over,
});

const days = ['2026-10-01', '2026-10-02', '2026-10-03'];
const base = {
  provider: 'openai' as const,
  month: '2026-10',
  usageDays: days,
  costDays: days,
  mappings: [{ kind: 'project' as const, externalId: 'proj_a', project: 'web' }],
};

describe('reconcile', () => {
  it('finds a missing day, a price change and a credit, with their amounts, and nothing else', () => {
    const r = reconcile({
      ...base,
      usage: days.map((d) => usageRow(d)),
      costs: [
        cost('2026-10-01', '3.00'),
        cost('2026-10-02', '3.30'),
        cost('2026-10-03', '3.00'),
        cost('2026-10-03', '-5', { model: '', lineItem: 'Credit', chargeKind: 'credit' as const }),
      ],
      ours: [ours('2026-10-01', '3.00'), ours('2026-10-02', '3.00')],
    });
    const explained = r.lines.flatMap((l) =>
      l.explanations.map((e) => [l.day, l.model, e.kind, e.amountUsd?.toFixed()]),
    );
    expect(explained).toEqual([
      ['2026-10-02', 'gpt-4o', 'price_difference', '0.3'],
      ['2026-10-03', '(credit)', 'credit', '-5'],
      ['2026-10-03', 'gpt-4o', 'not_received', '3'],
    ]);
    expect(r.totals.differenceUsd.toFixed()).toBe('-1.7');
    expect(r.totals.unexplainedUsd.toFixed()).toBe('0');
    expect(r.totals.coveragePercent!.toFixed(2)).toBe('66.67');
    expect(coverageSentence(r)).toBe('Tokenledger saw 66.6% of your OpenAI tokens in 2026-10.');
  });

  it('splits a token difference from a price difference, adding up to the difference', () => {
    const r = reconcile({
      ...base,
      usage: [usageRow('2026-10-01', { inputTokens: 1_200_000 })],
      costs: [cost('2026-10-01', '5.00')],
      ours: [ours('2026-10-01', '3.30')],
    });
    const line = r.lines[0]!;
    expect(line.differenceUsd!.toFixed()).toBe('1.7');
    const sum = line.explanations.reduce((s, e) => s.plus(e.amountUsd!), new Decimal(0));
    expect(sum.toFixed()).toBe('1.7');
    expect(line.explanations.map((e) => e.kind)).toEqual(['not_received', 'price_difference']);
    expect(line.explanations[0]!.amountUsd!.toFixed()).toBe('0.6');
  });

  it('keeps unmapped provider projects apart, and maps by API key first', () => {
    const r = reconcile({
      ...base,
      mappings: [...base.mappings, { kind: 'api_key', externalId: 'key_b', project: 'batch' }],
      usage: [
        usageRow('2026-10-01', { externalProjectId: 'proj_x' }),
        usageRow('2026-10-01', { apiKeyId: 'key_b' }),
      ],
      costs: [cost('2026-10-01', '2', { externalProjectId: 'proj_x' }), cost('2026-10-01', '4')],
      ours: [ours('2026-10-01', '4.00', { project: 'batch' })],
    });
    expect(r.lines.map((l) => [l.project, l.external, l.explanations.map((e) => e.kind).join()])).toEqual([
      ['batch', null, ''],
      [null, 'project proj_x', 'unmapped'],
    ]);
    expect(r.lines[1]!.providerCostUsd!.toFixed()).toBe('2');
  });

  it('says what Tokenledger received that the provider did not report, and leaves days without costs open', () => {
    const r = reconcile({
      ...base,
      costDays: ['2026-10-01'],
      usage: [],
      costs: [],
      ours: [ours('2026-10-01', '2.50'), ours('2026-10-02', '1.00')],
    });
    expect(r.lines[0]!.explanations).toMatchObject([{ kind: 'not_reported' }]);
    expect(r.lines[0]!.explanations[0]!.amountUsd!.toFixed()).toBe('-2.5');
    expect(r.lines[1]!.differenceUsd).toBeNull();
  });

  it("names Anthropic's excluded Priority Tier", () => {
    const r = reconcile({
      ...base,
      provider: 'anthropic',
      mappings: [{ kind: 'workspace', externalId: 'default', project: 'web' }],
      usage: [
        usageRow('2026-10-01', { model: 'claude-x', externalProjectId: 'default', serviceTier: 'standard' }),
        usageRow('2026-10-01', { model: 'claude-x', externalProjectId: 'default', serviceTier: 'priority' }),
      ],
      costs: [cost('2026-10-01', '3', { model: 'claude-x', externalProjectId: 'default' })],
      ours: [
        ours('2026-10-01', '6.00', {
          model: 'claude-x',
          inputTokens: 2_000_000,
          cacheReadTokens: 400_000,
          outputTokens: 200_000,
        }),
      ],
    });
    expect(r.lines[0]!.explanations.map((e) => [e.kind, e.amountUsd!.toFixed()])).toEqual([
      ['excluded_tier', '-3'],
    ]);
  });

  it('matches dated snapshot names to the model Tokenledger recorded', () => {
    expect(undatedModel('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(undatedModel('claude-sonnet-4-20250514')).toBe('claude-sonnet-4');
    expect(undatedModel('gpt-4o')).toBe('gpt-4o');
  });
});
