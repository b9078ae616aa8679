import { randomBytes } from 'node:crypto';
import { QUEUES, type IngestBatchJob } from '@tokenledger/contracts';
import { createPgPool, UsageEventWriter, type PrismaClient } from '@tokenledger/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli';
import { pricedAt, usageEvent } from '../support/events';
import { testQueuePrefix } from '../support/queue-prefix';
import { createTenant, testPrisma } from '../support/tenant';

describe('CLI reprice and deadletters', () => {
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = testPrisma();
  });
  afterAll(async () => prisma.$disconnect());

  it('reprice --since corrects wrongly priced events to the rates in force and fixes the rollups', async () => {
    const { org, project } = await createTenant(prisma, 'cli-reprice');
    const pool = createPgPool(inject('databaseUrl'), 2);
    const wrong = usageEvent(
      { occurredAt: '2026-06-01T12:00:00Z' },
      { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000 },
    );
    const earlier = usageEvent({ occurredAt: '2026-05-01T12:00:00Z' });
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [
        { event: wrong, pricing: pricedAt('999') },
        { event: earlier, pricing: pricedAt('5') },
      ],
    });
    await pool.end();

    const res = await runCli(['reprice', '--since', '2026-06-01', '--org', org.slug, '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).runs).toEqual([
      expect.objectContaining({
        organization: org.slug,
        eventsScanned: 1,
        eventsChanged: 1,
        totalBefore: '999',
        totalAfter: '0.27',
      }),
    ]);
    const rollup = await prisma.dailyRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true },
    });
    expect(rollup._sum.costUsd!.toFixed()).toBe('5.27'); // the May event is outside the range
  });

  it('reprice refuses a bad date, naming the flag', async () => {
    const res = await runCli(['reprice', '--since', 'last tuesday', '--json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('--since'),
    });
  });

  it('deadletters list shows a failed batch and replay queues it again', async () => {
    const { org, project } = await createTenant(prisma, 'cli-dead');
    const payload: IngestBatchJob = {
      organizationId: org.id,
      projectId: project.id,
      apiKeyId: null,
      source: 'api',
      receivedAt: new Date().toISOString(),
      events: [usageEvent()],
    };
    const row = await prisma.deadLetter.create({
      data: {
        queue: 'ingest',
        jobId: `job-${randomBytes(4).toString('hex')}`,
        organizationId: org.id,
        projectId: project.id,
        eventCount: 1,
        error: 'boom',
        attempts: 8,
        payload: payload as object,
      },
    });
    const prefix = testQueuePrefix();
    const listed = await runCli(['deadletters', 'list', '--json'], { QUEUE_PREFIX: prefix });
    expect(JSON.parse(listed.stdout).deadLetters).toContainEqual(
      expect.objectContaining({ id: row.id.toString(), error: 'boom', eventCount: 1 }),
    );

    const replayed = await runCli(['deadletters', 'replay', row.id.toString(), '--json'], {
      QUEUE_PREFIX: prefix,
    });
    expect(replayed.code).toBe(0);
    const { jobId } = JSON.parse(replayed.stdout);
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new Queue<IngestBatchJob>(QUEUES.ingest, { connection: redis, prefix });
    try {
      expect((await queue.getJob(jobId))?.data.events[0]?.eventId).toBe(payload.events[0]!.eventId);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
    expect((await prisma.deadLetter.findUniqueOrThrow({ where: { id: row.id } })).replayedAt).not.toBeNull();
    const missing = await runCli(['deadletters', 'replay', '999999999', '--json']);
    expect([missing.code, JSON.parse(missing.stdout).error.code]).toEqual([1, 'NOT_FOUND']);
  });
});
