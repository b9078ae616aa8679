import Decimal from 'decimal.js';
import type { LineItem } from './line-item';
import { daysOf } from './month';

/** What a report says about itself and the world around the month (from the store, not the line items). */
export interface ReportContext {
  organization: { id: string; slug: string; name: string };
  month: string;
  timeZone: string;
  revision: number;
  generatedAt: Date;
  periodStart: Date;
  periodEnd: Date;
  /** The previous month's total and its spend by day of month (1-based index → cost). */
  previous: { month: string; totalUsd: Decimal; byDay: Decimal[] };
  rateVersions: RateVersionUse[];
  repriceRuns: RepriceRunRef[];
  /** The top savings recommendations over the month's traffic; null when none could be computed. */
  savings: ReportSavings | null;
  /** Each provider whose usage or cost report was imported for the month (docs/RECONCILIATION.md). */
  reconciliation?: ReconciliationBrief[];
}

/**
 * What moving traffic would have saved in the month, from the what-if simulation's
 * recommendations (the cheapest target within `tolerance` points of the current model on
 * `benchmark`), best first. `none` says why the list is empty when it is.
 */
export interface ReportSavings {
  benchmark: string;
  tolerance: number;
  items: SavingsItem[];
  /** Why there is no recommendation (no traffic, no scored model, nothing cheaper). */
  none: string | null;
}

export interface SavingsItem {
  feature: string;
  /** "provider / model". */
  source: string;
  target: string;
  /** Over the month, at the prices the recommendation used. */
  savingsUsd: Decimal;
  savingsPercent: Decimal | null;
  /** Share of the group's requests that could move, 0–1. */
  movableShare: Decimal;
  /** The quality basis, in words: "swe-bench-pro 62.0 → 61.0 (−1.0 points)". */
  quality: string;
}

/** A provider's reconciliation in a report: coverage, totals and what explains the difference. */
export interface ReconciliationBrief {
  provider: string;
  /** "Tokenledger saw 97.4% of your OpenAI tokens in 2026-10." */
  coverage: string;
  providerCostUsd: Decimal;
  ourCostUsd: Decimal;
  differenceUsd: Decimal;
  byExplanation: { kind: string; amountUsd: Decimal; lines: number }[];
  unexplainedUsd: Decimal;
}

export interface RateVersionUse {
  /** Null: events that stayed unpriced. */
  rateVersionId: string | null;
  table: string | null;
  version: number | null;
  effectiveFrom: Date | null;
  events: number;
}

export interface RepriceRunRef {
  id: string;
  createdAt: Date;
  reason: string;
  status: string;
  eventsChanged: number;
  totalBeforeUsd: Decimal;
  totalAfterUsd: Decimal;
}

