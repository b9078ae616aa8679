import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ and rate limits. BullMQ needs `maxRetriesPerRequest: null` on
 * connections that block; callers that must fail fast (the API's enqueue path) pass their own.
 */
export function createRedis(redisUrl: string, options: RedisOptions = {}): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false, ...options });
}
