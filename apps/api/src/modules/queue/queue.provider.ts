import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import {
  createProducerConnection,
  createQueue,
  type IngestQueue,
  type RepriceQueue,
  type TypedQueue,
  within,
} from '@tokenledger/db';
import type { Redis } from 'ioredis';

/**
 * The queues the API produces to (ingest, reprice) and the producer connection they share with the
 * rate limiter. The connection
 * fails fast while Redis is down, so requests answer 503 at once instead of hanging.
 */
@Injectable()
export class QueueProvider implements OnModuleInit, OnApplicationShutdown {
  readonly connection: Redis;
  readonly ingest: IngestQueue;
  readonly reprice: RepriceQueue;
  readonly simulate: TypedQueue<'simulate'>;

  constructor(@Inject(CONFIG) readonly config: Config) {
    this.connection = createProducerConnection(config.REDIS_URL);
    // ioredis reports every failed reconnect; the 503s and /readyz already say Redis is down.
    this.connection.on('error', () => undefined);
    this.ingest = createQueue('ingest', this.connection, { prefix: config.QUEUE_PREFIX });
    this.reprice = createQueue('reprice', this.connection, { prefix: config.QUEUE_PREFIX });
    this.simulate = createQueue('simulate', this.connection, { prefix: config.QUEUE_PREFIX });
    for (const queue of [this.ingest, this.reprice, this.simulate]) queue.on('error', () => undefined);
  }

  /**
   * Waits (briefly) for Redis before the API answers: the connection fails fast rather than queue
   * commands, so a request in its first milliseconds would otherwise get a 503 from a healthy Redis.
   * An unreachable Redis does not stop the start; requests answer 503 and /readyz says why.
   */
  async onModuleInit(): Promise<void> {
    if (this.connection.status === 'ready') return;
    const ready = new Promise<void>((resolve) => this.connection.once('ready', () => resolve()));
    await within(ready, 3000, 'Redis').catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.ingest.close(), this.reprice.close(), this.simulate.close()]);
    this.connection.disconnect();
  }
}
