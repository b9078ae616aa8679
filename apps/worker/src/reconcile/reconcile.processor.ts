import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { JOB_NAMES, type ReconcileImportJob } from '@tokenledger/contracts';
import {
  createQueue,
  createRedis,
  ProviderApiError,
  Reconciler,
  ReconciliationRepository,
  type TypedQueue,
} from '@tokenledger/db';
import { formatMonth, isReconcileProvider, previousMonth } from '@tokenledger/reports';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueProcessor } from '../queue-processor';

export const DAILY_RECONCILIATION_SCHEDULER_ID = 'daily-reconciliation';

interface Outcome {
  imports: number;
  failed: number;
}

/**
 * Consumes `{reconcile}`: imports a provider's usage and cost reports through its API with the
 * organization's stored admin key. An on-demand job imports one organization's provider and
 * month; the daily job scheduler's tick (RECONCILE_SCHEDULE, UTC) imports every connection's
 * current month and the one before (Anthropic finalizes a day's usage about 30 days later).
 * Failures are recorded on the connection (the message, never the key).
 */
@Injectable()
export class ReconcileProcessor
  extends QueueProcessor<'reconcile', Outcome>
  implements OnApplicationBootstrap
{
  private producer?: Redis;
  private scheduleQueue?: TypedQueue<'reconcile'>;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly reconciler: Reconciler,
    private readonly repo: ReconciliationRepository,
  ) {
    super(config, 'reconcile', { concurrency: 1, lockDuration: 300_000 });
  }

  override onApplicationBootstrap(): void {
    super.onApplicationBootstrap();
    this.producer = createRedis(this.config.REDIS_URL).on('error', () => undefined);
    this.scheduleQueue = createQueue('reconcile', this.producer, { prefix: this.config.QUEUE_PREFIX });
    const upsert =
      this.config.RECONCILE_SCHEDULE === 'none'
        ? this.scheduleQueue.removeJobScheduler(DAILY_RECONCILIATION_SCHEDULER_ID)
        : this.scheduleQueue.upsertJobScheduler(
            DAILY_RECONCILIATION_SCHEDULER_ID as typeof JOB_NAMES.reconcile,
            { pattern: this.config.RECONCILE_SCHEDULE, tz: 'UTC' },
            {
              name: JOB_NAMES.reconcile,
              data: { organizationId: null, provider: null, month: null },
              opts: { removeOnComplete: 50, removeOnFail: 50 },
            },
          );
    void upsert.catch((error: Error) =>
      this.logger.warn(`could not set the daily reconciliation schedule: ${error.message}`),
    );
  }

  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    await this.scheduleQueue?.close().catch(() => undefined);
    this.producer?.disconnect();
  }

  async process(job: Job<ReconcileImportJob>): Promise<Outcome> {
    const now = new Date(job.timestamp);
    const { organizationId, provider, month } = job.data;
    if (organizationId) {
      if (!provider || !isReconcileProvider(provider)) throw new Error(`unknown provider "${provider}"`);
      const current = month ?? formatMonth({ year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 });
      let r;
      try {
        r = await this.reconciler.importFromApi(organizationId, provider, current, now);
      } catch (error) {
        // A refused key or a bad request does not get better by trying again (it is on the connection).
        if (
          error instanceof ProviderApiError &&
          error.status !== null &&
          error.status < 500 &&
          error.status !== 429
        )
          throw new UnrecoverableError(error.message);
        throw error;
      }
      this.logger.log(`${provider} ${current}: ${r.usageRows} usage and ${r.costRows} cost rows imported`);
      return { imports: 1, failed: 0 };
    }
    // The daily tick: one connection's failure does not stop the others (it is on the connection).
    const current = formatMonth({ year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 });
    let imports = 0;
    let failed = 0;
    for (const c of await this.repo.allConnections()) {
      for (const m of [previousMonth(current), current]) {
        try {
          await this.reconciler.importFromApi(c.organizationId, c.provider, m, now);
          imports++;
        } catch (error) {
          failed++;
          this.logger.warn(`${c.provider} import of ${m} failed: ${(error as Error).message}`);
        }
      }
    }
    return { imports, failed };
  }

  /** A refused key is not retried (UnrecoverableError): say it failed, not that it will retry. */
  protected override onRetry(job: Job<ReconcileImportJob>, error: Error, attempts: number): void {
    if (error instanceof UnrecoverableError) void this.onFailedForGood(job, error);
    else super.onRetry(job, error, attempts);
  }

  protected async onFailedForGood(job: Job<ReconcileImportJob>, error: Error): Promise<void> {
    this.logger.error(`${job.data.provider ?? 'provider'} import failed: ${error.message}`);
    return Promise.resolve();
  }
}
