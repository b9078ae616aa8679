import type { AlertsRepository, AlertRecord, DestinationRecord } from './alerts.repository';
import type { BudgetEvaluator, BudgetStatusRecord } from './budget-evaluator';
import type { BudgetStateCache, BudgetState } from './budget-cache';
import type { BudgetRecord, BudgetsRepository } from './budgets.repository';
import { SecretKeyError } from '../secret-box';
import { sendWebhook } from './webhook.sender';

export interface MonitorOptions {
  /** Attempts per delivery within one evaluation (backoff between them). */
  attempts?: number;
  baseDelayMs?: number;
  /** Evaluations that retry an undelivered alert before giving up on it. */
  maxRounds?: number;
}

export interface MonitorOutcome {
  budgets: number;
  alertsCreated: number;
  deliveries: number;
  /**
   * Why alerts could not be sent (the signing secrets could not be opened: TOKENLEDGER_SECRET_KEY
   * missing or changed); they stay pending, unclaimed, and go out once the key is right.
   */
  deliveryError?: string;
}

const EVENT: Record<AlertRecord['kind'], string> = {
  crossed: 'budget.threshold_crossed',
  forecast: 'budget.forecast_to_cross',
};

/** The JSON body of an alert (the Slack format wraps a sentence of it in `text`). */
export function alertPayload(
  org: { slug: string },
  budget: BudgetRecord,
  alert: AlertRecord,
  periodEnd: Date | null,
  format: DestinationRecord['format'],
): unknown {
  const body = {
    type: EVENT[alert.kind],
    id: alert.id,
    createdAt: alert.createdAt.toISOString(),
    organization: org.slug,
    budget: {
      id: budget.id,
      name: budget.name,
      kind: budget.kind,
      scope: { kind: budget.scopeKind, key: budget.scopeKey, value: budget.scopeValue },
      amountUsd: budget.amountUsd.toFixed(),
      period: budget.period,
    },
    period: { start: alert.periodStart.toISOString(), end: periodEnd?.toISOString() ?? null },
    threshold: alert.threshold,
    spentUsd: alert.spentUsd,
    projectedAt: alert.projectedAt?.toISOString() ?? null,
  };
  if (format === 'json') return body;
  const what =
    alert.kind === 'crossed'
      ? `reached ${alert.threshold}% ($${Number(alert.spentUsd).toFixed(2)} of $${budget.amountUsd.toFixed(2)})`
      : `is forecast to reach ${alert.threshold}% by ${alert.projectedAt?.toISOString().slice(0, 10)}`;
  return { text: `:warning: Budget "${budget.name}" (${org.slug}) ${what}.`, tokenledger: body };
}

/**
 * Evaluates an organization's budgets: records each threshold reached (once per period, by the
 * alerts' unique key), delivers new and still-undelivered alerts to every destination, and
 * refreshes the hard-budget cache the check endpoint reads. Safe to run on any number of workers.
 */
export class BudgetMonitor {
  constructor(
    private readonly budgets: BudgetsRepository,
    private readonly alerts: AlertsRepository,
    private readonly evaluator: BudgetEvaluator,
    private readonly cache: BudgetStateCache,
  ) {}

  /** Refreshes the hard-budget cache only (no alerts): after a budget is created, changed or deleted. */
  refresh(org: { id: string; slug: string }, now: Date): Promise<void> {
    return refreshBudgetStates(this.budgets, this.evaluator, this.cache, org, now);
  }

