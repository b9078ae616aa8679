import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import type { ReportJob } from '@tokenledger/contracts';
import {
  REPORT_STORAGE,
  ReportsRepository,
  Store,
  type ReportGenerator,
  type ReportStorage,
} from '@tokenledger/db';
import type { Job } from 'bullmq';
import { QueueProcessor } from '../queue-processor';

/** Consumes `{report}`: makes one report revision's file(s), reporting progress on the job. */
@Injectable()
export class ReportProcessor extends QueueProcessor<'report', { reportId: string; totalUsd: string | null }> {
  private readonly generator: ReportGenerator;

  constructor(
    @Inject(CONFIG) config: Config,
    store: Store,
    @Inject(REPORT_STORAGE) storage: ReportStorage,
    private readonly reports: ReportsRepository,
  ) {
    super(config, 'report', { concurrency: 1, lockDuration: 120_000 });
    this.generator = store.reportGenerator(storage);
  }

  async process(job: Job<ReportJob>): Promise<{ reportId: string; totalUsd: string | null }> {
    const report = await this.generator.generate(job.data.reportId, {
      onProgress: (percent) => void job.updateProgress(percent).catch(() => undefined),
    });
    this.logger.log(
      `report ${report.id} (${report.month} ${report.format} r${report.revision}): $${report.totalUsd?.toString()}, ${report.byteSize} bytes`,
    );
    return { reportId: report.id, totalUsd: report.totalUsd?.toString() ?? null };
  }

  protected async onFailedForGood(job: Job<ReportJob>, error: Error): Promise<void> {
    this.logger.error(`report ${job.data.reportId} failed: ${error.message}`);
    await this.reports.markFailed(job.data.reportId, error.message);
  }
}
