import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { lineItemRecord, neutralise, summaryRecords } from './csv';
import { focusRows, FOCUS_TOKEN_KINDS, type FocusTokenKind, type UnitPrices } from './focus';
import type { LineItem } from './line-item';
import { monthBefore, monthBounds, previousMonth, startOfDay } from './month';
import { OTHERS, savingsLines, SummaryBuilder, usd, type ReportContext } from './summary';

function item(overrides: Partial<LineItem> = {}): LineItem {
  return {
    day: '2026-10-01',
    project: 'p',
    provider: 'openai',
    model: 'gpt-5.5',
    feature: '',
    customer: '',
    environment: 'production',
    requests: 1,
    unpricedRequests: 0,
    inputTokens: 1000,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    inputImageTokens: 0,
    unpricedInputTokens: 0,
    unpricedOutputTokens: 0,
    costUsd: new Decimal('0.01'),
    ...overrides,
  };
}

const context: ReportContext = {
  organization: { id: 'o', slug: 'acme', name: 'Acme' },
  month: '2026-10',
  timeZone: 'UTC',
  revision: 1,
  generatedAt: new Date('2026-11-01T02:00:00Z'),
  periodStart: new Date('2026-10-01T00:00:00Z'),
  periodEnd: new Date('2026-11-01T00:00:00Z'),
  previous: { month: '2026-09', totalUsd: new Decimal(0), byDay: [] },
  rateVersions: [],
  repriceRuns: [],
  savings: {
    benchmark: 'swe-bench-pro',
    tolerance: 2,
    items: [
      {
        feature: '=cmd',
        source: 'openai / gpt-5.5',
        target: 'openai / gpt-5-mini',
        savingsUsd: new Decimal('12.345'),
        savingsPercent: new Decimal('80.04'),
        movableShare: new Decimal('0.955'),
        quality: 'swe-bench-pro 58.6 vs 57.0 (-1.6 points)',
      },
    ],
    none: null,
  },
};

describe('CSV injection', () => {
  it('neutralises what a spreadsheet would run, and nothing else', () => {
    for (const s of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '=HYPERLINK("x")'])
      expect(neutralise(s)).toBe(`'${s}`);
    for (const s of ['acme', '', 'a=b', '1-2']) expect(neutralise(s)).toBe(s);
    const row = lineItemRecord(item({ customer: '=HYPERLINK("x")', feature: '-x' }));
    expect(row).toContain(`'=HYPERLINK("x")`);
    expect(row).toContain("'-x");
  });
});

