import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { validateUsageEvent, type UsageEventInput } from '@tokenledger/contracts';
import { createRepriceRun, RateTableRepository, type PrismaClient } from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import { QUEUES } from '@tokenledger/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { eventInput } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker, waitForEvents, waitForQueueDrain } from '../support/worker';

describe('pipeline: API → queue → worker → priced events and rollups', () => {
  let prisma: PrismaClient;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let queuePrefix: string;

  beforeAll(async () => {
    prisma = testPrisma();
    ({ app: api, queuePrefix } = await startApi());
    worker = await startWorker({ QUEUE_PREFIX: queuePrefix });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await prisma.$disconnect();
  });

  const post = (auth: Record<string, string>, events: UsageEventInput[]) =>
    api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { events },
    });

  /** Prices events with the library directly, as a check independent of the pipeline. */
  async function independentTotal(organizationId: string, events: UsageEventInput[]): Promise<string> {
    const pricer = buildPricer(await new RateTableRepository(prisma).loadSnapshot({ organizationId }));
    let total = new Decimal(0);
    for (const raw of events) {
      const v = validateUsageEvent(raw, new Date('2030-01-01'));
      if (!v.ok) continue;
      const p = pricer.price(v.event, organizationId);
      if (p.status === 'priced') total = total.plus(p.totalUsd!);
    }
    return total.toFixed();
  }

  it('stores a mixed batch priced, unknown models unpriced, and reports the bad events by index', async () => {
    const { org, project } = await createTenant(prisma, 'pipe');
    const { auth } = await createKey(prisma, org.id, project.id);
    const gpt = eventInput(
      { occurredAt: '2026-06-01T12:00:00Z' },
      { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000 },
    );
    const flash = eventInput(
      { provider: 'deepseek', model: 'deepseek-v4-flash', occurredAt: '2026-06-01T12:00:00Z' },
      { inputTokens: 1_000_000, outputTokens: 1_000_000 },
    );
    const unknown = eventInput({ provider: 'acme', model: 'acme-llm-1' });
    const res = await post(auth, [
      gpt,
      { ...eventInput(), usage: { inputTokens: -5, outputTokens: 1 } } as UsageEventInput,
      flash,
      unknown,
    ]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      accepted: 3,
      rejected: [{ index: 1, errors: [{ path: 'usage.inputTokens' }] }],
    });
    expect(await waitForEvents(prisma, project.id, 3)).toBe(3);

    const stored = await prisma.usageEvent.findMany({ where: { projectId: project.id } });
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    // gpt-5.5: 20,000 uncached × $5/M + 100,000 cached × $0.50/M + 4,000 × $30/M
    expect(byId.get(gpt.eventId)!.costUsd!.toFixed()).toBe('0.27');
    // deepseek-v4-flash before 2026-08-17: $0.14/M in, $0.28/M out
    expect(byId.get(flash.eventId)!.costUsd!.toFixed()).toBe('0.42');
    expect(byId.get(unknown.eventId)).toMatchObject({ costUsd: null, pricingStatus: 'unpriced_model' });
    expect(byId.get(unknown.eventId)!.pricingReason).toContain('acme-llm-1');

    const rollup = await prisma.hourlyRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true, unpricedRequests: true, requests: true },
    });
    expect([rollup._sum.costUsd!.toFixed(), rollup._sum.unpricedRequests, rollup._sum.requests]).toEqual([
      '0.69',
      1n,
      3n,
    ]);
  });

  it('counts a batch sent twice once', async () => {
    const { org, project } = await createTenant(prisma, 'twice');
    const { auth } = await createKey(prisma, org.id, project.id);
    const events = Array.from({ length: 50 }, (_, i) =>
      eventInput({ customerId: `c${i % 3}` }, { inputTokens: 1000 + i, outputTokens: 100 + i }),
    );
    expect((await post(auth, events)).statusCode).toBe(202);
    expect(await waitForEvents(prisma, project.id, 50)).toBe(50);
    expect((await post(auth, events)).statusCode).toBe(202);
    await waitForQueueDrain(queuePrefix);
    expect(await prisma.usageEvent.count({ where: { projectId: project.id } })).toBe(50);
    const rollup = await prisma.hourlyRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true, requests: true },
    });
    expect(rollup._sum.requests).toBe(50n);
    expect(rollup._sum.costUsd!.toFixed()).toBe(await independentTotal(org.id, events));
  });

  it('re-prices exactly the affected events when a corrected rate is published', async () => {
    const { org, project } = await createTenant(prisma, 'correct');
    const { auth } = await createKey(prisma, org.id, project.id);
    const before = [
      // 200K prompt tokens: below gpt-5.5's 272K long-context tier.
      eventInput({ occurredAt: '2026-06-01T10:00:00Z' }, { inputTokens: 200_000, outputTokens: 1_000_000 }),
      eventInput({ occurredAt: '2026-06-02T10:00:00Z' }, { inputTokens: 200_000, outputTokens: 1_000_000 }),
      eventInput(
        { provider: 'deepseek', model: 'deepseek-v4-pro', occurredAt: '2026-06-02T10:00:00Z' },
        { inputTokens: 1_000_000, outputTokens: 1_000_000 },
      ),
    ];
    await post(auth, before);
    expect(await waitForEvents(prisma, project.id, 3)).toBe(3);
    const total = async () =>
      (
        await prisma.dailyRollup.aggregate({ where: { projectId: project.id }, _sum: { costUsd: true } })
      )._sum.costUsd!.toFixed();
    const original = await total();

    // A negotiated gpt-5.5 price for this organization, in force from 2026-06-02.
    const published = await new RateTableRepository(prisma).publishVersion({
      table: { organizationId: org.id, slug: 'negotiated', name: 'Negotiated', kind: 'override' },
      effectiveFrom: new Date('2026-06-02T00:00:00Z'),
      rates: [
        {
          provider: 'openai',
          model: 'gpt-5.5',
          match: { exact: ['gpt-5.5'] },
          prices: { input: '4', output: '24' },
          source: 'contract 2026-06',
        },
      ],
      source: 'contract 2026-06',
    } as never);
    const runId = await createRepriceRun(prisma, {
      organizationId: org.id,
      since: new Date('2026-06-02T00:00:00Z'),
      reason: 'negotiated rate',
      rateVersionId: published.version.id,
    });
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new Queue(QUEUES.reprice, { connection: redis, prefix: queuePrefix });
    await queue.add('reprice', {
      organizationId: org.id,
      since: '2026-06-02T00:00:00Z',
      until: null,
      reason: 'negotiated rate',
      rateVersionId: published.version.id,
      requestedBy: null,
      repriceRunId: runId,
    });
    let run = await prisma.repriceRun.findUniqueOrThrow({ where: { id: runId } });
    for (let i = 0; i < 150 && run.status !== 'succeeded' && run.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      run = await prisma.repriceRun.findUniqueOrThrow({ where: { id: runId } });
    }
    await queue.close();
    redis.disconnect();

    // Only the 2026-06-02 gpt-5.5 event changes: $1 + $30 → $0.80 + $24. And only it is read: the
    // version prices gpt-5.5 alone, so the deepseek event of the same day is not scanned (issue 20).
    expect(run).toMatchObject({
      status: 'succeeded',
      eventsScanned: 1,
      eventsTotal: 1,
      eventsChanged: 1,
      scope: 'models',
    });
    expect(run.totalAfter.minus(run.totalBefore).toFixed()).toBe('-6.2');
    const changes = await prisma.repriceChange.findMany({ where: { runId } });
    expect(
      changes.map((c) => [c.eventId, c.costBefore!.toFixed(), c.costAfter!.toFixed(), c.rateVersionAfter]),
    ).toEqual([[before[1]!.eventId, '31', '24.8', published.version.id]]);
    expect(await total()).toBe(new Decimal(original).minus('6.2').toFixed());
    const first = await prisma.usageEvent.findFirstOrThrow({
      where: { projectId: project.id, eventId: before[0]!.eventId },
    });
    expect(first.costUsd!.toFixed()).toBe('31');
  });
});
