import { Injectable } from '@nestjs/common';
import {
  checkBudget,
  isTimeZone,
  periodAt,
  type BudgetDraft,
  type BudgetSpec,
  type Period,
} from '@tokenledger/budgeting';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import {
  AlertsRepository,
  ApiKeyRepository,
  BudgetEvaluator,
  BudgetMonitor,
  BudgetsRepository,
  ProjectsRepository,
  SecretKeyError,
  alertPayload,
  resolveBudgetScope,
  sendWebhook,
  type BudgetRecord,
  type BudgetStatusRecord,
  type DestinationFormat,
  type PeriodForecast,
} from '@tokenledger/db';
import Decimal from 'decimal.js';
import type { OrgAccess } from '../access/principal';
import type { AlertDestinationInput, BudgetInput } from './dto/budget.input';
import type {
  AlertDelivery,
  Budget,
  BudgetStatus,
  CreatedAlertDestination,
  SpendForecast,
} from './models/budget.model';

export const MAX_HISTORY_PERIODS = 24;

/** Budgets, their status and alert destinations: GraphQL over the repositories in libs/db. */
@Injectable()
export class BudgetsService {
  constructor(
    private readonly budgets: BudgetsRepository,
    private readonly projects: ProjectsRepository,
    private readonly evaluator: BudgetEvaluator,
    private readonly alerts: AlertsRepository,
    private readonly monitor: BudgetMonitor,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  async list(access: OrgAccess): Promise<Budget[]> {
    const budgets = await this.budgets.list(access.organizationId);
    const slugs = await this.projects.slugsById(access.organizationId);
    return budgets.map((b) => toBudget(b, b.projectId ? (slugs.get(b.projectId) ?? null) : null));
  }

  async create(access: OrgAccess, input: BudgetInput): Promise<Budget> {
    const now = new Date();
    const spec = checkBudget(draft(input), now);
    const { projectId } = await this.scopeOf(access, spec);
    const budget = await this.budgets.create(access.organizationId, spec, projectId);
    await this.refresh(access, now);
    return toBudget(budget, spec.scope.project);
  }

  async update(access: OrgAccess, id: string, input: BudgetInput): Promise<Budget> {
    const existing = await this.budgets.get(access.organizationId, id);
    const now = new Date();
    const spec = checkBudget(draft(input), existing.createdAt);
    const { projectId } = await this.scopeOf(access, spec);
    const budget = await this.budgets.update(access.organizationId, id, spec, projectId);
    await this.refresh(access, now);
    return toBudget(budget, spec.scope.project);
  }

  async delete(access: OrgAccess, id: string): Promise<boolean> {
    await this.budgets.delete(access.organizationId, id);
    await this.refresh(access, new Date());
    return true;
  }

  async status(access: OrgAccess, id: string, history: number): Promise<BudgetStatus> {
    if (!Number.isInteger(history) || history < 0 || history > MAX_HISTORY_PERIODS)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `history: must be from 0 to ${MAX_HISTORY_PERIODS}`,
      );
    const budget = await this.budgets.get(access.organizationId, id);
    return toStatus(await this.evaluator.status(access, budget, new Date(), history));
  }

