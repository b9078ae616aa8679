import {
  createPgPool,
  UsageEventWriter,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';

describe('UsageEventWriter (real Postgres)', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let writer: UsageEventWriter;

  beforeAll(() => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 8);
    writer = new UsageEventWriter(pool);
  });
  afterAll(async () => {
    await pool.end();
    await prisma.$disconnect();
  });

  async function setup() {
    const { org, project } = await createTenant(prisma, 'writer');
    const batch = (events: PricedEvent[]) => ({
      organizationId: org.id,
      projectId: project.id,
      source: 'api' as const,
      receivedAt: new Date(),
      events,
    });
    return { org, project, batch };
  }

  it('stores events with their pricing and rolls them up by hour and dimensions', async () => {
    const { project, batch } = await setup();
    const events: PricedEvent[] = [
      {
        event: usageEvent(
          { feature: 'chat', customerId: 'acme' },
          { inputTokens: 1000, cacheReadTokens: 400 },
        ),
        pricing: pricedAt('0.0123'),
      },
      {
        event: usageEvent({
          feature: 'chat',
          customerId: 'acme',
          occurredAt: '2026-06-01T12:59:59Z',
          latencyMs: 100,
        }),
        pricing: pricedAt('0.0001'),
      },
      {
        event: usageEvent({ feature: 'chat', customerId: 'acme', occurredAt: '2026-06-01T13:00:00Z' }),
        pricing: pricedAt('1'),
      },
      {
        event: usageEvent(
          { model: 'mystery', status: 'error', latencyMs: 50 },
          { inputTokens: 10, outputTokens: 5 },
        ),
        pricing: UNPRICED,
      },
    ];
    expect(await writer.write(batch(events))).toEqual({
      stored: 4,
      duplicates: 0,
      conflicts: 0,
      unpriced: 1,
    });

    const stored = await prisma.usageEvent.findMany({
      where: { projectId: project.id },
      orderBy: { occurredAt: 'asc' },
    });
    expect(stored).toHaveLength(4);
    const mystery = stored.find((e) => e.model === 'mystery')!;
    expect(mystery.costUsd).toBeNull();
    expect(mystery.pricingStatus).toBe('unpriced_model');
    expect(mystery.pricingReason).toContain('mystery');
    expect(stored.find((e) => e.cacheReadTokens === 400n)!.costUsd!.toFixed()).toBe('0.0123');

    const rollups = await prisma.hourlyRollup.findMany({
      where: { projectId: project.id },
      orderBy: [{ hour: 'asc' }, { model: 'asc' }],
    });
    expect(
      rollups.map((r) => [
        r.hour.toISOString(),
        r.model,
        r.feature,
        r.customerId,
        Number(r.requests),
        r.costUsd.toFixed(),
      ]),
    ).toEqual([
      ['2026-06-01T12:00:00.000Z', 'gpt-5.5', 'chat', 'acme', 2, '0.0124'],
      ['2026-06-01T12:00:00.000Z', 'mystery', '', '', 1, '0'],
      ['2026-06-01T13:00:00.000Z', 'gpt-5.5', 'chat', 'acme', 1, '1'],
    ]);
    const unpricedCell = rollups[1]!;
    expect([
      unpricedCell.unpricedRequests,
      unpricedCell.unpricedInputTokens,
      unpricedCell.unpricedOutputTokens,
      unpricedCell.errorRequests,
    ]).toEqual([1n, 10n, 5n, 1n]);
    expect([rollups[0]!.cacheReadTokens, rollups[0]!.latencyMsSum, rollups[0]!.latencyCount]).toEqual([
      400n,
      100n,
      1n,
    ]);
  });

  it('counts a resent batch once, and keeps a resend with different content as a conflict', async () => {
    const { project, batch } = await setup();
    const a = { event: usageEvent(), pricing: pricedAt('0.5') };
    const b = { event: usageEvent(), pricing: pricedAt('0.25') };
    await writer.write(batch([a, b]));
    expect(await writer.write(batch([a, b]))).toEqual({
      stored: 0,
      duplicates: 2,
      conflicts: 0,
      unpriced: 0,
    });

    const changed = {
      event: { ...b.event, usage: { ...b.event.usage, outputTokens: 999 } },
      pricing: pricedAt('9'),
    };
    expect(await writer.write(batch([changed]))).toEqual({
      stored: 0,
      duplicates: 0,
      conflicts: 1,
      unpriced: 0,
    });

    const total = await prisma.hourlyRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true, requests: true },
    });
    expect(total._sum.costUsd!.toFixed()).toBe('0.75');
    expect(total._sum.requests).toBe(2n);
    const conflicts = await prisma.eventConflict.findMany({ where: { projectId: project.id } });
    expect(conflicts).toHaveLength(1);
    expect((conflicts[0]!.payload as { usage: { outputTokens: number } }).usage.outputTokens).toBe(999);
    const stored = await prisma.usageEvent.findFirstOrThrow({
      where: { projectId: project.id, eventId: b.event.eventId },
    });
    expect(stored.outputTokens).toBe(100n);
  });

  it('never double counts when overlapping batches are written concurrently', async () => {
    const { project, batch } = await setup();
    const events = Array.from({ length: 200 }, (_, i) => ({
      event: usageEvent({ customerId: `c${i % 7}` }),
      pricing: pricedAt('0.001'),
    }));
    // Four writers race over shuffled, overlapping slices of the same 200 events.
    const slices = [
      events.slice(0, 150),
      events.slice(50, 200),
      [...events].reverse(),
      events.slice(25, 175),
    ];
    const outcomes = await Promise.all(slices.map((s) => writer.write(batch(s))));
    expect(outcomes.reduce((n, o) => n + o.stored, 0)).toBe(200);
    const total = await prisma.hourlyRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true, requests: true },
    });
    expect(total._sum.requests).toBe(200n);
    expect(total._sum.costUsd!.toFixed()).toBe('0.2');
    expect(await prisma.usageEvent.count({ where: { projectId: project.id } })).toBe(200);
    // Every rollup level holds the same totals.
    const daily = await prisma.dailyRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true, requests: true },
    });
    const perCustomer = await prisma.dailyCustomerRollup.aggregate({
      where: { projectId: project.id },
      _sum: { costUsd: true, requests: true },
    });
    expect([daily._sum.costUsd!.toFixed(), daily._sum.requests]).toEqual(['0.2', 200n]);
    expect([perCustomer._sum.costUsd!.toFixed(), perCustomer._sum.requests]).toEqual(['0.2', 200n]);
    expect(await prisma.dailyCustomerRollup.count({ where: { projectId: project.id } })).toBe(7);
  });

  it('keeps the same eventId apart in different projects', async () => {
    const one = await setup();
    const two = await setup();
    const e = { event: usageEvent(), pricing: pricedAt('1') };
    expect((await writer.write(one.batch([e]))).stored).toBe(1);
    expect((await writer.write(two.batch([e]))).stored).toBe(1);
  });
});
