import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEMO_UNPRICED_MODEL } from '@tokenledger/demo';
import type { PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, listen, startApi } from '../support/api';
import { runCli } from '../support/cli';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

const EVENTS = 3000;
// A fixed window: the same seed and options give the same eventIds and contents.
const LOAD = [
  'demo',
  'load',
  '--events',
  String(EVENTS),
  '--days',
  '14',
  '--seed',
  '7',
  '--end',
  '2026-11-01T00:00:00Z',
];

/** Raw events and each rollup level, summed per project and model: must agree exactly. */
async function totalsBySource(prisma: PrismaClient, organizationId: string) {
  const columns = `trim_scale(coalesce(sum(cost_usd), 0))::text AS cost, sum(input_tokens)::text AS input, sum(output_tokens)::text AS output,
    sum(cache_read_tokens)::text AS cache_read, sum(cache_write_tokens)::text AS cache_write,
    sum(reasoning_tokens)::text AS reasoning, sum(input_image_tokens)::text AS image, sum(input_audio_tokens)::text AS audio`;
  const raw = await prisma.$queryRawUnsafe(
    `SELECT project_id::text, model, count(*)::text AS requests,
       count(*) FILTER (WHERE pricing_status <> 'priced')::text AS unpriced, ${columns}
     FROM usage_events WHERE organization_id = $1::uuid GROUP BY 1, 2 ORDER BY 1, 2`,
    organizationId,
  );
  const levels: Record<string, unknown> = {};
  for (const table of ['hourly_rollups', 'daily_rollups', 'daily_customer_rollups'])
    levels[table] = await prisma.$queryRawUnsafe(
      `SELECT project_id::text, model, sum(requests)::text AS requests, sum(unpriced_requests)::text AS unpriced, ${columns}
       FROM ${table} WHERE organization_id = $1::uuid GROUP BY 1, 2 ORDER BY 1, 2`,
      organizationId,
    );
  return { raw, levels };
}

