import type { INestApplicationContext } from '@nestjs/common';
import { QUEUES, type IngestBatchJob } from '@tokenledger/contracts';
import type { PrismaClient } from '@tokenledger/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../support/api';
import { usageEvent } from '../support/events';
import { testQueuePrefix } from '../support/queue-prefix';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

describe('a batch that keeps failing', () => {
  let prisma: PrismaClient;
  let worker: INestApplicationContext;
  let redis: Redis;
  let queue: Queue<IngestBatchJob>;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    prisma = testPrisma();
    worker = await startWorker({ QUEUE_PREFIX: prefix, INGEST_JOB_ATTEMPTS: '2' });
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    queue = new Queue(QUEUES.ingest, { connection: redis, prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    await prisma.$disconnect();
  });

  it('is retried with backoff, then kept whole in dead_letters, and /metrics shows it', async () => {
    const { org, project } = await createTenant(prisma, 'dead');
    // A job the API would never queue (its timestamp is not a date): every attempt fails in Postgres.
    const poisoned: IngestBatchJob = {
      organizationId: org.id,
      projectId: project.id,
      apiKeyId: null,
      source: 'api',
      receivedAt: new Date().toISOString(),
      events: [{ ...usageEvent(), occurredAt: 'not a date' }],
    };
    const job = await queue.add('batch', poisoned, { attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    await expect
      .poll(() => prisma.deadLetter.count({ where: { jobId: String(job.id) } }), { timeout: 20_000 })
      .toBe(1);
    const dead = await prisma.deadLetter.findFirstOrThrow({ where: { jobId: String(job.id) } });
    expect(dead).toMatchObject({
      queue: 'ingest',
      projectId: project.id,
      eventCount: 1,
      attempts: 2,
      replayedAt: null,
    });
    expect((dead.payload as unknown as IngestBatchJob).events[0]!.eventId).toBe(poisoned.events[0]!.eventId);
    expect(await prisma.usageEvent.count({ where: { projectId: project.id } })).toBe(0);

    const { app } = await startApi({ QUEUE_PREFIX: prefix });
    try {
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/tokenledger_ingest_dead_lettered_total 1\b/);
      expect(metrics).toMatch(/tokenledger_dead_letter_batches [1-9]/);
    } finally {
      await app.close();
    }
  });
});
