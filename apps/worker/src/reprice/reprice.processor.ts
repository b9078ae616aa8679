import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { QUEUES, type RepriceJob } from '@tokenledger/contracts';
import { createRedis, PrismaClient, runReprice, type PgPool, type RepriceOutcome } from '@tokenledger/db';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PG_POOL, PRICER_SOURCE, type PricerSource } from '../tokens';

/** Consumes `{reprice}`: one run at a time, with a pricer built from the catalog as it is now. */
@Injectable()
export class RepriceProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('reprice');
  private worker?: Worker<RepriceJob, RepriceOutcome>;
  private connection?: Redis;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PG_POOL) private readonly pool: PgPool,
    @Inject(PRICER_SOURCE) private readonly pricers: PricerSource,
    private readonly prisma: PrismaClient,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = createRedis(this.config.REDIS_URL).on('error', () => undefined);
    this.worker = new Worker<RepriceJob, RepriceOutcome>(QUEUES.reprice, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: 1,
      lockDuration: 60_000,
    });
    this.worker.on('failed', (job, error) => void this.onFailed(job, error));
    this.worker.on('error', (error) => this.logger.warn(`queue connection: ${error.message}`));
  }

  /** Before the pools close: stop taking jobs and let the ones in hand finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.connection?.disconnect();
  }

  async process(job: Job<RepriceJob>): Promise<RepriceOutcome> {
    const pricer = await this.pricers.fresh();
    const outcome = await runReprice(this.pool, pricer, job.data.repriceRunId);
    this.logger.log(
      `reprice run ${job.data.repriceRunId}: ${outcome.eventsChanged} of ${outcome.eventsScanned} events changed, $${outcome.totalBefore} → $${outcome.totalAfter}`,
    );
    return outcome;
  }

  private async onFailed(job: Job<RepriceJob> | undefined, error: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.error(`reprice run ${job.data.repriceRunId} failed: ${error.message}`);
    await this.prisma.repriceRun
      .update({
        where: { id: job.data.repriceRunId },
        data: { status: 'failed', error: error.message.slice(0, 2000), finishedAt: new Date() },
      })
      .catch(() => undefined);
  }
}
