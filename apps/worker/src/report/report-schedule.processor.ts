import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { JOB_NAMES, type MonthlyReportsJob } from '@tokenledger/contracts';
import { createQueue, createRedis, ReportsRepository, type TypedQueue } from '@tokenledger/db';
import { isReportFormat, monthBefore, type ReportFormat } from '@tokenledger/reports';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueProcessor } from '../queue-processor';

export const MONTHLY_REPORTS_SCHEDULER_ID = 'monthly-reports';

/**
 * The monthly schedule: a BullMQ job scheduler (REPORT_SCHEDULE, in REPORT_SCHEDULE_TZ) ticks
 * `{report-schedule}`; each tick creates last month's report of each configured format for every
 * organization and queues it. Creation goes through a unique key, so two workers, or two ticks,
 * still make each organization's report once.
 */
@Injectable()
export class ReportScheduleProcessor
  extends QueueProcessor<'reportSchedule', { created: number }>
  implements OnApplicationBootstrap
{
  private readonly formats: ReportFormat[];
  private producer?: Redis;
  private reportQueue?: TypedQueue<'report'>;
  private scheduleQueue?: TypedQueue<'reportSchedule'>;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly reports: ReportsRepository,
  ) {
    super(config, 'reportSchedule', { concurrency: 1 });
    this.formats =
      config.REPORT_SCHEDULE_FORMATS === 'none'
        ? []
        : config.REPORT_SCHEDULE_FORMATS.split(',')
            .map((f) => f.trim())
            .filter(isReportFormat);
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    this.producer = createRedis(this.config.REDIS_URL).on('error', () => undefined);
    this.reportQueue = createQueue('report', this.producer, { prefix: this.config.QUEUE_PREFIX });
    this.scheduleQueue = createQueue('reportSchedule', this.producer, { prefix: this.config.QUEUE_PREFIX });
    // Every worker upserts the same scheduler id: one schedule, whatever the number of workers.
    const upsert =
      this.formats.length === 0
        ? this.scheduleQueue.removeJobScheduler(MONTHLY_REPORTS_SCHEDULER_ID)
        : this.scheduleQueue.upsertJobScheduler(
            // BullMQ types the scheduler id as a job name; it is any string.
            MONTHLY_REPORTS_SCHEDULER_ID as typeof JOB_NAMES.reportSchedule,
            { pattern: this.config.REPORT_SCHEDULE, tz: this.config.REPORT_SCHEDULE_TZ },
            {
              name: JOB_NAMES.reportSchedule,
              data: { month: null },
              opts: { removeOnComplete: 50, removeOnFail: 50 },
            },
          );
    void upsert.catch((error: Error) =>
      this.logger.warn(`could not set the monthly report schedule: ${error.message}`),
    );
  }

  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    await Promise.allSettled([this.reportQueue?.close(), this.scheduleQueue?.close()]);
    this.producer?.disconnect();
  }

  async process(job: Job<MonthlyReportsJob>): Promise<{ created: number }> {
    const tick = new Date(job.timestamp);
    let created = 0;
    for (const org of await this.reports.organizations()) {
      const month = job.data.month ?? monthBefore(tick, org.reportTimeZone);
      for (const format of this.formats) {
        const report = await this.reports.createScheduled({
          organizationId: org.id,
          month,
          format,
          timeZone: org.reportTimeZone,
        });
        if (!report) continue;
        created++;
        await this.reportQueue!.add(
          JOB_NAMES.report,
          { organizationId: org.id, reportId: report.id },
          {
            jobId: report.id,
            attempts: 3,
            backoff: { type: 'exponential', delay: 5000 },
            removeOnComplete: 1000,
          },
        );
      }
    }
    if (created > 0) this.logger.log(`monthly reports: ${created} queued`);
    return { created };
  }

  protected async onFailedForGood(_job: Job<MonthlyReportsJob>, error: Error): Promise<void> {
    this.logger.error(`the monthly report schedule failed: ${error.message}`);
    return Promise.resolve();
  }
}
