import { readdirSync, readFileSync } from 'node:fs';
import { QUEUES } from '@tokenledger/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testQueuePrefix } from '../support/queue-prefix';
import { spawnWorker } from '../support/worker';

/** The nice value of every thread of a process (Linux: /proc/PID/task/TID/stat, field 19). */
function threadNice(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[16]);
  });
}

describe('the worker process yields the CPU to the API', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });
  afterAll(() => redis.disconnect());

  /** Starts the built worker and waits until it takes ingest jobs; returns its threads' nice values. */
  async function niceOfRunningWorker(env: Record<string, string>): Promise<number[]> {
    const prefix = testQueuePrefix();
    const queue = new Queue(QUEUES.ingest, { connection: redis, prefix });
    const child = spawnWorker({ QUEUE_PREFIX: prefix, ...env });
    try {
      const deadline = Date.now() + 30_000;
      while ((await queue.getWorkers()).length === 0) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('the worker did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      return threadNice(child.pid!);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await queue.close();
    }
  }

  it('runs every thread at nice 10 by default, and at WORKER_NICE when set', async () => {
    const byDefault = await niceOfRunningWorker({});
    expect(byDefault.length).toBeGreaterThan(4); // V8 and libuv threads, not only the main one
    expect(new Set(byDefault)).toEqual(new Set([10]));
    expect(new Set(await niceOfRunningWorker({ WORKER_NICE: '15' }))).toEqual(new Set([15]));
    expect(new Set(await niceOfRunningWorker({ WORKER_NICE: '0' }))).toEqual(new Set([0]));
  }, 120_000);
});