  /** Month-end spend of the organization, or of one project, for the current or a coming month. */
  async forecast(
    access: OrgAccess,
    month: string,
    project: string | null,
    timeZone: string,
  ): Promise<SpendForecast> {
    const m = /^(\d{4})-(\d{2})$/.exec(month);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'month: must be YYYY-MM');
    if (!isTimeZone(timeZone))
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `timeZone: "${timeZone}" is not an IANA time zone`,
      );
    const projectId = project ? await this.projectOf(access, project, 'project') : access.projectId;
    const now = new Date();
    const rule = { period: 'month' as const, timeZone, startsAt: now };
    const period = periodAt(rule, new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 15)));
    if (period.end <= now)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        'month: must be the current month or a later one',
      );
    const f = await this.evaluator.forecast(
      access,
      {
        projectId,
        scopeKind: projectId ? 'project' : 'organization',
        scopeKey: null,
        scopeValue: null,
        timeZone,
      },
      period,
      period.start > now ? period.start : now,
    );
    return toForecast(f, period, month);
  }

  alertsOf(access: OrgAccess, budgetId: string | null, first: number) {
    return this.alerts
      .alerts(access.organizationId, budgetId, clampFirst(first))
      .then((rows) => rows.map((a) => ({ ...a, spentUsd: a.spentUsd })));
  }

  destinations(access: OrgAccess) {
    return this.alerts.destinations(access.organizationId);
  }

  async createDestination(access: OrgAccess, input: AlertDestinationInput): Promise<CreatedAlertDestination> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must be 1 to 200 characters');
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'url: is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'url: must be http or https');
    if (input.url.length > 2000)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'url: at most 2000 characters');
    const format = (input.format ?? 'json') as DestinationFormat;
    if (format !== 'json' && format !== 'slack')
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'format: must be json or slack');
    return withSecretKey(() =>
      this.alerts.createDestination(access.organizationId, { name, url: url.toString(), format }),
    );
  }

  async deleteDestination(access: OrgAccess, id: string): Promise<boolean> {
    await this.alerts.deleteDestination(access.organizationId, id);
    return true;
  }

  deliveries(access: OrgAccess, destinationId: string | null, first: number) {
    return this.alerts.deliveries(access.organizationId, destinationId, clampFirst(first));
  }

  /** "Send test": one signed message to the destination, logged like any delivery. */
  async sendTest(access: OrgAccess, id: string): Promise<AlertDelivery> {
    const d = await withSecretKey(() => this.alerts.destination(access.organizationId, id));
    const now = new Date();
    const sample: BudgetRecord = {
      id: '00000000-0000-0000-0000-000000000000',
      organizationId: access.organizationId,
      name: 'Test budget',
      scopeKind: 'organization',
      projectId: null,
      scopeKey: null,
      scopeValue: null,
      period: 'month',
      periodDays: null,
      startsAt: now,
      timeZone: 'UTC',
      amountUsd: new Decimal(100),
      thresholds: [80],
      kind: 'soft',
      createdAt: now,
      updatedAt: now,
    };
    const body = alertPayload(
      access,
      sample,
      {
        id: 'test',
        budgetId: sample.id,
        periodStart: now,
        threshold: 80,
        kind: 'crossed',
        spentUsd: '80',
        projectedAt: null,
        status: 'pending',
        attempts: 0,
        createdAt: now,
      },
      null,
      d.format,
    );
    const payload = d.format === 'json' ? { ...(body as object), type: 'test' } : body;
    let last: AlertDelivery | null = null;
    await sendWebhook(d, 'test', payload, {
      attempts: 1,
      onAttempt: async (a) => {
        await this.alerts.logDelivery({ destinationId: d.id, alertId: null, event: 'test', ...a });
        last = { id: '', destinationId: d.id, alertId: null, event: 'test', ...a, createdAt: new Date() };
      },
    });
    const [logged] = await this.alerts.deliveries(access.organizationId, d.id, 1);
    return logged ?? last!;
  }

  /** The project or API key the scope names, within the caller's organization (VALIDATION_FAILED otherwise). */
  private scopeOf(access: OrgAccess, spec: BudgetSpec): Promise<{ projectId: string | null }> {
    return resolveBudgetScope({ projects: this.projects, apiKeys: this.apiKeys }, access, spec.scope);
  }

  private async projectOf(access: OrgAccess, slug: string | null, field: string): Promise<string | null> {
    if (!slug) return null;
    const project = await this.projects.findBySlug(access.organizationId, slug);
    if (!project || (access.projectId && project.id !== access.projectId))
      throw new TokenledgerError(ErrorCode.ValidationFailed, `${field}: no project "${slug}"`);
    return project.id;
  }

  private refresh(access: OrgAccess, now: Date): Promise<void> {
    return this.monitor.refresh({ id: access.organizationId, slug: access.slug }, now);
  }
}

function clampFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > 500)
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be from 1 to 500');
  return first;
}

function draft(input: BudgetInput): BudgetDraft {
  return { ...input, scope: { ...input.scope, kind: input.scope.kind as BudgetDraft['scope']['kind'] } };
}

function toBudget(b: BudgetRecord, projectSlug: string | null): Budget {
  return {
    id: b.id,
    name: b.name,
    scope: { kind: b.scopeKind, project: projectSlug, key: b.scopeKey, value: b.scopeValue },
    amountUsd: b.amountUsd,
    period: b.period,
    periodDays: b.periodDays,
    startsAt: b.startsAt,
    timeZone: b.timeZone,
    thresholds: b.thresholds,
    kind: b.kind,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}

function toStatus(s: BudgetStatusRecord): BudgetStatus {
  return {
    budget: toBudget(s.budget, s.projectSlug),
    periodStart: s.period.start,
    periodEnd: s.period.end,
    spentUsd: s.spentUsd,
    remainingUsd: s.remainingUsd,
    percentUsed: s.percentUsed,
    exceeded: s.exceeded,
    resetsInDays: s.resetsInDays,
    crossedThresholds: s.crossedThresholds,
    history: s.history.map((h) => ({ start: h.start, end: h.end, spentUsd: h.spentUsd, crossed: h.crossed })),
    forecast: toForecast(s.forecast, s.period, null),
    projectedCrossingAt: s.projectedCrossingAt,
  };
}

function toForecast(f: PeriodForecast, period: Period, month: string | null): SpendForecast {
  return {
    month,
    periodStart: period.start,
    periodEnd: period.end,
    spentUsd: f.spentUsd,
    expectedUsd: f.expectedUsd,
    lowUsd: f.lowUsd,
    highUsd: f.highUsd,
    runRateUsd: f.runRateUsd,
  };
}

/** A secret that cannot be sealed or opened (TOKENLEDGER_SECRET_KEY missing or changed): SERVICE_UNAVAILABLE naming it. */
async function withSecretKey<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SecretKeyError)
      throw new TokenledgerError(ErrorCode.ServiceUnavailable, error.message);
    throw error;
  }
}