export interface Breakdown {
  /** Display name ("(none)" for an unset feature or customer, "others" for the rest of a top N). */
  name: string;
  costUsd: Decimal;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface UnpricedModel {
  provider: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface ReportSummary extends ReportContext {
  totalUsd: Decimal;
  changeUsd: Decimal;
  /** Percent against the previous month; null when that month was zero. */
  changePercent: Decimal | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  lineItems: number;
  byProject: Breakdown[];
  byModel: Breakdown[];
  byFeature: Breakdown[];
  /** The top customers by cost, then one "others" row. */
  byCustomer: Breakdown[];
  customersTotal: number;
  byEnvironment: Breakdown[];
  byDay: { day: string; costUsd: Decimal; requests: number }[];
  unpriced: { requests: number; inputTokens: number; outputTokens: number; models: UnpricedModel[] };
}

export const NONE = '(none)';
export const OTHERS = 'others';

/** Cost and counts of one group of line items. */
export interface Totals {
  costUsd: Decimal;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** What the summary groups by ("model" keys are "provider / model"; "" is an unset feature or customer). */
export type SummaryDimension = 'project' | 'model' | 'feature' | 'customer' | 'environment' | 'day';

/**
 * A month's line items, aggregated: what a summary is made of. The store computes it in SQL from
 * the rollups (a few hundred rows, whatever the month's size); SummaryBuilder accumulates the same
 * from line items streaming past. Both become a summary through `summaryOf`.
 */
export interface SummaryAggregates {
  lineItems: number;
  total: Totals;
  groups: { dimension: SummaryDimension; key: string; totals: Totals }[];
  /** Models with unpriced requests (their requests and tokens not priced). */
  unpriced: UnpricedModel[];
}

class Acc implements Totals {
  costUsd = new Decimal(0);
  requests = 0;
  inputTokens = 0;
  outputTokens = 0;
  add(item: Totals): void {
    this.costUsd = this.costUsd.plus(item.costUsd);
    this.requests += item.requests;
    this.inputTokens += item.inputTokens;
    this.outputTokens += item.outputTokens;
  }
}

function ranked(entries: Iterable<[string, Totals]>): Breakdown[] {
  return [...entries]
    .map(([name, a]) => ({
      name,
      costUsd: a.costUsd,
      requests: a.requests,
      inputTokens: a.inputTokens,
      outputTokens: a.outputTokens,
    }))
    .sort(
      (x, y) => y.costUsd.comparedTo(x.costUsd) || y.requests - x.requests || x.name.localeCompare(y.name),
    );
}

const DIMENSIONS: readonly SummaryDimension[] = [
  'project',
  'model',
  'feature',
  'customer',
  'environment',
  'day',
];

/**
 * Accumulates the summary while the line items stream past (memory grows with the number of
 * projects, models, features and customers, never with the number of line items).
 */
export class SummaryBuilder {
  private readonly total = new Acc();
  private count = 0;
  private readonly maps = new Map<SummaryDimension, Map<string, Acc>>(DIMENSIONS.map((d) => [d, new Map()]));
  private readonly unpriced = new Map<string, UnpricedModel>();

  constructor(private readonly topCustomers = 10) {}

  add(item: LineItem): void {
    this.count++;
    this.total.add(item);
    const bump = (dimension: SummaryDimension, key: string) => {
      const map = this.maps.get(dimension)!;
      let acc = map.get(key);
      if (!acc) map.set(key, (acc = new Acc()));
      acc.add(item);
    };
    bump('project', item.project);
    bump('model', `${item.provider} / ${item.model}`);
    bump('feature', item.feature);
    bump('customer', item.customer);
    bump('environment', item.environment);
    bump('day', item.day);
    if (item.unpricedRequests > 0) {
      const key = `${item.provider}\u0000${item.model}`;
      let u = this.unpriced.get(key);
      if (!u) {
        u = { provider: item.provider, model: item.model, requests: 0, inputTokens: 0, outputTokens: 0 };
        this.unpriced.set(key, u);
      }
      u.requests += item.unpricedRequests;
      u.inputTokens += item.unpricedInputTokens;
      u.outputTokens += item.unpricedOutputTokens;
    }
  }

  get lineItems(): number {
    return this.count;
  }

  aggregates(): SummaryAggregates {
    return {
      lineItems: this.count,
      total: this.total,
      groups: [...this.maps].flatMap(([dimension, map]) =>
        [...map].map(([key, totals]) => ({ dimension, key, totals })),
      ),
      unpriced: [...this.unpriced.values()],
    };
  }

  build(context: ReportContext): ReportSummary {
    return summaryOf(this.aggregates(), context, this.topCustomers);
  }
}

/** The summary of a month from its aggregates and its context (top `topCustomers` customers, then "others"). */
export function summaryOf(agg: SummaryAggregates, context: ReportContext, topCustomers = 10): ReportSummary {
  const by = new Map<SummaryDimension, Map<string, Acc>>(DIMENSIONS.map((d) => [d, new Map()]));
  for (const { dimension, key, totals } of agg.groups) {
    // An unset feature or customer reads "(none)" (merged with one so named, as it always was).
    const name = (dimension === 'feature' || dimension === 'customer') && key === '' ? NONE : key;
    const map = by.get(dimension)!;
    let acc = map.get(name);
    if (!acc) map.set(name, (acc = new Acc()));
    acc.add(totals);
  }
  const customers = ranked(by.get('customer')!);
  const top = customers.slice(0, topCustomers);
  const rest = customers.slice(topCustomers);
  if (rest.length > 0) {
    const others = new Acc();
    for (const c of rest) others.add(c);
    top.push({
      name: `${OTHERS} (${rest.length} customers)`,
      costUsd: others.costUsd,
      requests: others.requests,
      inputTokens: others.inputTokens,
      outputTokens: others.outputTokens,
    });
  }
  const previous = context.previous.totalUsd;
  const total = agg.total.costUsd;
  const days = by.get('day')!;
  const unpricedModels = agg.unpriced.filter((u) => u.requests > 0).sort((a, b) => b.requests - a.requests);
  return {
    ...context,
    totalUsd: total,
    changeUsd: total.minus(previous),
    changePercent: previous.isZero() ? null : total.minus(previous).div(previous).times(100),
    requests: agg.total.requests,
    inputTokens: agg.total.inputTokens,
    outputTokens: agg.total.outputTokens,
    lineItems: agg.lineItems,
    byProject: ranked(by.get('project')!),
    byModel: ranked(by.get('model')!),
    byFeature: ranked(by.get('feature')!),
    byCustomer: top,
    customersTotal: customers.length,
    byEnvironment: ranked(by.get('environment')!),
    byDay: daysOf(context.month).map((day) => ({
      day,
      costUsd: days.get(day)?.costUsd ?? new Decimal(0),
      requests: days.get(day)?.requests ?? 0,
    })),
    unpriced: {
      requests: unpricedModels.reduce((n, u) => n + u.requests, 0),
      inputTokens: unpricedModels.reduce((n, u) => n + u.inputTokens, 0),
      outputTokens: unpricedModels.reduce((n, u) => n + u.outputTokens, 0),
      models: unpricedModels,
    },
  };
}

/** One line per recommendation, the same words in every format. */
export function savingsLines(
  savings: ReportSavings | null,
): { label: string; savingsUsd: Decimal | null; note: string }[] {
  if (!savings)
    return [
      { label: '—', savingsUsd: null, note: 'Savings recommendations could not be computed for this month.' },
    ];
  if (savings.items.length === 0)
    return [
      {
        label: '—',
        savingsUsd: null,
        note: `No recommendation: ${savings.none ?? 'nothing cheaper qualifies'}.`,
      },
    ];
  return savings.items.map((i) => ({
    label: `${i.feature}: ${i.source} → ${i.target}`,
    savingsUsd: i.savingsUsd,
    note: `${i.savingsPercent ? `${i.savingsPercent.toDecimalPlaces(1).toFixed(1)}% of the group, ` : ''}${i.movableShare
      .times(100)
      .toDecimalPlaces(0)
      .toFixed(0)}% of requests could move; quality: ${i.quality}`,
  }));
}

/** What the savings figures rest on, in one sentence. */
export function savingsBasis(savings: ReportSavings | null): string {
  return savings
    ? `What moving each feature's traffic to the cheapest model within ${savings.tolerance} points on ${savings.benchmark} would have saved this month (what-if simulation; tokens per request as observed).`
    : '';
}

/** Money for people: "$1,234.57". */
export function usd(d: Decimal): string {
  const fixed = d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
  const [int, frac] = fixed.replace('-', '').split('.') as [string, string];
  return `${d.isNegative() && !d.toDecimalPlaces(2).isZero() ? '-' : ''}$${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}