describe('months and time zones', () => {
  it('cuts months in the report time zone', () => {
    expect(monthBounds('2026-10', 'UTC')).toEqual({
      start: new Date('2026-10-01T00:00:00Z'),
      end: new Date('2026-11-01T00:00:00Z'),
    });
    // Paris is UTC+2 on 1 October and UTC+1 on 1 November (DST ends on 25 October).
    expect(monthBounds('2026-10', 'Europe/Paris')).toEqual({
      start: new Date('2026-09-30T22:00:00Z'),
      end: new Date('2026-10-31T23:00:00Z'),
    });
    expect(startOfDay('2026-03-09', 'America/New_York')).toEqual(new Date('2026-03-09T04:00:00Z'));
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(monthBefore(new Date('2026-11-01T02:00:00Z'), 'UTC')).toBe('2026-10');
    expect(monthBefore(new Date('2026-11-30T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-11');
  });
});

describe('summary', () => {
  it('folds customers past the top N into "others" and keeps every sum equal to the total', () => {
    const builder = new SummaryBuilder(3);
    let total = new Decimal(0);
    for (let i = 0; i < 50; i++) {
      const cost = new Decimal(i).times('0.000001234').plus('0.1');
      total = total.plus(cost);
      builder.add(
        item({
          day: `2026-10-${String((i % 31) + 1).padStart(2, '0')}`,
          customer: `c${i % 7}`,
          feature: i % 2 ? 'chat' : '',
          costUsd: cost,
          unpricedRequests: i % 10 === 0 ? 1 : 0,
        }),
      );
    }
    const s = builder.build(context);
    expect(s.totalUsd.equals(total)).toBe(true);
    const sum = (list: { costUsd: Decimal }[]) => list.reduce((a, b) => a.plus(b.costUsd), new Decimal(0));
    expect(s.byCustomer).toHaveLength(4);
    expect(s.byCustomer[3]!.name.startsWith(OTHERS)).toBe(true);
    for (const list of [s.byCustomer, s.byFeature, s.byProject, s.byModel, s.byDay])
      expect(sum(list).equals(total)).toBe(true);
    expect(s.byDay).toHaveLength(31);
    expect(s.unpriced.requests).toBe(5);
    expect(s.changePercent).toBeNull();
    expect(s.savings).toBe(context.savings);
  });

  it('formats dollars for people', () => {
    expect(usd(new Decimal('1234567.005'))).toBe('$1,234,567.01');
    expect(usd(new Decimal('-3.2'))).toBe('-$3.20');
  });
});

describe('FOCUS rows', () => {
  const prices =
    (
      list: Partial<Record<FocusTokenKind, string | null>>,
      contracted: Partial<Record<FocusTokenKind, string | null>> = list,
    ) =>
    (_p: string, _m: string, _d: string, kind: FocusTokenKind): UnitPrices => ({
      list: list[kind] ? new Decimal(list[kind]) : null,
      contracted: contracted[kind] ? new Decimal(contracted[kind]) : null,
      rateVersionId: 'v1',
    });
  const ctx = {
    billingAccountId: 'o',
    billingAccountName: 'Acme',
    billingPeriodStart: context.periodStart,
    billingPeriodEnd: context.periodEnd,
    dayStart: (day: string) => new Date(`${day}T00:00:00Z`),
  };
  const group = (cost: string) => ({
    day: '2026-10-05',
    project: 'p',
    provider: 'openai',
    model: 'gpt-5.5',
    tokens: {
      ...Object.fromEntries(FOCUS_TOKEN_KINDS.map((k) => [k, 0])),
      uncachedInput: 123_457,
      cacheRead: 77_777,
      output: 9_999,
      reasoning: 333,
    } as Record<FocusTokenKind, number>,
    costUsd: new Decimal(cost),
  });

  it('has quantity × unit price = cost on every row, billed summing exactly to the group cost', () => {
    for (const cost of ['0', '1.000000000000000001', '0.123456789012345678', '98765.4321']) {
      const rows = focusRows(
        group(cost),
        ctx,
        prices(
          { uncachedInput: '0.005', cacheRead: '0.0005', output: '0.03', reasoning: '0.03' },
          { uncachedInput: '0.004', cacheRead: '0.0004', output: '0.024', reasoning: '0.024' },
        ),
      );
      expect(rows.map((r) => r.x_TokenKind)).toEqual(['uncachedInput', 'cacheRead', 'output', 'reasoning']);
      for (const r of rows) {
        expect(new Decimal(r.PricingQuantity).times(r.ListUnitPrice).equals(r.ListCost)).toBe(true);
        expect(new Decimal(r.PricingQuantity).times(r.ContractedUnitPrice).equals(r.ContractedCost)).toBe(
          true,
        );
        expect(new Decimal(r.ContractedCost).lte(r.ListCost)).toBe(true);
        expect(r.ChargePeriodStart).toBe('2026-10-05T00:00:00Z');
        expect(r.ChargePeriodEnd).toBe('2026-10-06T00:00:00Z');
      }
      const billed = rows.reduce((s, r) => s.plus(r.BilledCost), new Decimal(0));
      expect(billed.equals(cost)).toBe(true);
    }
  });

  it('keeps an unpriced model as zero-cost rows and a cost with no unit price on one row', () => {
    const unpriced = focusRows(group('0'), ctx, prices({}));
    expect(unpriced.every((r) => r.ListCost === '0' && r.BilledCost === '0')).toBe(true);
    expect(unpriced[0]!.ChargeDescription).toContain('unpriced');
    const odd = focusRows(group('2.5'), ctx, prices({}));
    expect(odd.reduce((s, r) => s.plus(r.BilledCost), new Decimal(0)).equals('2.5')).toBe(true);
  });
});

describe('savings section', () => {
  it('prints each recommendation with its saving and quality basis, and says why when there is none', () => {
    const [line] = savingsLines(context.savings);
    expect(line!.label).toBe('=cmd: openai / gpt-5.5 → openai / gpt-5-mini');
    expect(line!.savingsUsd!.toFixed()).toBe('12.345');
    expect(line!.note).toBe(
      '80.0% of the group, 96% of requests could move; quality: swe-bench-pro 58.6 vs 57.0 (-1.6 points)',
    );
    expect(savingsLines({ ...context.savings!, items: [], none: 'no priced traffic in the month' })).toEqual([
      { label: '—', savingsUsd: null, note: 'No recommendation: no priced traffic in the month.' },
    ]);
    expect(savingsLines(null)[0]!.note).toMatch(/could not be computed/);
    const csv = summaryRecords({ ...new SummaryBuilder().build(context) }).filter((r) => r[0] === 'savings');
    expect(csv).toHaveLength(1);
    expect(csv[0]![1]).toBe("'=cmd: openai / gpt-5.5 → openai / gpt-5-mini");
    expect(csv[0]![2]).toBe('12.345');
  });
});
