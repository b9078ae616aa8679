import {
  budgetUsage,
  crossedThresholds,
  crossingDay,
  forecastDays,
  localDays,
  runRateForecast,
  periodAt,
  previousPeriods,
  resetsInDays,
  type BudgetUsage,
  type Period,
} from '@tokenledger/budgeting';
import Decimal from 'decimal.js';
import type { ProjectsRepository } from '../accounts/projects.repository';
import type { OrgScope } from '../accounts/scope';
import type { SpendRequest } from '../spend/spend.repository';
import type { AnalyticsStore } from '../store/analytics-store';
import type { BudgetRecord } from './budgets.repository';

/** One past period of a budget: what it spent by its end, and whether that crossed the amount. */
export interface BudgetPeriodSummary extends Period {
  spentUsd: Decimal;
  crossed: boolean;
}

/** Where spend is heading by the end of a period. */
export interface PeriodForecast {
  spentUsd: Decimal;
  /** Expected spend at the end of the period, and an 80% range. */
  expectedUsd: Decimal;
  lowUsd: Decimal;
  highUsd: Decimal;
  /** The naive run rate (spend so far ÷ days elapsed × days in the period), for comparison. */
  runRateUsd: Decimal;
}

/** What a forecast needs of a budget: its scope and its zone. */
export type ForecastScope = Pick<
  BudgetRecord,
  'projectId' | 'scopeKind' | 'scopeKey' | 'scopeValue' | 'timeZone'
>;

/** Days of history before the period that the weekly rhythm and trend are learned from. */
export const FORECAST_HISTORY_DAYS = 56;

/** Where a budget stands now. */
export interface BudgetStatusRecord extends BudgetUsage {
  budget: BudgetRecord;
  projectSlug: string | null;
  period: Period;
  resetsInDays: number;
  /** Thresholds (percent) reached in this period. */
  crossedThresholds: number[];
  history: BudgetPeriodSummary[];
  forecast: PeriodForecast;
  /** The local day spend is forecast to reach the amount on (null: not this period; already crossed: now). */
  projectedCrossingAt: Date | null;
}

/** The labels a budget's scope narrows spend by, as a spend request's filter. */
export function budgetSpendFilter(
  budget: ForecastScope,
): Pick<SpendRequest, 'values' | 'tags' | 'apiKeyIds'> {
  const v = budget.scopeValue ?? '';
  switch (budget.scopeKind) {
    case 'feature':
      return { values: { feature: [v] } };
    case 'customer':
      return { values: { customer: [v] } };
    case 'environment':
      return { values: { environment: [v] } };
    case 'model':
      return { values: { model: [v] } };
    case 'tag':
      return { tags: [{ key: budget.scopeKey ?? '', value: v }] };
    case 'api_key':
      // The usage the key sent (api_key_rollups): events with no key recorded never count.
      return { apiKeyIds: [v] };
    default:
      return {};
  }
}

/**
 * Budget arithmetic over the store: a budget's spend in any of its periods comes from the rollups
 * (so a period "resets" by construction: the next period simply sums other hours), and past
 * periods are recomputed the same way. Spend is bucketed by UTC hour: in zones with a half-hour
 * offset a period's first hour is counted whole.
 */
export class BudgetEvaluator {
  constructor(
    private readonly analytics: AnalyticsStore,
    private readonly projects: ProjectsRepository,
  ) {}

  async spend(
    org: Pick<OrgScope, 'organizationId' | 'slug'>,
    budget: ForecastScope,
    period: Period,
  ): Promise<Decimal> {
    const rows = await this.analytics.spend(
      { organizationId: org.organizationId, slug: org.slug, projectId: budget.projectId },
      {
        from: period.start,
        to: period.end,
        groupBy: [],
        timeZone: 'UTC',
        limit: 1,
        ...budgetSpendFilter(budget),
      },
    );
    return rows[0]?.costUsd ?? new Decimal(0);
  }

