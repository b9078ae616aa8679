import type { UsageEvent } from '@tokenledger/contracts';
import {
  createPgPool,
  createRepriceRun,
  runReprice,
  UsageEventWriter,
  type EventPricer,
  type PgPool,
  type PricedBatch,
  type PrismaClient,
} from '@tokenledger/db';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey } from '../support/api';
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

const V1 = '00000000-0000-4000-8000-000000000011';
const V2 = '00000000-0000-4000-8000-000000000012';

interface KeyCell {
  key: string;
  hour: string;
  requests: string;
  priced: string;
  unpriced: string;
  unpriced_out: string;
  output: string;
  cost: string;
}

/** Money as a canonical decimal string, so "1.50" and "1.5" compare equal. */
const canonical = (cells: KeyCell[]) => cells.map((c) => ({ ...c, cost: new Decimal(c.cost).toFixed() }));

describe('api_key_rollups: spend per API key, written with the events and moved by re-pricing', () => {
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

  /** What the events of the project say, per key and hour (events with no key recorded are left out). */
  const fromEvents = async (projectId: string) =>
    canonical(
      (
        await pool.query<KeyCell>(
          `SELECT api_key_id::text AS key, to_char(date_trunc('hour', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24') AS hour,
                  count(*)::text AS requests,
                  count(*) FILTER (WHERE pricing_status = 'priced')::text AS priced,
                  count(*) FILTER (WHERE pricing_status <> 'priced')::text AS unpriced,
                  coalesce(sum(output_tokens) FILTER (WHERE pricing_status <> 'priced'), 0)::text AS unpriced_out,
                  sum(output_tokens)::text AS output,
                  coalesce(sum(cost_usd) FILTER (WHERE pricing_status = 'priced'), 0)::text AS cost
           FROM usage_events WHERE project_id = $1 AND api_key_id IS NOT NULL
           GROUP BY 1, 2 ORDER BY 1, 2`,
          [projectId],
        )
      ).rows,
    );

  /** What api_key_rollups holds for the project, in the same shape. */
  const fromRollup = async (projectId: string) =>
    canonical(
      (
        await pool.query<KeyCell>(
          `SELECT api_key_id::text AS key, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS hour,
                  requests::text, priced_requests::text AS priced, unpriced_requests::text AS unpriced,
                  unpriced_output_tokens::text AS unpriced_out, output_tokens::text AS output, cost_usd::text AS cost
           FROM api_key_rollups WHERE project_id = $1 ORDER BY 1, 2`,
          [projectId],
        )
      ).rows,
    );

  it('keeps each key its own spend through plain, grouped and resent writes, and through a reprice', async () => {
    const { org, project } = await createTenant(prisma, 'key-rollups');
    const keyA = (await createKey(prisma, org.id, project.id, ['ingest'])).key.id;
    const keyB = (await createKey(prisma, org.id, project.id, ['ingest'])).key.id;
    const old = pricer({ 'gpt-5.5': '0.00003', 'deepseek-v4-pro': '0.00000348' }, V1);
    const writer = new UsageEventWriter(pool);
    const batch = (apiKeyId: string | null | undefined, events: UsageEvent[]): PricedBatch => ({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      ...(apiKeyId === undefined ? {} : { apiKeyId }),
      receivedAt: new Date(),
      events: events.map((event) => ({ event, pricing: old.price(event, org.id) })),
    });
    const ev = (model: string, occurredAt: string, outputTokens: number) =>
      usageEvent({ model, occurredAt }, { outputTokens });

    // Key A on its own, over two hours and an unpriced model.
    const shared = ev('gpt-5.5', '2026-06-01T10:05:00Z', 1000);
    await writer.write(
      batch(keyA, [
        shared,
        ev('deepseek-v4-pro', '2026-06-01T10:40:00Z', 3000),
        ev('mystery-1', '2026-06-01T11:10:00Z', 500),
      ]),
    );
    // Group commit: a batch of each key in one statement; their events share hourly cells.
    await writer.writeTogether([
      writer.prepare(
        batch(keyB, [
          ev('gpt-5.5', '2026-06-01T10:20:00Z', 2000),
          ev('mystery-1', '2026-06-01T11:30:00Z', 700),
        ]),
      ),
      writer.prepare(batch(keyA, [ev('gpt-5.5', '2026-06-01T10:50:00Z', 4000)])),
    ]);
    // No key recorded (the demo loader's batches, and every event stored before keys were).
    await writer.write(batch(null, [ev('gpt-5.5', '2026-06-01T10:10:00Z', 9000)]));
    await writer.write(batch(undefined, [ev('gpt-5.5', '2026-06-01T10:15:00Z', 8000)]));
    // A resend (key B resends one of A's eventIds with the same content): sorted out in a
    // transaction; only B's new event counts, and for B.
    const outcome = await writer.write(
      batch(keyB, [shared, ev('deepseek-v4-pro', '2026-06-01T11:45:00Z', 1500)]),
    );
    expect(outcome).toMatchObject({ stored: 1, duplicates: 1, conflicts: 0 });

    const keys = await pool.query<{ key: string | null; n: string }>(
      `SELECT api_key_id::text AS key, count(*)::text AS n FROM usage_events WHERE project_id = $1 GROUP BY 1 ORDER BY 1`,
      [project.id],
    );
    expect(keys.rows).toEqual(
      [
        { key: keyA, n: '4' },
        { key: keyB, n: '3' },
        { key: null, n: '2' },
      ].sort((x, y) => (x.key === null ? 1 : y.key === null ? -1 : x.key < y.key ? -1 : 1)),
    );
    const before = await fromRollup(project.id);
    expect(before).toEqual(await fromEvents(project.id));
    expect(
      before.map((c) => `${c.key === keyA ? 'A' : 'B'} ${c.hour} ${c.requests} ${c.cost}`).sort(),
    ).toEqual([
      'A 2026-06-01 10 3 0.16044', // 1000 × 0.00003 + 3000 × 0.00000348 + 4000 × 0.00003
      'A 2026-06-01 11 1 0',
      'B 2026-06-01 10 1 0.06',
      'B 2026-06-01 11 2 0.00522',
    ]);
    // The other levels still hold one row per cell, whatever the keys (the key is not in their key),
    // and count the keyless events too.
    const hourly = await pool.query<{ rows: string; requests: string }>(
      `SELECT count(*)::text AS rows, sum(requests)::text AS requests FROM hourly_rollups WHERE project_id = $1`,
      [project.id],
    );
    expect(hourly.rows[0]).toEqual({ rows: '4', requests: '9' });

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
    // Small chunks, so one key's events are corrected across several transactions.
    const run = await runReprice(pool, corrected, runId, 3);
    expect(run).toMatchObject({ eventsScanned: 9, eventsChanged: 9 });

    const after = await fromRollup(project.id);
    expect(after).toEqual(await fromEvents(project.id));
    expect(
      after.map((c) => `${c.key === keyA ? 'A' : 'B'} ${c.hour} ${c.priced}/${c.unpriced} ${c.cost}`).sort(),
    ).toEqual([
      'A 2026-06-01 10 3/0 0.23544', // 5000 × 0.000045 + 3000 × 0.00000348
      'A 2026-06-01 11 1/0 0.0005',
      'B 2026-06-01 10 1/0 0.09',
      'B 2026-06-01 11 2/0 0.00592', // 700 × 0.000001 + 1500 × 0.00000348
    ]);
    // Key totals are what budgets read; the hourly rollup total still includes keyless events.
    const total = await pool.query<{ cost: string }>(
      `SELECT sum(cost_usd)::text AS cost FROM hourly_rollups WHERE project_id = $1`,
      [project.id],
    );
    expect(new Decimal(total.rows[0]!.cost).toFixed()).toBe('1.09686'); // 0.33186 for the keys + 17000 × 0.000045 keyless
  });
});