  async evaluate(
    org: { id: string; slug: string },
    now: Date,
    options: MonitorOptions = {},
  ): Promise<MonitorOutcome> {
    const budgets = await this.budgets.list(org.id);
    const scope = { organizationId: org.id, slug: org.slug };
    const statuses: BudgetStatusRecord[] = [];
    let alertsCreated = 0;
    for (const budget of budgets) {
      const status = await this.evaluator.status(scope, budget, now);
      statuses.push(status);
      for (const threshold of status.crossedThresholds) {
        const created = await this.alerts.record({
          budgetId: budget.id,
          periodStart: status.period.start,
          threshold,
          kind: 'crossed',
          spentUsd: status.spentUsd.toFixed(),
          projectedAt: null,
        });
        if (created) alertsCreated++;
      }
      // Forecast to cross: once per period, while the amount is not reached yet.
      if (
        !status.exceeded &&
        status.projectedCrossingAt &&
        status.forecast.expectedUsd.gte(budget.amountUsd)
      ) {
        const created = await this.alerts.record({
          budgetId: budget.id,
          periodStart: status.period.start,
          threshold: 100,
          kind: 'forecast',
          spentUsd: status.spentUsd.toFixed(),
          projectedAt: status.projectedCrossingAt,
        });
        if (created) alertsCreated++;
      }
    }
    await writeStates(this.cache, org.id, statuses);

    let deliveries = 0;
    const pending = await this.alerts.undelivered(org.id, options.maxRounds ?? 5, now);
    if (pending.length > 0) {
      let destinations: Awaited<ReturnType<AlertsRepository['destinationsWithSecrets']>>;
      try {
        destinations = await this.alerts.destinationsWithSecrets(org.id);
      } catch (error) {
        // Budgets were evaluated and the hard-budget cache written; only sending waits for the key.
        if (error instanceof SecretKeyError)
          return { budgets: budgets.length, alertsCreated, deliveries, deliveryError: error.message };
        throw error;
      }
      const byId = new Map(budgets.map((b) => [b.id, b]));
      const ends = new Map(statuses.map((s) => [`${s.budget.id}/${s.period.start.getTime()}`, s.period.end]));
      for (const alert of pending) {
        const budget = byId.get(alert.budgetId);
        if (!budget || !(await this.alerts.claim(alert, now))) continue;
        let delivered = true;
        for (const d of destinations) {
          const periodEnd = ends.get(`${budget.id}/${alert.periodStart.getTime()}`) ?? null;
          const event = EVENT[alert.kind];
          const ok = await sendWebhook(d, event, alertPayload(org, budget, alert, periodEnd, d.format), {
            attempts: options.attempts,
            baseDelayMs: options.baseDelayMs,
            onAttempt: (a) =>
              this.alerts.logDelivery({ destinationId: d.id, alertId: alert.id, event, ...a }),
          });
          deliveries++;
          delivered &&= ok;
        }
        await this.alerts.markAttempt(alert.id, delivered, now);
      }
    }
    return { budgets: budgets.length, alertsCreated, deliveries };
  }
}

/** The budgets' state, written to the cache (also right after a budget changes, by the API). */
export async function refreshBudgetStates(
  budgets: BudgetsRepository,
  evaluator: BudgetEvaluator,
  cache: BudgetStateCache,
  org: { id: string; slug: string },
  now: Date,
): Promise<void> {
  const all = await budgets.list(org.id);
  const scope = { organizationId: org.id, slug: org.slug };
  const statuses = await Promise.all(all.map((b) => evaluator.status(scope, b, now)));
  await writeStates(cache, org.id, statuses);
}

async function writeStates(cache: BudgetStateCache, organizationId: string, statuses: BudgetStatusRecord[]) {
  if (statuses.length === 0) await cache.clear(organizationId);
  else await cache.write(organizationId, statuses.map(budgetState));
}

function budgetState(s: BudgetStatusRecord): BudgetState {
  return {
    id: s.budget.id,
    name: s.budget.name,
    kind: s.budget.kind,
    scopeKind: s.budget.scopeKind,
    projectId: s.budget.projectId,
    scopeKey: s.budget.scopeKey,
    scopeValue: s.budget.scopeValue,
    amountUsd: s.budget.amountUsd.toFixed(),
    spentUsd: s.spentUsd.toFixed(),
    periodEnd: s.period.end.toISOString(),
    exceeded: s.exceeded,
  };
}
