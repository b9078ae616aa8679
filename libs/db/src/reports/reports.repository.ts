import type { ReportFormat } from '@tokenledger/reports';
import Decimal from 'decimal.js';
import { isUuid } from '../accounts/scope';
import type { Prisma, PrismaClient } from '../prisma';
import type { MonthRange, RollupState } from './report-data';

export type ReportRecord = Prisma.ReportGetPayload<object>;

export interface NewReport {
  organizationId: string;
  month: string;
  format: ReportFormat;
  timeZone: string;
  trigger: 'manual' | 'scheduled';
  requestedBy: string | null;
}

/** What a finished report locked: its files, its total, and what it was made from. */
export interface ReportOutcome {
  fileName: string;
  contentType: string;
  storageKey: string;
  byteSize: number;
  summary?: { fileName: string; storageKey: string; byteSize: number };
  totalUsd: Decimal;
  lineItems: number;
  rateVersions: unknown[];
  rollupState: RollupState;
}

/** Prisma's unique-constraint error (checked by code: its class lives in the generated client). */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === 'P2002';

/** The Report table: revisions, their state while generated, and their month-end lock. */
export class ReportsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The next revision of (organization, month, format); a race for the same number retries. */
  async createRevision(input: NewReport): Promise<ReportRecord> {
    for (let attempt = 0; ; attempt++) {
      const last = await this.prisma.report.findFirst({
        where: { organizationId: input.organizationId, month: input.month, format: input.format },
        orderBy: { revision: 'desc' },
        select: { revision: true },
      });
      try {
        return await this.prisma.report.create({ data: { ...input, revision: (last?.revision ?? 0) + 1 } });
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * The scheduled report of a month: revision 1, created only if the month has no report of this
   * format yet. The unique key decides between racing workers: exactly one gets the row, the
   * others get null.
   */
  async createScheduled(input: Omit<NewReport, 'trigger' | 'requestedBy'>): Promise<ReportRecord | null> {
    const { count } = await this.prisma.report.createMany({
      data: [{ ...input, trigger: 'scheduled', requestedBy: 'schedule', revision: 1 }],
      skipDuplicates: true,
    });
    if (count === 0) return null;
    return this.prisma.report.findUnique({
      where: {
        organizationId_month_format_revision: {
          organizationId: input.organizationId,
          month: input.month,
          format: input.format,
          revision: 1,
        },
      },
    });
  }

  /** A report of this organization, or null (another organization's report is simply not found). */
  find(organizationId: string, id: string): Promise<ReportRecord | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.prisma.report.findFirst({ where: { id, organizationId } });
  }

  require(id: string): Promise<ReportRecord> {
    return this.prisma.report.findUniqueOrThrow({ where: { id } });
  }

  list(organizationId: string, filter: { month?: string | null; format?: string | null }, first: number) {
    return this.prisma.report.findMany({
      where: {
        organizationId,
        ...(filter.month ? { month: filter.month } : {}),
        ...(filter.format ? { format: filter.format } : {}),
      },
      orderBy: [{ month: 'desc' }, { format: 'asc' }, { revision: 'desc' }],
      take: first,
    });
  }

  async markRunning(id: string): Promise<void> {
    await this.prisma.report.update({
      where: { id },
      data: { status: 'running', progress: 0, startedAt: new Date(), error: null },
    });
  }

  async progress(id: string, percent: number): Promise<void> {
    await this.prisma.report.update({ where: { id }, data: { progress: Math.round(percent) } });
  }

  async markReady(id: string, o: ReportOutcome): Promise<ReportRecord> {
    return this.prisma.report.update({
      where: { id },
      data: {
        status: 'ready',
        progress: 100,
        fileName: o.fileName,
        contentType: o.contentType,
        storageKey: o.storageKey,
        byteSize: o.byteSize,
        summaryFileName: o.summary?.fileName ?? null,
        summaryStorageKey: o.summary?.storageKey ?? null,
        summaryByteSize: o.summary?.byteSize ?? null,
        totalUsd: o.totalUsd.toFixed(),
        lineItems: o.lineItems,
        rateVersions: o.rateVersions as Prisma.InputJsonValue,
        rollupState: o.rollupState as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
        staleAt: null,
        staleDifferenceUsd: null,
      },
    });
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.prisma.report.update({
      where: { id },
      data: { status: 'failed', error: error.slice(0, 2000), finishedAt: new Date() },
    });
  }

  /**
   * Compares a ready report's lock with the month's rollups as they are now: a reprice or a late
   * event since then marks it stale, with the difference in dollars (now − report). Recorded on
   * the row the first time it is seen (and updated while the month keeps changing).
   */
  async checkStale(report: ReportRecord, current: RollupState): Promise<ReportRecord> {
    if (report.status !== 'ready' || !report.rollupState || report.totalUsd === null) return report;
    const locked = report.rollupState as unknown as RollupState;
    const changed =
      locked.cells !== current.cells ||
      locked.updatedAt !== current.updatedAt ||
      !new Decimal(locked.totalUsd).equals(current.totalUsd);
    if (!changed) return report;
    const difference = new Decimal(current.totalUsd).minus(report.totalUsd.toString());
    if (
      report.staleAt &&
      report.staleDifferenceUsd &&
      difference.equals(report.staleDifferenceUsd.toString())
    )
      return report;
    return this.prisma.report.update({
      where: { id: report.id },
      data: { staleAt: report.staleAt ?? new Date(), staleDifferenceUsd: difference.toFixed() },
    });
  }

  /** The organization as a report names it. */
  organization(id: string) {
    return this.prisma.organization.findUniqueOrThrow({
      where: { id },
      select: { id: true, slug: true, name: true, reportTimeZone: true },
    });
  }

  /** Every organization, for the monthly schedule. */
  organizations() {
    return this.prisma.organization.findMany({
      select: { id: true, slug: true, reportTimeZone: true },
      orderBy: { slug: 'asc' },
    });
  }

  async setTimeZone(organizationId: string, timeZone: string): Promise<void> {
    await this.prisma.organization.update({
      where: { id: organizationId },
      data: { reportTimeZone: timeZone },
    });
  }

  /** Reprice runs of the organization whose range overlaps the month, newest first. */
  repriceRunsTouching(organizationId: string, range: MonthRange) {
    return this.prisma.repriceRun.findMany({
      where: {
        organizationId,
        since: { lt: range.end },
        OR: [{ until: null }, { until: { gt: range.start } }],
      },
      orderBy: { createdAt: 'desc' },
      take: 50,
    });
  }

  /** Table slug, number and start of rate versions, by id. */
  async rateVersionRefs(ids: string[]) {
    const versions = await this.prisma.rateTableVersion.findMany({
      where: { id: { in: ids } },
      select: { id: true, version: true, effectiveFrom: true, rateTable: { select: { slug: true } } },
    });
    return new Map(
      versions.map((v) => [
        v.id,
        { table: v.rateTable.slug, version: v.version, effectiveFrom: v.effectiveFrom },
      ]),
    );
  }
}
