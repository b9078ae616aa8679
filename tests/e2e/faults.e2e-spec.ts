import type { INestApplicationContext } from '@nestjs/common';
import { validateUsageEvent, type UsageEventInput } from '@tokenledger/contracts';
import { RateTableRepository, type PrismaClient } from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { eventInput } from '../support/events';
import { PrivateRedis } from '../support/private-redis';
import { createTenant, testPrisma } from '../support/tenant';
import { spawnWorker, startWorker, waitForEvents } from '../support/worker';

const MODELS: [string, string][] = [
  ['openai', 'gpt-5.5'],
  ['deepseek', 'deepseek-v4-pro'],
  ['deepseek', 'deepseek-v4-flash'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['acme', 'not-in-any-catalog'],
];

function makeEvents(n: number, tag: string): UsageEventInput[] {
  return Array.from({ length: n }, (_, i) => {
    const [provider, model] = MODELS[i % MODELS.length]!;
    return eventInput(
      {
        eventId: `${tag}-${i}`,
        provider,
        model,
        occurredAt: new Date(Date.UTC(2026, 5, 1, i % 24, i % 60)).toISOString(),
        customerId: `c${i % 11}`,
        feature: i % 2 ? 'chat' : 'agent',
      },
      {
        inputTokens: 1000 + ((i * 7919) % 150_000),
        outputTokens: (i * 104_729) % 9000,
        cacheReadTokens: i % 3 === 0 ? 500 : 0,
      },
    );
  });
}

/** What the events must cost, priced by the library directly, outside the pipeline. */
async function independentTotals(prisma: PrismaClient, organizationId: string, events: UsageEventInput[]) {
  const pricer = buildPricer(await new RateTableRepository(prisma).loadSnapshot({ organizationId }));
  let cost = new Decimal(0);
  let unpriced = 0;
  for (const raw of events) {
    const v = validateUsageEvent(raw, new Date('2030-01-01'));
    if (!v.ok) throw new Error('test event invalid');
    const p = pricer.price(v.event, organizationId);
    if (p.status === 'priced') cost = cost.plus(p.totalUsd!);
    else unpriced++;
  }
  return { cost: cost.toFixed(), unpriced };
}

async function storedTotals(prisma: PrismaClient, projectId: string) {
  const [rollup, events, distinct] = await Promise.all([
    prisma.hourlyRollup.aggregate({
      where: { projectId },
      _sum: { costUsd: true, requests: true, unpricedRequests: true },
    }),
    prisma.usageEvent.count({ where: { projectId } }),
    prisma.usageEventKey.count({ where: { projectId } }),
  ]);
  return {
    cost: rollup._sum.costUsd?.toFixed() ?? '0',
    requests: Number(rollup._sum.requests ?? 0),
    unpriced: Number(rollup._sum.unpricedRequests ?? 0),
    events,
    distinct,
  };
}

describe('faults: nothing accepted is lost, nothing is counted twice', () => {
  let prisma: PrismaClient;

  beforeAll(() => {
    prisma = testPrisma();
  });
  afterAll(async () => prisma.$disconnect());

  it('Redis stopped during ingestion: clients get 503, retry after it is back, and every event lands once', async () => {
    const redis = await PrivateRedis.start();
    const { app, queuePrefix } = await startApi({ REDIS_URL: redis.url });
    let worker: INestApplicationContext | undefined;
    try {
      worker = await startWorker({ REDIS_URL: redis.url, QUEUE_PREFIX: queuePrefix });
      const { org, project } = await createTenant(prisma, 'redis-down');
      const { auth } = await createKey(prisma, org.id, project.id);
      const events = makeEvents(1500, `rd-${project.id.slice(0, 8)}`);
      const batches = Array.from({ length: 30 }, (_, i) => events.slice(i * 50, i * 50 + 50));
      const statuses: number[] = [];

      const send = async (batch: UsageEventInput[]) => {
        for (let attempt = 0; attempt < 200; attempt++) {
          const res = await app.inject({
            method: 'POST',
            url: '/v1/events',
            headers: { ...auth, 'content-type': 'application/json' },
            payload: { events: batch },
          });
          statuses.push(res.statusCode);
          if (res.statusCode === 202) return;
          expect(res.statusCode).toBe(503);
          expect(res.headers['retry-after']).toBeDefined();
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('batch never accepted');
      };

      for (const [i, batch] of batches.entries()) {
        if (i === 10) await redis.down();
        if (i === 10) {
          // While Redis is down: refused with 503, nothing accepted; bring it back in the background.
          const res = await app.inject({
            method: 'POST',
            url: '/v1/events',
            headers: { ...auth, 'content-type': 'application/json' },
            payload: { events: batch },
          });
          expect([res.statusCode, res.json().error.code]).toEqual([503, 'QUEUE_UNAVAILABLE']);
          setTimeout(() => void redis.up(), 1500);
        }
        await send(batch);
      }
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(1);

      expect(await waitForEvents(prisma, project.id, 1500, 90_000)).toBe(1500);
      await new Promise((r) => setTimeout(r, 500));
      const want = await independentTotals(prisma, org.id, events);
      expect(await storedTotals(prisma, project.id)).toEqual({
        cost: want.cost,
        requests: 1500,
        unpriced: want.unpriced,
        events: 1500,
        distinct: 1500,
      });
    } finally {
      await worker?.close();
      await app.close();
      await redis.destroy();
    }
  }, 180_000);

  it('worker SIGKILLed in the middle of large batches, then restarted: totals are exact', async () => {
    const { app, queuePrefix } = await startApi();
    const env = { QUEUE_PREFIX: queuePrefix, WORKER_CONCURRENCY: '2' };
    let child = spawnWorker(env);
    try {
      const { org, project } = await createTenant(prisma, 'sigkill');
      const { auth } = await createKey(prisma, org.id, project.id);
      const events = makeEvents(20_000, `sk-${project.id.slice(0, 8)}`);
      for (let i = 0; i < events.length; i += 1000) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: { events: events.slice(i, i + 1000) },
        });
        expect(res.statusCode).toBe(202);
      }
      // Kill it once it has stored some batches but not all.
      const before = await waitForEvents(prisma, project.id, 2000, 60_000);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const atKill = await prisma.usageEvent.count({ where: { projectId: project.id } });
      expect(before).toBeGreaterThanOrEqual(2000);
      expect(atKill).toBeLessThan(20_000);

      child = spawnWorker(env);
      // A batch the killed worker held is retried once its lock lapses (15 s).
      expect(await waitForEvents(prisma, project.id, 20_000, 120_000)).toBe(20_000);
      await new Promise((r) => setTimeout(r, 1000));
      const want = await independentTotals(prisma, org.id, events);
      expect(await storedTotals(prisma, project.id)).toEqual({
        cost: want.cost,
        requests: 20_000,
        unpriced: want.unpriced,
        events: 20_000,
        distinct: 20_000,
      });
    } finally {
      child.kill('SIGTERM');
      await app.close();
    }
  }, 240_000);
});
