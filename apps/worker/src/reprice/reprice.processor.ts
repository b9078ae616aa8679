import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import type { RepriceJob } from '@tokenledger/contracts';
import {
  ANALYTICS_STORE,
  RepriceRunsRepository,
  type AnalyticsStore,
  type RepriceOutcome,
} from '@tokenledger/db';
import type { Job } from 'bullmq';
import { QueueProcessor } from '../queue-processor';
import { PRICER_SOURCE, type PricerSource } from '../tokens';

/** Consumes `{reprice}`: one run at a time, with a pricer built from the catalog as it is now. */
@Injectable()
export class RepriceProcessor extends QueueProcessor<'reprice', RepriceOutcome> {
  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(ANALYTICS_STORE) private readonly store: AnalyticsStore,
    @Inject(PRICER_SOURCE) private readonly pricers: PricerSource,
    private readonly runs: RepriceRunsRepository,
  ) {
    super(config, 'reprice', { concurrency: 1, lockDuration: 60_000 });
  }

  async process(job: Job<RepriceJob>): Promise<RepriceOutcome> {
    const pricer = await this.pricers.fresh();
    const outcome = await this.store.reprice(pricer, job.data.repriceRunId);
    this.logger.log(
      `reprice run ${job.data.repriceRunId}: ${outcome.eventsChanged} of ${outcome.eventsScanned} events changed, $${outcome.totalBefore} → $${outcome.totalAfter}`,
    );
    return outcome;
  }

  /** A run resumes from its cursor: a retry needs no word of its own. */
  protected override onRetry(): void {
    return;
  }

  protected async onFailedForGood(job: Job<RepriceJob>, error: Error): Promise<void> {
    this.logger.error(`reprice run ${job.data.repriceRunId} failed: ${error.message}`);
    await this.runs.markFailed(job.data.repriceRunId, error.message.slice(0, 2000), new Date());
  }
}
