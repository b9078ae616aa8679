import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import type { IngestBatchJob } from '@tokenledger/contracts';
import {
  ANALYTICS_STORE,
  DeadLettersRepository,
  GroupCommitWriter,
  incrementIngestCounters,
  ingestBatch,
  REDIS,
  type AnalyticsStore,
  type WriteOutcome,
} from '@tokenledger/db';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BudgetTrigger } from '../alert/budget-trigger';
import { QueueProcessor } from '../queue-processor';
import { PRICER_SOURCE, type PricerSource } from '../tokens';

/** Locks are renewed every half lockDuration; a killed worker's batch is retried after it lapses. */
export const WORKER_LOCK_MS = 15_000;

/**
 * Consumes `{ingest}`: prices each batch and writes events and rollups in one transaction, together
 * with the project's other batches in hand when a write is already in flight (group commit). BullMQ
 * retries a failing batch with backoff; one that fails every attempt is copied to dead_letters.
 */
@Injectable()
export class IngestProcessor extends QueueProcessor<'ingest', WriteOutcome> {
  private readonly writer: GroupCommitWriter;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(ANALYTICS_STORE) store: AnalyticsStore,
    @Inject(PRICER_SOURCE) private readonly pricers: PricerSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly deadLetters: DeadLettersRepository,
    private readonly budgets: BudgetTrigger,
  ) {
    super(config, 'ingest', {
      concurrency: Math.max(1, config.WORKER_CONCURRENCY),
      lockDuration: WORKER_LOCK_MS,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    });
    this.writer = new GroupCommitWriter(store, {
      inFlight: Math.max(1, config.INGEST_WRITES_IN_FLIGHT),
      maxEvents: Math.max(1, config.INGEST_GROUP_MAX_EVENTS),
    });
  }

  async process(job: Job<IngestBatchJob>): Promise<WriteOutcome> {
    const pricer = await this.pricers.current();
    const outcome = await ingestBatch(pricer, this.writer, job.data);
    // Counters are best effort: the batch is committed, and a failure here must not re-run it.
    await incrementIngestCounters(
      this.redis,
      this.config.QUEUE_PREFIX,
      {
        batches: 1,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
        conflicts: outcome.conflicts,
        unpriced: outcome.unpriced,
      },
      { last_batch_lag_ms: Date.now() - Date.parse(job.data.receivedAt) },
    ).catch(() => undefined);
    if (outcome.stored > 0)
      await this.budgets.afterIngest(job.data.organizationId, Date.now()).catch(() => undefined);
    if (outcome.conflicts > 0) {
      this.logger.warn(
        `${outcome.conflicts} resent event(s) with different content kept as conflicts (project ${job.data.projectId})`,
      );
    }
    return outcome;
  }

  protected override onRetry(job: Job<IngestBatchJob>, error: Error, attempts: number): void {
    this.logger.warn(
      `batch ${job.id} failed (attempt ${job.attemptsMade} of ${attempts}), will retry: ${error.message}`,
    );
  }

  protected async onFailedForGood(job: Job<IngestBatchJob>, error: Error): Promise<void> {
    this.logger.error(
      `batch ${job.id} failed ${job.attemptsMade} times; moved to dead letters: ${error.message}`,
    );
    await this.deadLetters.record('ingest', String(job.id), job.data, error.message, job.attemptsMade);
    await incrementIngestCounters(this.redis, this.config.QUEUE_PREFIX, { dead_lettered: 1 });
  }
}
