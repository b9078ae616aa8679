import type { Redis } from 'ioredis';

/** Worker-side ingestion counters, kept in Redis so every API instance can expose them. */
export const INGEST_COUNTERS = [
  'batches',
  'stored',
  'duplicates',
  'conflicts',
  'unpriced',
  'dead_lettered',
] as const;
export type IngestCounter = (typeof INGEST_COUNTERS)[number];

function key(prefix: string): string {
  return `${prefix}:{metrics}:ingest`;
}

export async function incrementIngestCounters(
  redis: Redis,
  prefix: string,
  by: Partial<Record<IngestCounter, number>>,
  gauges: Record<string, number> = {},
): Promise<void> {
  const multi = redis.multi();
  for (const [field, value] of Object.entries(by)) if (value) multi.hincrby(key(prefix), field, value);
  for (const [field, value] of Object.entries(gauges)) multi.hset(key(prefix), field, String(value));
  await multi.exec();
}

export async function readIngestCounters(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(key(prefix));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}
