import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { JOB_NAMES } from '@tokenledger/contracts';
import { BudgetStateCache, createQueue, createRedis, type TypedQueue } from '@tokenledger/db';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** How often the job scheduler evaluates every organization's budgets. */
export const BUDGET_TICK_MS = 60_000;
/** After-ingest evaluations of one organization are coalesced into one per this window. */
export const INGEST_TRIGGER_WINDOW_MS = 1_000;

/**
 * Produces `{alert}` jobs: the every-minute scheduler, and an evaluation of an organization right
 * after an ingest write when it holds budgets (coalesced by job id, one per second), so a hard
 * budget's crossing reaches the check endpoint within seconds and an alert well within a minute.
 */
@Injectable()
export class BudgetTrigger implements OnApplicationShutdown {
  private readonly connection: Redis;
  readonly queue: TypedQueue<'alert'>;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly cache: BudgetStateCache,
  ) {
    this.connection = createRedis(config.REDIS_URL).on('error', () => undefined);
    this.queue = createQueue('alert', this.connection, { prefix: config.QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  /** The repeatable tick (idempotent: every worker upserts the same scheduler). */
  async schedule(): Promise<void> {
    // The typed queue narrows every name to the job name; a scheduler's id is its own.
    await (this.queue as unknown as Queue).upsertJobScheduler(
      'budgets-every-minute',
      { every: BUDGET_TICK_MS },
      {
        name: JOB_NAMES.alert,
        data: { organizationId: null, budgetId: null },
        opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } },
      },
    );
  }

  /** After an ingest write: evaluate the organization soon, if it has budgets. Best effort. */
  async afterIngest(organizationId: string, now: number): Promise<void> {
    if (!(await this.cache.hasBudgets(organizationId))) return;
    const window = Math.floor(now / INGEST_TRIGGER_WINDOW_MS);
    await this.queue.add(
      JOB_NAMES.alert,
      { organizationId, budgetId: null },
      {
        jobId: `ingest-${organizationId}-${window}`,
        // Let the window's batches commit together first.
        delay: INGEST_TRIGGER_WINDOW_MS / 2,
        removeOnComplete: { age: 60 },
        removeOnFail: { age: 3600 },
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
