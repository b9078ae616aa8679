import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Config } from '@tokenledger/config';
import { QUEUES, type JobData, type QueueKey } from '@tokenledger/contracts';
import { createRedis } from '@tokenledger/db';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** How a processor's BullMQ worker runs (connection and prefix come from the configuration). */
export type ProcessorOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

/**
 * The lifecycle every queue processor shares: a BullMQ worker on a connection of its own, started
 * when the app has booted and closed (letting the jobs in hand finish) before the pools close;
 * failures sorted into "will retry" and "failed for good". A processor names its queue from the
 * job catalog and says what one job does.
 */
export abstract class QueueProcessor<Q extends QueueKey, R>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  protected readonly logger: Logger;
  private worker?: Worker<JobData<Q>, R>;
  private connection?: Redis;

  protected constructor(
    protected readonly config: Config,
    private readonly queue: Q,
    private readonly options: ProcessorOptions,
  ) {
    this.logger = new Logger(queue);
  }

  /** Does one job; a throw is retried by BullMQ with the job's backoff. */
  abstract process(job: Job<JobData<Q>>): Promise<R>;

  /** A job failed and BullMQ will try it again. */
  protected onRetry(job: Job<JobData<Q>>, error: Error, attempts: number): void {
    this.logger.warn(
      `job ${job.id} failed (attempt ${job.attemptsMade} of ${attempts}), will retry: ${error.message}`,
    );
  }

  /** A job failed its last attempt. */
  protected abstract onFailedForGood(job: Job<JobData<Q>>, error: Error): Promise<void>;

  onApplicationBootstrap(): void {
    this.connection = createRedis(this.config.REDIS_URL).on('error', () => undefined);
    this.worker = new Worker<JobData<Q>, R>(QUEUES[this.queue], (job) => this.process(job), {
      ...this.options,
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
    });
    this.worker.on('failed', (job, error) => void this.failed(job, error));
    this.worker.on('error', (error) => this.logger.warn(`queue connection: ${error.message}`));
  }

  /** Before the pools close: stop taking jobs and let the ones in hand finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.connection?.disconnect();
  }

  private async failed(job: Job<JobData<Q>> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade < attempts) return this.onRetry(job, error, attempts);
    try {
      await this.onFailedForGood(job, error);
    } catch (recordError) {
      // The job stays in BullMQ's failed set either way; nothing is lost.
      this.logger.error(`could not record the failure of job ${job.id}: ${(recordError as Error).message}`);
    }
  }
}
