import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode, JOB_NAMES, TokenledgerError } from '@tokenledger/contracts';
import {
  ANALYTICS_STORE,
  createQueue,
  REPORT_STORAGE,
  ReportsRepository,
  within,
  type AnalyticsStore,
  type ReportRecord,
  type ReportStorage,
  type RollupState,
  type TypedQueue,
} from '@tokenledger/db';
import { isTimeZone, monthBounds, parseMonth, type ReportFormat } from '@tokenledger/reports';
import Decimal from 'decimal.js';
import type { Readable } from 'node:stream';
import type { OrgAccess } from '../access/principal';
import { QueueProvider } from '../queue/queue.provider';
import { Report, ReportFormatEnum } from './reports.model';

/** Reports as the API offers them: request (queue), list with staleness, files to download. */
@Injectable()
export class ReportsService implements OnApplicationShutdown {
  private readonly queue: TypedQueue<'report'>;

  constructor(
    private readonly reports: ReportsRepository,
    @Inject(ANALYTICS_STORE) private readonly analytics: AnalyticsStore,
    @Inject(REPORT_STORAGE) private readonly storage: ReportStorage,
    queues: QueueProvider,
  ) {
    this.queue = createQueue('report', queues.connection, { prefix: queues.config.QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  /** Reports cover the whole organization: a project-bound key sees only its project, so none. */
  private orgWide(access: OrgAccess): void {
    if (access.projectId)
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        'Reports cover the whole organization; a project-bound API key cannot read them',
      );
  }

  async request(access: OrgAccess, month: string, format: ReportFormat, by: string): Promise<Report> {
    this.orgWide(access);
    const m = parseMonth(month);
    if (!m)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `month: "${month}" is not a month such as 2026-10`,
      );
    const org = await this.reports.organization(access.organizationId);
    if (monthBounds(month, org.reportTimeZone).start > new Date())
      throw new TokenledgerError(ErrorCode.ValidationFailed, `month: ${month} has not started yet`);
    const report = await this.reports.createRevision({
      organizationId: access.organizationId,
      month,
      format,
      timeZone: org.reportTimeZone,
      trigger: 'manual',
      requestedBy: by,
    });
    try {
      await within(
        this.queue.add(
          JOB_NAMES.report,
          { organizationId: access.organizationId, reportId: report.id },
          {
            jobId: report.id,
            attempts: 3,
            backoff: { type: 'exponential', delay: 5000 },
            removeOnComplete: 1000,
          },
        ),
        3000,
        'Redis',
      );
    } catch (error) {
      await this.reports.markFailed(report.id, `could not be queued: ${(error as Error).message}`);
      throw new TokenledgerError(ErrorCode.ServiceUnavailable, 'The report queue is unavailable; try again');
    }
    return this.view(report);
  }

  async setTimeZone(access: OrgAccess, timeZone: string): Promise<string> {
    if (!isTimeZone(timeZone))
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `timeZone: "${timeZone}" is not an IANA time zone such as UTC or Europe/Paris`,
      );
    await this.reports.setTimeZone(access.organizationId, timeZone);
    return timeZone;
  }

  async list(
    access: OrgAccess,
    month: string | null | undefined,
    format: ReportFormat | null | undefined,
    first: number,
  ): Promise<Report[]> {
    this.orgWide(access);
    if (first < 1 || first > 200)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be between 1 and 200');
    if (month && !parseMonth(month))
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `month: "${month}" is not a month such as 2026-10`,
      );
    const rows = await this.reports.list(access.organizationId, { month, format }, first);
    // One state query per month and time zone, however many revisions and formats it has.
    const states = new Map<string, Promise<RollupState>>();
    return Promise.all(rows.map((r) => this.fresh(r, states).then((f) => this.view(f))));
  }

  async find(access: OrgAccess, id: string): Promise<Report | null> {
    this.orgWide(access);
    const report = await this.reports.find(access.organizationId, id);
    return report ? this.view(await this.fresh(report)) : null;
  }

  /** A ready report's file (or its summary file), streamed from the report storage. */
  async file(
    access: OrgAccess,
    id: string,
    which: 'report' | 'summary',
  ): Promise<{ stream: Readable; byteSize: number; fileName: string; contentType: string }> {
    this.orgWide(access);
    const report = await this.reports.find(access.organizationId, id);
    if (!report) throw new TokenledgerError(ErrorCode.NotFound, `id: no report "${id}"`);
    if (report.status !== 'ready')
      throw new TokenledgerError(ErrorCode.Conflict, `The report is ${report.status}, not ready yet`);
    const key = which === 'summary' ? report.summaryStorageKey : report.storageKey;
    const fileName = which === 'summary' ? report.summaryFileName : report.fileName;
    if (!key || !fileName)
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `file: this ${report.format} report has no ${which} file`,
      );
    const { stream, byteSize } = await this.storage.open(key).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `file: the file of report ${report.id} is missing from the report storage (REPORTS_DIR); request the month again`,
      );
    });
    return {
      stream,
      byteSize,
      fileName,
      contentType:
        which === 'summary' ? 'text/csv; charset=utf-8' : (report.contentType ?? 'application/octet-stream'),
    };
  }

  private async fresh(
    report: ReportRecord,
    states = new Map<string, Promise<RollupState>>(),
  ): Promise<ReportRecord> {
    if (report.status !== 'ready') return report;
    const key = `${report.month} ${report.timeZone}`;
    let state = states.get(key);
    if (!state) {
      state = this.analytics.reportRollupState(
        report.organizationId,
        monthBounds(report.month, report.timeZone),
      );
      states.set(key, state);
    }
    return this.reports.checkStale(report, await state);
  }

  private view(r: ReportRecord): Report {
    const ready = r.status === 'ready';
    return {
      id: r.id,
      month: r.month,
      format: r.format as ReportFormatEnum,
      revision: r.revision,
      trigger: r.trigger,
      timeZone: r.timeZone,
      status: r.status,
      progress: r.progress,
      fileName: r.fileName,
      contentType: r.contentType,
      byteSize: r.byteSize,
      summaryFileName: r.summaryFileName,
      downloadUrl: ready ? `/v1/reports/${r.id}/download` : null,
      summaryDownloadUrl: ready && r.summaryStorageKey ? `/v1/reports/${r.id}/download?file=summary` : null,
      totalUsd: r.totalUsd === null ? null : new Decimal(r.totalUsd.toString()),
      lineItems: r.lineItems,
      rateVersions: (
        r.rateVersions as {
          rateVersionId: string | null;
          table: string | null;
          version: number | null;
          events: number;
        }[]
      ).map((v) => ({
        rateVersionId: v.rateVersionId,
        table: v.table,
        version: v.version,
        events: v.events,
      })),
      stale: r.staleAt !== null,
      staleSince: r.staleAt,
      staleDifferenceUsd: r.staleDifferenceUsd === null ? null : new Decimal(r.staleDifferenceUsd.toString()),
      error: r.error,
      requestedBy: r.requestedBy,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    };
  }
}
