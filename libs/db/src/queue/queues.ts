import { JOB_NAMES, QUEUES, type JobData, type QueueKey } from '@tokenledger/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * A connection for producers (the API, the CLI): it fails at once while Redis is unreachable, so a
 * request can answer 503 instead of hanging. Workers use createRedis (retry forever).
 */
export function createProducerConnection(redisUrl: string): Redis {
  return new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

export interface QueueSettings {
  prefix: string;
  ingestAttempts: number;
}

export const INGEST_JOB_OPTIONS = (attempts: number): JobsOptions => ({
  attempts,
  backoff: { type: 'exponential', delay: 1000 },
  // Completed batches are already in Postgres; failed ones are copied to dead_letters. A few recent
  // ones stay for inspection: each holds its whole payload (up to 5 MB), and 10,000 of them kept
  // Redis holding hundreds of megabytes of events that were already stored.
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 7 * 24 * 3600 },
});

/** A queue of the job catalog: its payload and its job name are typed, so a wrong one does not compile. */
export type TypedQueue<Q extends QueueKey> = Queue<JobData<Q>, unknown, (typeof JOB_NAMES)[Q]>;

export function createQueue<Q extends QueueKey>(
  key: Q,
  connection: Redis,
  settings: Pick<QueueSettings, 'prefix'>,
): TypedQueue<Q> {
  return new Queue(QUEUES[key], { connection, prefix: settings.prefix }) as TypedQueue<Q>;
}

export type IngestQueue = TypedQueue<'ingest'>;
export type RepriceQueue = TypedQueue<'reprice'>;

/** Rejects when `promise` has not settled in `ms`: a producer must not hang on a sick Redis. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
