import {
  createPgPool,
  GroupCommitWriter,
  UsageEventWriter,
  type PgPool,
  type PreparedBatch,
  type PricedBatch,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';

/** The real writer, recording how many batches each group write took, and how many writes ran at once. */
class CountingWriter extends UsageEventWriter {
  readonly together: number[] = [];
  mostAtOnce = 0;
  private running = 0;

  override async writeTogether(batches: readonly PreparedBatch[]) {
    this.together.push(batches.length);
    return this.counted(() => super.writeTogether(batches));
  }

  override async write(batch: PricedBatch | PreparedBatch) {
    return this.counted(() => super.write(batch));
  }

  private async counted<T>(run: () => Promise<T>): Promise<T> {
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.running);
    try {
      return await run();
    } finally {
      this.running--;
    }
  }
}

describe('GroupCommitWriter (real Postgres)', () => {
  let prisma: PrismaClient;
  let pool: PgPool;

  beforeAll(() => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 8);
  });
  afterAll(async () => {
    await pool.end();
    await prisma.$disconnect();
  });

  async function setup(options = { inFlight: 1, maxEvents: 2000 }) {
    const { org, project } = await createTenant(prisma, 'group');
    const batch = (events: PricedEvent[], receivedAt = new Date()): PricedBatch => ({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt,
      events,
    });
    const writer = new CountingWriter(pool);
    const totals = async () => {
      const [events, hourly, daily, perCustomer] = await Promise.all([
        prisma.usageEvent.count({ where: { projectId: project.id } }),
        prisma.hourlyRollup.aggregate({
          where: { projectId: project.id },
          _sum: { requests: true, costUsd: true },
        }),
        prisma.dailyRollup.aggregate({
          where: { projectId: project.id },
          _sum: { requests: true, costUsd: true },
        }),
        prisma.dailyCustomerRollup.aggregate({
          where: { projectId: project.id },
          _sum: { requests: true, costUsd: true },
        }),
      ]);
      return {
        events,
        rollups: [hourly, daily, perCustomer].map((r) => [
          Number(r._sum.requests),
          r._sum.costUsd?.toFixed(),
        ]),
      };
    };
    return { org, project, batch, writer, group: new GroupCommitWriter(writer, options), totals };
  }

  const priced = (n: number, customer = 'acme') =>
    Array.from({ length: n }, () => ({
      event: usageEvent({ customerId: customer }),
      pricing: pricedAt('0.01'),
    }));

  it('writes the batches that wait behind a write as one statement, each with its own outcome', async () => {
    const { project, batch, writer, group, totals } = await setup();
    const receivedAt = [0, 1, 2, 3, 4].map((i) => new Date(Date.UTC(2026, 5, 1, 12, 0, i)));
    const batches = receivedAt.map((at, i) => batch(priced(10 + i), at));
    batches[3]!.events[0] = { event: usageEvent({ model: 'mystery' }), pricing: UNPRICED };
    const outcomes = await Promise.all(batches.map((b) => group.write(b)));

    // The first found the project idle and went alone; the four that came while it ran, together.
    expect(writer.together).toEqual([4]);
    expect(writer.mostAtOnce).toBe(1);
    expect(outcomes.map((o) => [o.stored, o.duplicates, o.conflicts, o.unpriced])).toEqual([
      [10, 0, 0, 0],
      [11, 0, 0, 0],
      [12, 0, 0, 0],
      [13, 0, 0, 1],
      [14, 0, 0, 0],
    ]);
    expect(await totals()).toEqual({
      events: 60,
      rollups: [
        [60, '0.59'],
        [60, '0.59'],
        [60, '0.59'],
      ],
    });
    // Each event keeps its own batch's receivedAt, in the events and in the idempotency keys.
    const stored = await prisma.usageEvent.findFirstOrThrow({
      where: { projectId: project.id, eventId: batches[4]!.events[2]!.event.eventId },
    });
    expect(stored.receivedAt.toISOString()).toBe('2026-06-01T12:00:04.000Z');
    const key = await prisma.usageEventKey.findFirstOrThrow({
      where: { projectId: project.id, eventId: batches[2]!.events[0]!.event.eventId },
    });
    expect(key.receivedAt.toISOString()).toBe('2026-06-01T12:00:02.000Z');
  });

  it('takes waiting batches only up to maxEvents per write', async () => {
    const { batch, writer, group, totals } = await setup({ inFlight: 1, maxEvents: 25 });
    const outcomes = await Promise.all(Array.from({ length: 7 }, () => group.write(batch(priced(10)))));
    // 1 alone, then groups of at most 25 events: 2 + 2 + 2 batches.
    expect(writer.together).toEqual([2, 2, 2]);
    expect(outcomes.every((o) => o.stored === 10)).toBe(true);
    expect((await totals()).events).toBe(70);
  });

  it('keeps up to inFlight writes going at once; the rest wait and go together', async () => {
    const { batch, writer, group, totals } = await setup({ inFlight: 2, maxEvents: 2000 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => group.write(batch(priced(10)))));
    // Two went alone, at the same time; the four that waited went together in the first slot freed.
    expect(writer.mostAtOnce).toBe(2);
    expect(writer.together).toEqual([4]);
    expect(outcomes.every((o) => o.stored === 10)).toBe(true);
    expect(await totals()).toEqual({
      events: 60,
      rollups: [
        [60, '0.6'],
        [60, '0.6'],
        [60, '0.6'],
      ],
    });
  });

  it('sorts out a group holding a resend batch by batch: counted once, the conflict on its own batch', async () => {
    const { project, batch, group, totals } = await setup();
    const first = priced(5);
    await group.write(batch(first));
    const changed = { event: { ...first[1]!.event, model: 'gpt-5.4' }, pricing: pricedAt('7') };
    const busy = group.write(batch(priced(3))); // keeps the project busy so the rest wait together
    const outcomes = await Promise.all([
      busy,
      group.write(batch(priced(4))),
      group.write(batch([first[0]!, ...priced(2)])), // one resend, two new
      group.write(batch([changed])), // same eventId, different content
      group.write(batch(priced(6))),
    ]);
    expect(outcomes.map((o) => [o.stored, o.duplicates, o.conflicts])).toEqual([
      [3, 0, 0],
      [4, 0, 0],
      [2, 1, 0],
      [0, 0, 1],
      [6, 0, 0],
    ]);
    expect(await totals()).toEqual({
      events: 20,
      rollups: [
        [20, '0.2'],
        [20, '0.2'],
        [20, '0.2'],
      ],
    });
    expect(await prisma.eventConflict.count({ where: { projectId: project.id } })).toBe(1);
  });

  it('fails only the batch PostgreSQL refuses; the others of its group are stored', async () => {
    const { group, batch, totals } = await setup();
    const busy = group.write(batch(priced(2)));
    // latency_ms is an int column: 2^31 does not fit, so this batch cannot be written.
    const poison = batch([{ event: { ...usageEvent(), latencyMs: 2 ** 31 }, pricing: pricedAt('1') }]);
    const results = await Promise.allSettled([
      busy,
      group.write(batch(priced(3))),
      group.write(poison),
      group.write(batch(priced(4))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/out of range/);
    expect(await totals()).toEqual({
      events: 9,
      rollups: [
        [9, '0.09'],
        [9, '0.09'],
        [9, '0.09'],
      ],
    });
  });

  it('keeps projects apart: one project’s writes never wait for, or join, another’s', async () => {
    const one = await setup();
    const two = await setup();
    const shared = new GroupCommitWriter(one.writer, { inFlight: 1, maxEvents: 2000 });
    const outcomes = await Promise.all([
      shared.write(one.batch(priced(3))),
      shared.write(two.batch(priced(4))),
      shared.write(one.batch(priced(5))),
      shared.write(two.batch(priced(6))),
    ]);
    expect(outcomes.map((o) => o.stored)).toEqual([3, 4, 5, 6]);
    // Both projects' first batches went at once; nothing joined a group of the other project.
    expect(one.writer.together).toEqual([]);
    expect((await one.totals()).events).toBe(8);
    expect((await two.totals()).events).toBe(10);
  });
});
