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
  /** Each provider whose usage or cost report was imported for the month (docs/RECONCILIATION.md). */
  reconciliation?: ReconciliationBrief[];
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
  /**
   * The top savings recommendations with their quality basis. Not available yet: they come from
   * the what-if simulation (issue "What-if savings"), which has not landed. Always null until it
   * does; every format says so rather than showing an empty or invented list.
   */
  savings: null;
}

export const NONE = '(none)';
export const OTHERS = 'others';

class Acc {
  costUsd = new Decimal(0);
  requests = 0;
  inputTokens = 0;
  outputTokens = 0;
  add(item: LineItem): void {
    this.costUsd = this.costUsd.plus(item.costUsd);
    this.requests += item.requests;
    this.inputTokens += item.inputTokens;
    this.outputTokens += item.outputTokens;
  }
}

function ranked(map: Map<string, Acc>): Breakdown[] {
  return [...map.entries()]
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

/**
 * Accumulates the summary while the line items stream past (memory grows with the number of
 * projects, models, features and customers, never with the number of line items).
 */
export class SummaryBuilder {
  private total = new Decimal(0);
  private requests = 0;
  private inputTokens = 0;
  private outputTokens = 0;
  private count = 0;
  private readonly projects = new Map<string, Acc>();
  private readonly models = new Map<string, Acc>();
  private readonly features = new Map<string, Acc>();
  private readonly customers = new Map<string, Acc>();
  private readonly environments = new Map<string, Acc>();
  private readonly days = new Map<string, Acc>();
  private readonly unpriced = new Map<string, UnpricedModel>();

  constructor(private readonly topCustomers = 10) {}

  add(item: LineItem): void {
    this.count++;
    this.total = this.total.plus(item.costUsd);
    this.requests += item.requests;
    this.inputTokens += item.inputTokens;
    this.outputTokens += item.outputTokens;
    const bump = (map: Map<string, Acc>, key: string) => {
      let acc = map.get(key);
      if (!acc) map.set(key, (acc = new Acc()));
      acc.add(item);
    };
    bump(this.projects, item.project);
    bump(this.models, `${item.provider} / ${item.model}`);
    bump(this.features, item.feature || NONE);
    bump(this.customers, item.customer || NONE);
    bump(this.environments, item.environment);
    bump(this.days, item.day);
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

  build(context: ReportContext): ReportSummary {
    const customers = ranked(this.customers);
    const top = customers.slice(0, this.topCustomers);
    const rest = customers.slice(this.topCustomers);
    if (rest.length > 0) {
      const others = new Acc();
      for (const c of rest) {
        others.costUsd = others.costUsd.plus(c.costUsd);
        others.requests += c.requests;
        others.inputTokens += c.inputTokens;
        others.outputTokens += c.outputTokens;
      }
      top.push({ name: `${OTHERS} (${rest.length} customers)`, ...others });
    }
    const previous = context.previous.totalUsd;
    const unpricedModels = [...this.unpriced.values()].sort((a, b) => b.requests - a.requests);
    return {
      ...context,
      totalUsd: this.total,
      changeUsd: this.total.minus(previous),
      changePercent: previous.isZero() ? null : this.total.minus(previous).div(previous).times(100),
      requests: this.requests,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      lineItems: this.count,
      byProject: ranked(this.projects),
      byModel: ranked(this.models),
      byFeature: ranked(this.features),
      byCustomer: top,
      customersTotal: customers.length,
      byEnvironment: ranked(this.environments),
      byDay: daysOf(context.month).map((day) => ({
        day,
        costUsd: this.days.get(day)?.costUsd ?? new Decimal(0),
        requests: this.days.get(day)?.requests ?? 0,
      })),
      unpriced: {
        requests: unpricedModels.reduce((n, u) => n + u.requests, 0),
        inputTokens: unpricedModels.reduce((n, u) => n + u.inputTokens, 0),
        outputTokens: unpricedModels.reduce((n, u) => n + u.outputTokens, 0),
        models: unpricedModels,
      },
      savings: null,
    };
  }
}

/** The words every format uses where the savings recommendations will go. */
export const SAVINGS_PENDING =
  'Savings recommendations: not available yet (they come from the what-if simulation, which is not built).';

/** Money for people: "$1,234.57". */
export function usd(d: Decimal): string {
  const fixed = d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
  const [int, frac] = fixed.replace('-', '').split('.') as [string, string];
  return `${d.isNegative() && !d.toDecimalPlaces(2).isZero() ? '-' : ''}$${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}
