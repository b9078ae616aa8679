import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { QUEUES, type IngestBatchJob } from '@tokenledger/contracts';
import {
  createRedis,
  GroupCommitWriter,
  incrementIngestCounters,
  ingestBatch,
  PrismaClient,
  REDIS,
  UsageEventWriter,
  type PgPool,
  type WriteOutcome,
} from '@tokenledger/db';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PG_POOL, PRICER_SOURCE, type PricerSource } from '../tokens';

/** Locks are renewed every half lockDuration; a killed worker's batch is retried after it lapses. */
export const WORKER_LOCK_MS = 15_000;

/**
 * Consumes `{ingest}`: prices each batch and writes events and rollups in one transaction, together
 * with the project's other batches in hand when a write is already in flight (group commit). BullMQ
 * retries a failing batch with backoff; one that fails every attempt is copied to dead_letters.
 */
@Injectable()
export class IngestProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ingest');
  private worker?: Worker<IngestBatchJob, WriteOutcome>;
  private connection?: Redis;
  private readonly writer: GroupCommitWriter;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PG_POOL) pool: PgPool,
    @Inject(PRICER_SOURCE) private readonly pricers: PricerSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly prisma: PrismaClient,
  ) {
    this.writer = new GroupCommitWriter(new UsageEventWriter(pool), {
      inFlight: Math.max(1, config.INGEST_WRITES_IN_FLIGHT),
      maxEvents: Math.max(1, config.INGEST_GROUP_MAX_EVENTS),
    });
  }

  onApplicationBootstrap(): void {
    this.connection = createRedis(this.config.REDIS_URL).on('error', () => undefined);
    this.worker = new Worker<IngestBatchJob, WriteOutcome>(QUEUES.ingest, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: Math.max(1, this.config.WORKER_CONCURRENCY),
      lockDuration: WORKER_LOCK_MS,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    });
    this.worker.on('failed', (job, error) => void this.onFailed(job, error));
    this.worker.on('error', (error) => this.logger.warn(`queue connection: ${error.message}`));
  }

  /** Before the pools close: stop taking jobs and let the ones in hand finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close(); // lets the batches in hand finish
    this.connection?.disconnect();
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
    if (outcome.conflicts > 0) {
      this.logger.warn(
        `${outcome.conflicts} resent event(s) with different content kept as conflicts (project ${job.data.projectId})`,
      );
    }
    return outcome;
  }

  private async onFailed(job: Job<IngestBatchJob> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade < attempts) {
      this.logger.warn(
        `batch ${job.id} failed (attempt ${job.attemptsMade} of ${attempts}), will retry: ${error.message}`,
      );
      return;
    }
    this.logger.error(
      `batch ${job.id} failed ${job.attemptsMade} times; moved to dead letters: ${error.message}`,
    );
    try {
      await this.prisma.deadLetter.upsert({
        where: { queue_jobId: { queue: 'ingest', jobId: String(job.id) } },
        create: {
          queue: 'ingest',
          jobId: String(job.id),
          organizationId: job.data.organizationId,
          projectId: job.data.projectId,
          eventCount: job.data.events.length,
          error: error.message.slice(0, 2000),
          attempts: job.attemptsMade,
          payload: job.data as object,
        },
        update: {
          error: error.message.slice(0, 2000),
          attempts: job.attemptsMade,
          failedAt: new Date(),
          replayedAt: null,
        },
      });
      await incrementIngestCounters(this.redis, this.config.QUEUE_PREFIX, { dead_lettered: 1 });
    } catch (recordError) {
      // The job stays in BullMQ's failed set either way; nothing is lost.
      this.logger.error(
        `could not record dead letter for batch ${job.id}: ${(recordError as Error).message}`,
      );
    }
  }
}
