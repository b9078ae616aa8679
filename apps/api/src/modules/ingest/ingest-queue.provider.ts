import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { createProducerConnection, createQueue, type IngestQueue } from '@tokenledger/db';
import type { IngestBatchJob } from '@tokenledger/contracts';
import type { Redis } from 'ioredis';

/**
 * The ingest queue and the producer connection it shares with the rate limiter. The connection
 * fails fast while Redis is down, so requests answer 503 at once instead of hanging.
 */
@Injectable()
export class IngestQueueProvider implements OnApplicationShutdown {
  readonly connection: Redis;
  readonly queue: IngestQueue;

  constructor(@Inject(CONFIG) readonly config: Config) {
    this.connection = createProducerConnection(config.REDIS_URL);
    // ioredis reports every failed reconnect; the 503s and /readyz already say Redis is down.
    this.connection.on('error', () => undefined);
    this.queue = createQueue<IngestBatchJob>('ingest', this.connection, { prefix: config.QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
