import type { PrismaClient } from '../prisma';
import { isUuid } from '../accounts/scope';
import { createRepriceRun, type RepriceRequest } from './reprice-request';
import type { ModelKey } from './reprice-scope';

/** A rate version a run priced events with, and how many. */
export interface VersionUse {
  /** Null for events that stayed unpriced. */
  rateVersionId: string | null;
  events: number;
}

/** The audit trail of re-pricing: runs, and the events each changed with before and after. */
export class RepriceRunsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Records a run (status queued); the caller runs it or queues it for the worker. */
  create(request: RepriceRequest): Promise<string> {
    return createRepriceRun(this.prisma, request);
  }

  async list(organizationId: string, first: number) {
    const runs = await this.prisma.repriceRun.findMany({
      where: { organizationId },
      orderBy: { createdAt: 'desc' },
      take: first,
    });
    return runs.map(withVersions);
  }

  /** A run of this organization, or null (another organization's run is simply not found). */
  async find(organizationId: string, id: string) {
    if (!isUuid(id)) return null;
    const run = await this.prisma.repriceRun.findFirst({ where: { id, organizationId } });
    return run ? withVersions(run) : null;
  }

  async require(id: string) {
    return withVersions(await this.prisma.repriceRun.findUniqueOrThrow({ where: { id } }));
  }

  changes(runId: string, first: number) {
    return this.prisma.repriceChange.findMany({ where: { runId }, orderBy: { id: 'asc' }, take: first });
  }

  /** A run that could not be queued or failed for good; `finishedAt` when it had started. */
  async markFailed(id: string, error: string, finishedAt?: Date): Promise<void> {
    await this.prisma.repriceRun.update({
      where: { id },
      data: { status: 'failed', error, ...(finishedAt ? { finishedAt } : {}) },
    });
  }

  /** Organizations with events in the range (a reprice of "every organization"), by slug. */
  async organizationsWithEvents(since: Date, until: Date | null): Promise<{ id: string; slug: string }[]> {
    const ids = await this.prisma.usageEvent.findMany({
      where: { occurredAt: { gte: since, ...(until ? { lt: until } : {}) } },
      distinct: ['organizationId'],
      select: { organizationId: true },
    });
    return this.prisma.organization.findMany({
      where: { id: { in: ids.map((r) => r.organizationId) } },
      select: { id: true, slug: true },
      orderBy: { slug: 'asc' },
    });
  }
}

function withVersions<T extends { versionsUsed: unknown; models: unknown }>(
  run: T,
): Omit<T, 'versionsUsed' | 'models'> & { versionsUsed: VersionUse[]; models: ModelKey[] } {
  return { ...run, versionsUsed: run.versionsUsed as VersionUse[], models: run.models as ModelKey[] };
}