/** Everything a user could tell two loads apart by, keyed by project slug (not id). */
function eventTotals(prisma: PrismaClient, organizationId: string) {
  return prisma.$queryRawUnsafe(
    `SELECT p.slug, e.provider, e.model, e.feature, e.customer_id, e.environment, e.pricing_status::text AS status,
       count(*)::text AS n, sum(e.cost_usd)::text AS cost, sum(e.input_tokens)::text AS input,
       sum(e.output_tokens)::text AS output, sum(e.reasoning_tokens)::text AS reasoning,
       min(e.event_id) AS first_id, max(e.occurred_at) AS last_at
     FROM usage_events e JOIN projects p ON p.id = e.project_id
     WHERE e.organization_id = $1::uuid
     GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    organizationId,
  );
}

describe('demo load', () => {
  let prisma: PrismaClient;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let apiUrl: string;
  const home = mkdtempSync(join(tmpdir(), 'tokenledger-demo-'));
  const env = { TOKENLEDGER_HOME: home };

  beforeAll(async () => {
    prisma = testPrisma();
    const started = await startApi();
    api = started.app;
    apiUrl = await listen(api);
    worker = await startWorker({ QUEUE_PREFIX: started.queuePrefix });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await prisma?.$disconnect();
  });

  it('bulk and API paths load the same company, priced and rolled up exactly, counted once', async () => {
    const bulkTenant = await createTenant(prisma, 'demo-bulk');
    const apiTenant = await createTenant(prisma, 'demo-api');

    // Bulk path: no HTTP, the worker's pricing and rollup code; the company's projects are created.
    const bulk = await runCli([...LOAD, '--org', bulkTenant.org.slug, '--json'], env);
    expect(bulk.stderr).not.toContain('error');
    expect(bulk.code).toBe(0);
    const bulkSummary = JSON.parse(bulk.stdout);
    expect(bulkSummary).toMatchObject({
      via: 'bulk',
      organization: bulkTenant.org.slug,
      events: EVENTS,
      stored: EVENTS,
      alreadyStored: 0,
      conflicts: 0,
      window: { from: '2026-10-18T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
    });
    expect(bulkSummary.projects.map((p: { slug: string }) => p.slug).sort()).toEqual([
      'data-platform',
      'demo',
      'devtools',
    ]);
    expect(bulkSummary.projects.every((p: { created: boolean }) => p.created)).toBe(true);
    expect(bulkSummary.unpriced).toBeGreaterThan(0);
    expect(Number(bulkSummary.totalSpendUsd)).toBeGreaterThan(0);
    expect(await prisma.usageEvent.count({ where: { organizationId: bulkTenant.org.id } })).toBe(EVENTS);

    const bulkTotals = await totalsBySource(prisma, bulkTenant.org.id);
    for (const level of Object.values(bulkTotals.levels)) expect(level).toEqual(bulkTotals.raw);

    // The same load again: every event is already there and nothing is counted twice.
    const again = await runCli([...LOAD, '--org', bulkTenant.org.slug, '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ stored: EVENTS, alreadyStored: EVENTS, conflicts: 0 });
    expect(await prisma.usageEvent.count({ where: { organizationId: bulkTenant.org.id } })).toBe(EVENTS);
    expect(await totalsBySource(prisma, bulkTenant.org.id)).toEqual(bulkTotals);

    // API path: batches to POST /v1/events with an organization key, through the queue and the worker.
    const key = await createKey(prisma, apiTenant.org.id, null, ['ingest']);
    const viaApi = await runCli(
      [...LOAD, '--via', 'api', '--api-url', apiUrl, '--key', key.secret, '--batch-size', '500', '--json'],
      env,
    );
    expect(viaApi.code).toBe(0);
    const apiSummary = JSON.parse(viaApi.stdout);
    expect(apiSummary).toMatchObject({
      via: 'api',
      organization: apiTenant.org.slug,
      stored: EVENTS,
      alreadyStored: 0,
      api: { accepted: EVENTS, rejected: 0 },
    });
    expect(apiSummary.api.requests).toBeGreaterThanOrEqual(EVENTS / 500);
    const apiTotals = await totalsBySource(prisma, apiTenant.org.id);
    for (const level of Object.values(apiTotals.levels)) expect(level).toEqual(apiTotals.raw);

    // Same seed, same company: identical events, prices and totals whichever path they took.
    expect(await eventTotals(prisma, apiTenant.org.id)).toEqual(await eventTotals(prisma, bulkTenant.org.id));
    expect(apiSummary.totalSpendUsd).toBe(bulkSummary.totalSpendUsd);
    expect(apiSummary.pricing).toEqual(bulkSummary.pricing);
    expect(apiSummary.eventIdPrefix).toBe(bulkSummary.eventIdPrefix);
    const unpriced = await prisma.usageEvent.count({
      where: {
        organizationId: apiTenant.org.id,
        model: DEMO_UNPRICED_MODEL.model,
        pricingStatus: 'unpriced_model',
      },
    });
    expect(unpriced).toBeGreaterThan(0);
    expect(unpriced).toBe(bulkSummary.pricing.unpriced_model);

    // --if-empty (what npm start uses) leaves an organization with events alone.
    const skipped = await runCli([...LOAD, '--org', bulkTenant.org.slug, '--if-empty', '--json'], env);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toEqual({
      skipped: true,
      reason: `organization "${bulkTenant.org.slug}" already has events`,
    });
  });

  it('puts everything into one existing project with --project, and refuses an unknown one', async () => {
    const tenant = await createTenant(prisma, 'demo-one');
    const res = await runCli(
      [
        'demo',
        'load',
        '--events',
        '500',
        '--days',
        '3',
        '--org',
        tenant.org.slug,
        '--project',
        tenant.project.slug,
        '--json',
      ],
      env,
    );
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).projects).toEqual([
      { slug: tenant.project.slug, created: false, events: 500 },
    ]);
    expect(await prisma.usageEvent.count({ where: { projectId: tenant.project.id } })).toBe(500);
    expect(await prisma.project.count({ where: { organizationId: tenant.org.id } })).toBe(1);

    const missing = await runCli(
      ['demo', 'load', '--org', tenant.org.slug, '--project', 'nope', '--json'],
      env,
    );
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('project: no project "nope"'),
    });
  });

  it('injects seeded anomalies with --anomalies, reports them as ground truth, and stores them', async () => {
    const tenant = await createTenant(prisma, 'demo-anomalies');
    const args = [
      'demo',
      'load',
      '--events',
      '4000',
      '--days',
      '56',
      '--seed',
      '5',
      '--end',
      '2026-11-01T00:00:00Z',
    ];
    const truthFile = join(home, 'truth.json');
    const res = await runCli(
      [...args, '--anomalies', '--truth', truthFile, '--org', tenant.org.slug, '--json'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as {
      stored: number;
      anomalies: { kind: string; dimension: string; value: string; start: string; end: string }[];
    };
    expect(summary.stored).toBeGreaterThan(4000); // the anomalies add requests
    expect(summary.anomalies.map((a) => a.kind)).toEqual(
      expect.arrayContaining(['customer-spike', 'long-prompts', 'unpriced-model', 'agent-loop']),
    );
    expect(JSON.parse(readFileSync(truthFile, 'utf8'))).toMatchObject({
      seed: 5,
      anomalies: summary.anomalies,
    });
    // The unpriced model appears from its recorded day on, and never before.
    const unpriced = summary.anomalies.find((a) => a.kind === 'unpriced-model')!;
    const [first] = await prisma.$queryRawUnsafe<{ first: Date | null; priced: bigint }[]>(
      `SELECT min(occurred_at) AS first, count(*) FILTER (WHERE pricing_status = 'priced') AS priced
       FROM usage_events WHERE organization_id = $1::uuid AND model = $2`,
      tenant.org.id,
      unpriced.value,
    );
    expect(first!.first!.getTime()).toBeGreaterThanOrEqual(Date.parse(unpriced.start));
    expect(Number(first!.priced)).toBe(0);
    // Too short a window for four weeks of history is refused, naming the flag.
    const short = await runCli(['demo', 'load', '--anomalies', '--days', '30', '--json'], env);
    expect(JSON.parse(short.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.parse(short.stdout).error.message).toMatch(/^--anomalies: needs at least 50 days/);
  });

  it('names the flag at fault', async () => {
    for (const [args, message] of [
      [['--events', 'lots'], '--events: must be a whole number from 1 to 1,000,000,000 (got "lots")'],
      [['--days', '0'], '--days: must be a whole number from 1 to 1,098 (got "0")'],
      [['--via', 'carrier-pigeon'], '--via: must be bulk or api (got "carrier-pigeon")'],
      [['--end', '2999-01-01T00:00:00Z'], '--end: must not be in the future (got 2999-01-01T00:00:00.000Z)'],
    ] as const) {
      const res = await runCli(['demo', 'load', ...args, '--json'], env);
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED', message });
    }
  });
});
