import {
  budgetUsage,
  crossedThresholds,
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

/** Where a budget stands now. */
export interface BudgetStatusRecord extends BudgetUsage {
  budget: BudgetRecord;
  projectSlug: string | null;
  period: Period;
  resetsInDays: number;
  /** Thresholds (percent) reached in this period. */
  crossedThresholds: number[];
  history: BudgetPeriodSummary[];
}

/** The labels a budget's scope narrows spend by, as a spend request's filter. */
export function budgetSpendFilter(budget: BudgetRecord): Pick<SpendRequest, 'values' | 'tags'> {
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
    budget: BudgetRecord,
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

  /** Spend per local day of a period up to `now` (oldest first): the forecast's input. */
  async dailySpend(
    org: Pick<OrgScope, 'organizationId' | 'slug'>,
    budget: BudgetRecord,
    from: Date,
    to: Date,
  ): Promise<{ day: Date; costUsd: Decimal }[]> {
    const rows = await this.analytics.spend(
      { organizationId: org.organizationId, slug: org.slug, projectId: budget.projectId },
      { from, to, groupBy: ['DAY'], timeZone: budget.timeZone, limit: 10_000, ...budgetSpendFilter(budget) },
    );
    return rows.map((r) => ({ day: r.period!, costUsd: r.costUsd }));
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
      ...budgetUsage(spent, budget.amountUsd),
    };
  }
}
