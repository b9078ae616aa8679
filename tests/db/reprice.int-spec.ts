import type { UsageEvent } from '@tokenledger/contracts';
import { buildPricer } from '@tokenledger/pricing';
import {
  createPgPool,
  createRepriceRun,
  planRepriceScope,
  RateTableRepository,
  runReprice,
  type RepriceProgress,
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

  describe('a publication re-prices only what it can change (issue 20 item 1)', () => {
    const MODELS = Array.from({ length: 20 }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
    const acmeRate = (model: string, output: string) => ({
      provider: 'acme',
      model,
      match: { exact: [model] },
      prices: { input: '1', output },
      source: 'test contract',
    });

    it('scans the corrected model and the unpriced names it now prices; every other model keeps its totals to the cent', async () => {
      const { org, project } = await createTenant(prisma, 'reprice20');
      const repo = new RateTableRepository(prisma);
      const table = { organizationId: org.id, slug: 'overrides' };
      await repo.publishVersion({
        table,
        effectiveFrom: new Date('2026-01-01T00:00:00Z'),
        rates: MODELS.map((m) => acmeRate(m, '2')),
        source: 'contract v1',
      });
      const v1 = buildPricer(await repo.loadSnapshot({ organizationId: org.id }));
      const events: UsageEvent[] = [];
      for (const [i, model] of [...MODELS, 'selfhosted-1'].entries())
        for (let n = 0; n < 12; n++)
          events.push(
            usageEvent(
              {
                provider: 'acme',
                model,
                // Two of each in May (before the range), ten in June.
                occurredAt: new Date(Date.UTC(2026, n < 2 ? 4 : 5, 1 + n, i % 24, n)).toISOString(),
              },
              { inputTokens: 1000 + n, outputTokens: 100 + i },
            ),
          );
      await new UsageEventWriter(pool).write({
        organizationId: org.id,
        projectId: project.id,
        source: 'api',
        receivedAt: new Date(),
        events: events.map((event) => ({ event, pricing: v1.price(event, org.id) })),
      });
      const perModel = async () =>
        Object.fromEntries(
          (
            await prisma.hourlyRollup.groupBy({
              by: ['model'],
              where: { projectId: project.id },
              _sum: { costUsd: true, pricedRequests: true },
            })
          ).map((r) => [r.model, `${r._sum.costUsd!.toFixed()}/${r._sum.pricedRequests}`]),
        );
      const before = await perModel();
      expect(before['selfhosted-1']).toBe('0/0');

      // The correction: m07's output price, and a price for the self-hosted model, from June.
      const since = new Date('2026-06-01T00:00:00Z');
      const v2 = await repo.publishVersion({
        table,
        effectiveFrom: since,
        rates: [acmeRate('m07', '3'), acmeRate('selfhosted-1', '0.5')],
        merge: true,
        source: 'contract v2',
      });
      const runId = await createRepriceRun(prisma, {
        organizationId: org.id,
        since,
        reason: 'published',
        rateVersionId: v2.version.id,
      });
      const progress: RepriceProgress[] = [];
      const outcome = await runReprice(
        pool,
        buildPricer(await repo.loadSnapshot({ organizationId: org.id })),
        runId,
        {
          chunkSize: 4,
          plan: (run) => planRepriceScope(prisma, pool, run),
          onProgress: (p) => progress.push(p),
        },
      );

      // Ten June events of m07 plus ten unpriced ones it can now price: nothing else was read.
      expect(outcome).toMatchObject({
        scope: 'models',
        models: [
          { provider: 'acme', model: 'm07' },
          { provider: 'acme', model: 'selfhosted-1' },
        ],
        eventsScanned: 20,
        eventsChanged: 20,
      });
      const run = await prisma.repriceRun.findUniqueOrThrow({ where: { id: runId } });
      expect(run).toMatchObject({ status: 'succeeded', eventsTotal: 20, eventsScanned: 20, scope: 'models' });
      expect(progress[0]).toEqual({ runId, done: 0, total: 20 });
      expect(progress.at(-1)).toEqual({ runId, done: 20, total: 20 });
      expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));

      const after = await perModel();
      for (const model of MODELS.filter((m) => m !== 'm07')) expect(after[model]).toBe(before[model]);
      expect(after['m07']).not.toBe(before['m07']);
      expect(after['selfhosted-1']).toMatch(/\/10$/);
      // And the corrected totals are what pricing every event afresh gives.
      const fresh = buildPricer(await repo.loadSnapshot({ organizationId: org.id }));
      const expected = (model: string) =>
        events
          .filter((e) => e.model === model)
          .reduce((sum, e) => sum.plus(fresh.price(e, org.id).totalUsd ?? 0), new Decimal(0))
          .toFixed();
      expect(after['m07']!.split('/')[0]).toBe(expected('m07'));
      expect(after['selfhosted-1']!.split('/')[0]).toBe(expected('selfhosted-1'));
    });
  });

  it('neither locks nor rewrites the rows of models a correction does not cover, and moves tag rollups by the difference', async () => {
    const { org, project } = await createTenant(prisma, 'reprice-rows');
    const repo = new RateTableRepository(prisma);
    const table = { organizationId: org.id, slug: 'overrides' };
    const rate = (model: string, output: string) => ({
      provider: 'acme',
      model,
      match: { exact: [model] },
      prices: { input: '1', output },
      source: 'test contract',
    });
    await repo.publishVersion({
      table,
      effectiveFrom: new Date('2026-01-01T00:00:00Z'),
      rates: ['a1', 'a2', 'a3'].map((m) => rate(m, '2')),
      source: 'contract v1',
    });
    const v1 = buildPricer(await repo.loadSnapshot({ organizationId: org.id }));
    const events: UsageEvent[] = [];
    for (const model of ['a1', 'a2', 'a3'])
      for (let n = 0; n < 9; n++)
        events.push(
          usageEvent(
            {
              provider: 'acme',
              model,
              occurredAt: new Date(Date.UTC(2026, 5, 1 + n, n, 7)).toISOString(),
              tags: n % 3 === 0 ? {} : { team: n % 3 === 1 ? 'red' : 'blue', tier: 'gold' },
            },
            { inputTokens: 100 + n, outputTokens: 10 + n },
          ),
        );
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: events.map((event) => ({ event, pricing: v1.price(event, org.id) })),
    });
    // A row's xmin and ctid change when it is updated, its xmax when it is locked (FOR UPDATE).
    const untouched = `SELECT event_id, xmin::text, xmax::text, ctid::text FROM usage_events
                       WHERE project_id = $1 AND model <> 'a2' ORDER BY event_id`;
    const othersBefore = (await pool.query(untouched, [project.id])).rows;
    expect(othersBefore).toHaveLength(18);

    const v2 = await repo.publishVersion({
      table,
      effectiveFrom: new Date('2026-06-01T00:00:00Z'),
      rates: [rate('a2', '5')],
      merge: true,
      source: 'contract v2',
    });
    const runId = await createRepriceRun(prisma, {
      organizationId: org.id,
      since: new Date('2026-06-01T00:00:00Z'),
      reason: 'published',
      rateVersionId: v2.version.id,
    });
    const outcome = await runReprice(
      pool,
      buildPricer(await repo.loadSnapshot({ organizationId: org.id })),
      runId,
      {
        chunkSize: 4,
        plan: (run) => planRepriceScope(prisma, pool, run),
      },
    );
    expect(outcome).toMatchObject({ scope: 'models', eventsScanned: 9, eventsChanged: 9 });
    expect(await prisma.repriceRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({
      eventsScanned: 9,
      eventsChanged: 9,
      eventsTotal: 9,
    });
    expect(await prisma.repriceChange.count({ where: { runId } })).toBe(9);
    expect((await pool.query(untouched, [project.id])).rows).toEqual(othersBefore);

    // Every rollup level and the tag rollups agree with the events as they now stand.
    const fromEvents = await pool.query<{ model: string; cost: string; priced: string }>(
      `SELECT model, sum(cost_usd)::text AS cost, count(*) FILTER (WHERE pricing_status = 'priced')::text AS priced
       FROM usage_events WHERE project_id = $1 GROUP BY 1 ORDER BY 1`,
      [project.id],
    );
    for (const level of ['hourly_rollups', 'daily_rollups', 'daily_customer_rollups'])
      expect(
        (
          await pool.query(
            `SELECT model, sum(cost_usd)::text AS cost, sum(priced_requests)::text AS priced
             FROM ${level} WHERE project_id = $1 GROUP BY 1 ORDER BY 1`,
            [project.id],
          )
        ).rows,
      ).toEqual(fromEvents.rows);
    const tagsFromEvents = await pool.query(
      `SELECT t.key, t.value, sum(e.cost_usd)::text AS cost, count(*)::text AS requests
       FROM usage_events e CROSS JOIN LATERAL jsonb_each_text(e.tags) AS t(key, value)
       WHERE e.project_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [project.id],
    );
    expect(tagsFromEvents.rows).toHaveLength(3);
    expect(
      (
        await pool.query(
          `SELECT tag_key AS key, tag_value AS value, sum(cost_usd)::text AS cost, sum(requests)::text AS requests
           FROM tag_rollups WHERE project_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
          [project.id],
        )
      ).rows,
    ).toEqual(tagsFromEvents.rows);
    // Events per rate version (what reports list) moved from v1 to v2 with them.
    const versionsOfEvents = await pool.query(
      `SELECT rate_version_id::text AS v, count(*)::text AS n FROM usage_events
       WHERE organization_id = $1 GROUP BY 1 ORDER BY 1`,
      [org.id],
    );
    expect(versionsOfEvents.rows.map((r: { v: string }) => r.v)).toContain(v2.version.id);
    expect(
      (
        await pool.query(
          `SELECT rate_version_id::text AS v, sum(events)::text AS n FROM rate_version_rollups
           WHERE organization_id = $1 GROUP BY 1 HAVING sum(events) <> 0 ORDER BY 1`,
          [org.id],
        )
      ).rows,
    ).toEqual(versionsOfEvents.rows);
    // And a2's events carry the new price (what pricing them afresh gives, and not what they had).
    const a2 = await pool.query<{ cost: string }>(
      `SELECT sum(cost_usd)::text AS cost FROM usage_events WHERE project_id = $1 AND model = 'a2'`,
      [project.id],
    );
    const fresh = buildPricer(await repo.loadSnapshot({ organizationId: org.id }));
    const sumOf = (p: { price: (e: UsageEvent, o: string) => { totalUsd: Decimal | null } }) =>
      events
        .filter((e) => e.model === 'a2')
        .reduce((sum, e) => sum.plus(p.price(e, org.id).totalUsd ?? 0), new Decimal(0));
    const expected = sumOf(fresh);
    expect(expected.equals(sumOf(v1))).toBe(false);
    expect(new Decimal(a2.rows[0]!.cost).equals(expected)).toBe(true);
  });

  it('pages by numeric id: events of one millisecond whose ids cross a power of ten are each priced once', async () => {
    const { org, project } = await createTenant(prisma, 'reprice-ids');
    // Move the id sequence (forward only) to just below the next power of ten.
    await pool.query(
      `SELECT setval(pg_get_serial_sequence('usage_events', 'id'),
         greatest((10 ^ length(last_value::text))::bigint - 3, last_value)) FROM usage_events_id_seq`,
    );
    const events = Array.from({ length: 6 }, () =>
      usageEvent({ model: 'gpt-5.5', occurredAt: '2026-06-02T10:00:00.000Z' }, { outputTokens: 1000 }),
    );
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: events.map((event) => ({
        event,
        pricing: pricer({ 'gpt-5.5': '0.00003' }, V1).price(event, org.id),
      })),
    });
    const ids = (
      await pool.query<{ id: string }>(`SELECT id::text FROM usage_events WHERE project_id = $1`, [
        project.id,
      ])
    ).rows.map((r) => r.id);
    expect(new Set(ids.map((id) => id.length)).size).toBe(2);
    const runId = await createRepriceRun(prisma, {
      organizationId: org.id,
      since: new Date('2026-06-01T00:00:00Z'),
      reason: 'ids',
    });
    const outcome = await runReprice(pool, pricer({ 'gpt-5.5': '0.00004' }, V2), runId, 2);
    expect(outcome).toMatchObject({ eventsScanned: 6, eventsChanged: 6 });
    const priced = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM usage_events WHERE project_id = $1 AND rate_version_id = $2`,
      [project.id, V2],
    );
    expect(priced.rows[0]!.n).toBe('6');
  });

  it('redoes a chunk under row locks when another writer changed one of its events after it was read', async () => {
    const { org, project } = await createTenant(prisma, 'reprice-race');
    const events = Array.from({ length: 5 }, (_, n) =>
      usageEvent({ model: 'gpt-5.5', occurredAt: `2026-06-0${n + 1}T10:00:00Z` }, { outputTokens: 1000 + n }),
    );
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: events.map((event) => ({
        event,
        pricing: pricer({ 'gpt-5.5': '0.00003' }, V1).price(event, org.id),
      })),
    });
    const V3 = '00000000-0000-4000-8000-000000000003';
    const V4 = '00000000-0000-4000-8000-000000000004';
    // Between the chunk's read and its update, another writer moves one event to version V3
    // (same cost: the rollups stay right), as a concurrent run would.
    const target = events[2]!.eventId;
    let raced = 0;
    const wrapped = new WeakSet<object>();
    const racing = {
      query: pool.query.bind(pool),
      connect: async () => {
        const client = await pool.connect();
        if (wrapped.has(client)) return client; // a pooled client comes back: wrap it once
        wrapped.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as unknown as { query: unknown }).query = async (...args: unknown[]) => {
          const text = typeof args[0] === 'string' ? args[0] : '';
          if (text.trimStart().startsWith('WITH u AS') && raced++ === 0)
            await pool.query(
              `UPDATE usage_events SET rate_version_id = $2 WHERE project_id = $1 AND event_id = $3`,
              [project.id, V3, target],
            );
          return query(...args);
        };
        return client;
      },
    } as unknown as PgPool;
    const runId = await createRepriceRun(prisma, {
      organizationId: org.id,
      since: new Date('2026-06-01T00:00:00Z'),
      reason: 'race',
    });
    const outcome = await runReprice(racing, pricer({ 'gpt-5.5': '0.00004' }, V4), runId, 10);
    expect(raced).toBe(2); // the first attempt met the change and was rolled back; the retry went through
    expect(outcome).toMatchObject({ eventsScanned: 5, eventsChanged: 5 });
    const rows = await pool.query<{ event_id: string; v: string; cost: string }>(
      `SELECT event_id, rate_version_id::text AS v, cost_usd::text AS cost FROM usage_events WHERE project_id = $1`,
      [project.id],
    );
    expect(rows.rows.every((r) => r.v === V4)).toBe(true);
    const logged = await prisma.repriceChange.findMany({ where: { runId } });
    expect(logged).toHaveLength(5);
    expect(logged.find((c) => c.eventId === target)?.rateVersionBefore).toBe(V3);
    const events$ = rows.rows.reduce((sum, r) => sum.plus(r.cost), new Decimal(0));
    expect((await rollupTotals(project.id)).cost).toBe(events$.toFixed());
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