  /**
   * Month-end (period-end) spend: the weekly rhythm and trend of the last weeks' daily spend
   * blended with the period's mean so far (libs/budgeting forecastDays), today's spend so far
   * counted, the rest of today and the days after forecast. Also returns the forecast of each day ahead (today first) for crossing dates.
   */
  async forecast(
    org: Pick<OrgScope, 'organizationId' | 'slug'>,
    scope: ForecastScope,
    period: Period,
    now: Date,
  ): Promise<PeriodForecast & { ahead: { start: Date; usd: number }[] }> {
    const tz = scope.timeZone;
    const end = new Date(Math.min(now.getTime(), period.end.getTime()));
    const from = new Date(period.start.getTime() - FORECAST_HISTORY_DAYS * 86_400_000);
    const days = localDays(from, period.end, tz);
    const rows = await this.analytics.spend(
      { organizationId: org.organizationId, slug: org.slug, projectId: scope.projectId },
      {
        from: days[0]?.start ?? from,
        to: new Date(Math.max(end.getTime(), (days[0]?.start ?? from).getTime() + 1)),
        groupBy: ['DAY'],
        timeZone: tz,
        limit: 10_000,
        ...budgetSpendFilter(scope),
      },
    );
    const byDay = new Map(rows.map((r) => [r.period!.getTime(), r.costUsd]));
    const past = days.filter(
      (d) => d.start.getTime() + 1 <= end.getTime() && periodEnd(days, d) <= end.getTime(),
    );
    const today = days.find((d) => d.start.getTime() <= end.getTime() && periodEnd(days, d) > end.getTime());
    const ahead = days.filter(
      (d) => d.start.getTime() >= (today ?? { start: end }).start.getTime() && d.start < period.end,
    );
    const series = past.map((d) => Number(byDay.get(d.start.getTime()) ?? 0));
    const spentToday = today ? Number(byDay.get(today.start.getTime()) ?? 0) : 0;
    const f = forecastDays(
      series,
      past.map((d) => d.weekday),
      ahead.map((d) => d.weekday),
      undefined,
      past.filter((d) => d.start.getTime() >= period.start.getTime()).length,
    );
    const aheadUsd = f.days.map((usd, i) => (i === 0 && today ? Math.max(0, usd - spentToday) : usd));
    const inPeriod = (t: number) => t >= period.start.getTime() && t < period.end.getTime();
    let spent = new Decimal(0);
    for (const [t, usd] of byDay) if (inPeriod(t)) spent = spent.plus(usd);
    const remaining = aheadUsd.reduce((a, b) => a + b, 0);
    const spread = (f.high - f.total) * (f.total > 0 ? remaining / f.total : 1);
    const elapsedDays = Math.max((end.getTime() - period.start.getTime()) / 86_400_000, 1 / 24);
    const periodDays = (period.end.getTime() - period.start.getTime()) / 86_400_000;
    const cents = (x: number) => new Decimal(Math.max(0, x).toFixed(2));
    return {
      spentUsd: spent,
      expectedUsd: spent.plus(cents(remaining)),
      lowUsd: spent.plus(cents(remaining - spread)),
      highUsd: spent.plus(cents(remaining + spread)),
      runRateUsd: cents(runRateForecast(spent.toNumber(), elapsedDays, periodDays)),
      ahead: ahead.map((d, i) => ({ start: d.start, usd: aheadUsd[i]! })),
    };
  }

  async status(
    org: Pick<OrgScope, 'organizationId' | 'slug'>,
    budget: BudgetRecord,
    now: Date,
    historyPeriods = 0,
  ): Promise<BudgetStatusRecord> {
    const period = periodAt(budget, now);
    const spent = await this.spend(org, budget, period);
    const history = await Promise.all(
      previousPeriods(budget, now, historyPeriods).map(async (p) => {
        const s = await this.spend(org, budget, p);
        return { ...p, spentUsd: s, crossed: s.gte(budget.amountUsd) };
      }),
    );
    const forecast = await this.forecast(org, budget, period, now);
    const day = crossingDay(
      spent.toNumber(),
      forecast.ahead.map((d) => d.usd),
      budget.amountUsd.toNumber(),
    );
    const projectSlug = budget.projectId
      ? ((await this.projects.findById(budget.projectId))?.slug ?? null)
      : null;
    return {
      budget,
      projectSlug,
      period,
      resetsInDays: resetsInDays(period, now),
      crossedThresholds: crossedThresholds(budget.thresholds, spent, budget.amountUsd),
      history,
      forecast,
      projectedCrossingAt:
        day === null ? null : spent.gte(budget.amountUsd) ? now : forecast.ahead[day]!.start,
      ...budgetUsage(spent, budget.amountUsd),
    };
  }
}

/** When a local day ends: the next day's start (or a day after the last one listed). */
function periodEnd(days: readonly { start: Date }[], day: { start: Date }): number {
  const i = days.indexOf(day);
  return i + 1 < days.length ? days[i + 1]!.start.getTime() : day.start.getTime() + 86_400_000;
}
