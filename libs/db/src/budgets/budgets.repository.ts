import type { BudgetSpec } from '@tokenledger/budgeting';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import { isUuid } from '../accounts/scope';
import type { PrismaClient } from '../prisma';

/** A stored budget, money as a decimal. */
export interface BudgetRecord {
  id: string;
  organizationId: string;
  name: string;
  scopeKind: BudgetSpec['scope']['kind'];
  projectId: string | null;
  scopeKey: string | null;
  scopeValue: string | null;
  period: BudgetSpec['period'];
  periodDays: number | null;
  startsAt: Date;
  timeZone: string;
  amountUsd: Decimal;
  thresholds: number[];
  kind: BudgetSpec['kind'];
  createdAt: Date;
  updatedAt: Date;
}

type Row = Awaited<ReturnType<PrismaClient['budget']['findFirstOrThrow']>>;

function toRecord(row: Row): BudgetRecord {
  return {
    ...row,
    scopeKind: row.scopeKind as BudgetRecord['scopeKind'],
    period: row.period as BudgetRecord['period'],
    kind: row.kind as BudgetRecord['kind'],
    amountUsd: new Decimal(row.amountUsd.toString()),
  };
}

function fields(spec: BudgetSpec, projectId: string | null) {
  return {
    name: spec.name,
    scopeKind: spec.scope.kind,
    projectId,
    scopeKey: spec.scope.key,
    scopeValue: spec.scope.value,
    period: spec.period,
    periodDays: spec.periodDays,
    startsAt: spec.startsAt,
    timeZone: spec.timeZone,
    amountUsd: spec.amountUsd.toFixed(),
    thresholds: spec.thresholds,
    kind: spec.kind,
  };
}

/** Budgets, always within one organization. */
export class BudgetsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async list(organizationId: string): Promise<BudgetRecord[]> {
    const rows = await this.prisma.budget.findMany({
      where: { organizationId },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toRecord);
  }

  /** The budget of this organization, or NOT_FOUND (another organization's id is not found either). */
  async get(organizationId: string, id: string): Promise<BudgetRecord> {
    const row = isUuid(id) ? await this.prisma.budget.findFirst({ where: { id, organizationId } }) : null;
    if (!row) throw new TokenledgerError(ErrorCode.NotFound, `id: no budget "${id}"`);
    return toRecord(row);
  }

  async create(organizationId: string, spec: BudgetSpec, projectId: string | null): Promise<BudgetRecord> {
    return toRecord(
      await this.prisma.budget.create({ data: { organizationId, ...fields(spec, projectId) } }),
    );
  }

  async update(
    organizationId: string,
    id: string,
    spec: BudgetSpec,
    projectId: string | null,
  ): Promise<BudgetRecord> {
    await this.get(organizationId, id);
    return toRecord(await this.prisma.budget.update({ where: { id }, data: fields(spec, projectId) }));
  }

  async delete(organizationId: string, id: string): Promise<void> {
    await this.get(organizationId, id);
    await this.prisma.budget.delete({ where: { id } });
  }

  /** Organizations holding at least one budget (the scheduler's tick evaluates these). */
  async organizationsWithBudgets(): Promise<{ id: string; slug: string }[]> {
    return this.prisma.organization.findMany({
      where: { budgets: { some: {} } },
      select: { id: true, slug: true },
    });
  }
}
