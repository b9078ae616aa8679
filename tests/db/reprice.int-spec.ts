import type { UsageEvent } from '@tokenledger/contracts';
import {
  createPgPool,
  createRepriceRun,
  runReprice,
  UsageEventWriter,
  type EventPricer,
  type PgPool,
  type PrismaClient,
} from '@tokenledger/db';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';

/** A pricer with one rate per model: $ per output token; models it lacks are unpriced. */
function pricer(rates: Record<string, string>, version: string): EventPricer {
  return {
    price: (e: UsageEvent) =>
      rates[e.model]
        ? {
            ...pricedAt(new Decimal(rates[e.model]!).times(e.usage.outputTokens).toFixed(), version),
            pricedModel: e.model,
          }
        : UNPRICED,
  };
}

const V1 = '00000000-0000-4000-8000-000000000001';
const V2 = '00000000-0000-4000-8000-000000000002';

describe('re-pricing (real Postgres)', () => {
  let prisma: PrismaClient;
  let pool: PgPool;

  beforeAll(() => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 4);
  });
  afterAll(async () => {
    await pool.end();
    await prisma.$disconnect();
  });

  async function seed() {
    const { org, project } = await createTenant(prisma, 'reprice');
    const writer = new UsageEventWriter(pool);
    const old = pricer({ 'gpt-5.5': '0.00003', 'deepseek-v4-pro': '0.00000348' }, V1);
    const events = [
      usageEvent({ model: 'gpt-5.5', occurredAt: '2026-05-31T23:00:00Z' }, { outputTokens: 1000 }), // before the range
      usageEvent(
        { model: 'gpt-5.5', occurredAt: '2026-06-01T10:00:00Z', feature: 'chat' },
        { outputTokens: 2000 },
      ),
      usageEvent({ model: 'deepseek-v4-pro', occurredAt: '2026-06-01T11:00:00Z' }, { outputTokens: 1000 }),
      usageEvent(
        { model: 'mystery-1', occurredAt: '2026-06-01T12:00:00Z' },
        { inputTokens: 50, outputTokens: 500 },
      ),
    ];
    await writer.write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: events.map((event) => ({ event, pricing: old.price(event, org.id) })),
    });
    return { org, project, events };
  }

  const rollupTotals = async (projectId: string) => {
    const r = await prisma.hourlyRollup.aggregate({
      where: { projectId },
      _sum: {
        costUsd: true,
        pricedRequests: true,
        unpricedRequests: true,
        unpricedOutputTokens: true,
        requests: true,
      },
    });
    return {
      cost: r._sum.costUsd!.toFixed(),
      priced: r._sum.pricedRequests,
      unpriced: r._sum.unpricedRequests,
      unpricedOut: r._sum.unpricedOutputTokens,
      requests: r._sum.requests,
    };
  };

  it('changes exactly the affected events and moves the rollups by the difference', async () => {
    const { org, project, events } = await seed();
    expect(await rollupTotals(project.id)).toEqual({
      cost: '0.09348',
      priced: 3n,
      unpriced: 1n,
      unpricedOut: 500n,
      requests: 4n,
    });

    // Correction: gpt-5.5 output was $45/M, and the mystery model now has a price.
    const corrected = pricer(
      { 'gpt-5.5': '0.000045', 'deepseek-v4-pro': '0.00000348', 'mystery-1': '0.000001' },
      V2,
    );
    const runId = await createRepriceRun(prisma, {
      organizationId: org.id,
      since: new Date('2026-06-01T00:00:00Z'),
      reason: 'test correction',
    });
    const outcome = await runReprice(pool, corrected, runId, 2);

    expect(outcome).toMatchObject({
      eventsScanned: 3,
      eventsChanged: 3,
      totalBefore: '0.06348',
      totalAfter: '0.09398',
    });
    // deepseek changed only its version (same cost); gpt-5.5 in range: 0.06 → 0.09; mystery: unpriced → 0.0005.
    const stored = await prisma.usageEvent.findMany({
      where: { projectId: project.id },
      orderBy: { occurredAt: 'asc' },
    });
    expect(
      stored.map((e) => [e.model, e.costUsd?.toFixed() ?? null, e.pricingStatus, e.rateVersionId]),
    ).toEqual([
      ['gpt-5.5', '0.03', 'priced', V1],
      ['gpt-5.5', '0.09', 'priced', V2],
      ['deepseek-v4-pro', '0.00348', 'priced', V2],
      ['mystery-1', '0.0005', 'priced', V2],
    ]);
    expect(await rollupTotals(project.id)).toEqual({
      cost: '0.12398',
      priced: 4n,
      unpriced: 0n,
      unpricedOut: 0n,
      requests: 4n,
    });

    const changes = await prisma.repriceChange.findMany({ where: { runId }, orderBy: { occurredAt: 'asc' } });
    expect(
      changes.map((c) => [
        c.eventId,
        c.costBefore?.toFixed() ?? null,
        c.costAfter?.toFixed() ?? null,
        c.statusBefore,
        c.statusAfter,
      ]),
    ).toEqual([
      [events[1]!.eventId, '0.06', '0.09', 'priced', 'priced'],
      [events[2]!.eventId, '0.00348', '0.00348', 'priced', 'priced'],
      [events[3]!.eventId, null, '0.0005', 'unpriced_model', 'priced'],
    ]);
    const run = await prisma.repriceRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe('succeeded');
    expect(run.versionsUsed).toEqual([{ rateVersionId: V2, events: 3 }]);

    // Running the same correction again changes nothing.
    const again = await runReprice(
      pool,
      corrected,
      await createRepriceRun(prisma, {
        organizationId: org.id,
        since: new Date('2026-06-01T00:00:00Z'),
        reason: 'again',
      }),
    );
    expect(again.eventsChanged).toBe(0);
    expect(await rollupTotals(project.id)).toEqual({
      cost: '0.12398',
      priced: 4n,
      unpriced: 0n,
      unpricedOut: 0n,
      requests: 4n,
    });
  });

  it('leaves other organizations alone', async () => {
    const a = await seed();
    const b = await seed();
    const runId = await createRepriceRun(prisma, {
      organizationId: a.org.id,
      since: new Date('2026-01-01T00:00:00Z'),
      reason: 'a only',
    });
    await runReprice(pool, pricer({ 'gpt-5.5': '1' }, V2), runId);
    expect((await rollupTotals(b.project.id)).cost).toBe('0.09348');
    expect((await rollupTotals(a.project.id)).cost).not.toBe('0.09348');
  });

  it('refuses a range that ends before it starts', async () => {
    await expect(
      createRepriceRun(prisma, {
        organizationId: null,
        since: new Date('2026-06-02'),
        until: new Date('2026-06-01'),
        reason: 'x',
      }),
    ).rejects.toThrow('until');
  });
});
