import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Every Redis key a test run makes starts with `tltest-<run>`: the run's own QUEUE_PREFIX, or
 * `tltest-<run>-<random>` for a test that wants queues of its own. The global setup picks `<run>`
 * (or takes TOKENLEDGER_TEST_RUN from `npm test`) and deletes the run's keys at teardown; `npm test`
 * then checks that none is left.
 */
export const RUN_VARIABLE = 'TOKENLEDGER_TEST_RUN';

export function runPrefix(run = process.env[RUN_VARIABLE]): string {
  if (!run) throw new Error(`${RUN_VARIABLE} is not set: the integration global setup sets it`);
  return `tltest-${run}`;
}

/** A queue prefix of its own for one test, inside this run's key space. */
export function testQueuePrefix(): string {
  return `${runPrefix()}-${randomBytes(4).toString('hex')}`;
}

/** The key patterns of one run (its own prefix and the prefixes below it, never another run's). */
export function runKeyPatterns(run?: string): string[] {
  const prefix = runPrefix(run);
  return [`${prefix}:*`, `${prefix}-*`];
}

/** Deletes the run's keys with SCAN + UNLINK (never KEYS, which blocks Redis); returns how many. */
export async function deleteRunKeys(redisUrl: string, run: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    for (const match of runKeyPatterns(run)) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await redis.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
