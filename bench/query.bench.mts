// `npm run bench:query` (issue 5, "Speed"): 10 million demo events over 90 days loaded into a
// database of its own (the bulk path of `demo load`), then GraphQL `spend` grouped by MODEL × DAY
// over the last 30 days, through the real HTTP endpoint of a running API, timed call by call.
// Reported beside it: the same query's SQL alone, and the same aggregate computed from the raw
// usage_events, as a ratio. Target: p95 < 100 ms.
//
//   BENCH_QUERY_EVENTS=10000000  BENCH_QUERY_RUNS=200
import {
  ApiKeyRepository,
  createPgPool,
  createPrismaClient,
  RateTableRepository,
  Store,
  type SpendPlan,
} from '@tokenledger/db';
import { Decimal } from 'decimal.js';
import {
  benchQueuePrefix,
  createBenchDatabase,
  figure,
  freePort,
  latencySummary,
  log,
  machineFacts,
  REDIS_URL,
  runBench,
  spawnApp,
  waitForHttp,
  writeReport,
  demoLoad,
} from './support/bench-env.mjs';

const EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 200);
const WARMUP = 20;
const DAY_MS = 86_400_000;

const SPEND_QUERY = `query Spend($filter: SpendFilter!) {
  spend(filter: $filter, groupBy: [MODEL, DAY]) {
    model period costUsd requests inputTokens outputTokens cacheReadTokens reasoningTokens unpricedRequests
  }
}`;

interface SpendRow {
  model: string;
  period: string;
  costUsd: string;
  requests: number;
}

async function time<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await body();
  return { ms: performance.now() - t0, value };
}

await runBench(async (cleanup) => {
  const startedAt = new Date();
  const machine = await machineFacts();
  const db = await createBenchDatabase(cleanup);
  const prisma = createPrismaClient(db.url, { poolSize: 2 });
  cleanup.add('disconnect prisma', () => prisma.$disconnect());
  const pool = createPgPool(db.url, 2);
  cleanup.add('close pg pool', () => pool.end());
  await new RateTableRepository(prisma).importBuiltInCatalog();
  const org = await prisma.organization.create({ data: { slug: 'bench', name: 'Benchmark' } });

  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  log(`loading ${EVENTS.toLocaleString('en-US')} demo events over 90 days (demo load, bulk path)`);
  const loaded = await demoLoad(db.url, { events: EVENTS, end: today });
  // What autovacuum would have done by the time anyone queries: fair to both sides.
  const analyze = await time(() =>
    pool.query('VACUUM ANALYZE usage_events, hourly_rollups, daily_rollups, daily_customer_rollups'),
  );
  const sizes = (
    await pool.query<{ name: string; rows: string; size: string }>(
      `SELECT relname AS name, n_live_tup::text AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size
       FROM pg_stat_user_tables
       WHERE relname IN ('usage_events', 'usage_event_keys', 'hourly_rollups', 'daily_rollups', 'daily_customer_rollups')
       ORDER BY pg_total_relation_size(relid) DESC`,
    )
  ).rows;
  log(`loaded in ${loaded.seconds} s; VACUUM ANALYZE ${(analyze.ms / 1000).toFixed(1)} s`);

  const { secret } = await new ApiKeyRepository(prisma).create({
    organizationId: org.id,
    projectId: null,
    name: 'bench read',
    scopes: ['read'],
  });
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = spawnApp(cleanup, 'api', {
    DATABASE_URL: db.url,
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    QUEUE_PREFIX: benchQueuePrefix(cleanup),
  });
  await waitForHttp(`${apiUrl}/readyz`, api);

  const filter = { from: new Date(today.getTime() - 30 * DAY_MS).toISOString(), to: today.toISOString() };
  const spend = async (): Promise<SpendRow[]> => {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: SPEND_QUERY, variables: { filter } }),
    });
    const json = (await response.json()) as { data?: { spend: SpendRow[] }; errors?: unknown };
    if (!json.data) throw new Error(`spend failed: ${JSON.stringify(json.errors)}`);
    return json.data.spend;
  };

  // Through HTTP, as the dashboard calls it.
  for (let i = 0; i < WARMUP; i++) await spend();
  const graphql: number[] = [];
  let rows: SpendRow[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = await time(spend);
    graphql.push(t.ms);
    rows = t.value;
  }
  const graphqlLatency = latencySummary(graphql);
  log(
    `GraphQL spend MODEL × DAY: p50 ${graphqlLatency.p50.toFixed(1)} ms, p95 ${graphqlLatency.p95.toFixed(1)} ms`,
  );

  // The SQL the API's planner sends, alone.
  const plan: SpendPlan = await new Store(prisma, pool).analytics.planSpend(
    { organizationId: org.id, slug: org.slug, projectId: null },
    {
      from: new Date(filter.from),
      to: new Date(filter.to),
      groupBy: ['MODEL', 'DAY'],
      timeZone: 'UTC',
      limit: 1000,
    },
  );
  const sqlOnly: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t = await time(() => pool.query(plan.sql, plan.params));
    if (i >= WARMUP) sqlOnly.push(t.ms);
  }
  const sqlLatency = latencySummary(sqlOnly);

  // The same aggregate from the raw events: what every dashboard load would cost without rollups.
  const rawSql = `
    SELECT model, date_trunc('day', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS period,
           coalesce(sum(cost_usd), 0)::text AS cost_usd, count(*)::text AS requests,
           sum(input_tokens)::text AS input_tokens, sum(output_tokens)::text AS output_tokens,
           sum(cache_read_tokens)::text AS cache_read_tokens, sum(reasoning_tokens)::text AS reasoning_tokens,
           count(*) FILTER (WHERE pricing_status <> 'priced')::text AS unpriced_requests
    FROM usage_events
    WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3
    GROUP BY 1, 2 ORDER BY 2, 3 DESC`;
  const rawParams = [org.id, filter.from, filter.to];
  await pool.query(rawSql, rawParams); // warm the cache once
  const raw: number[] = [];
  let rawRows: { model: string; period: Date; cost_usd: string; requests: string }[] = [];
  const rawBudget = performance.now() + 90_000;
  for (let i = 0; i < 10 && (i < 3 || performance.now() < rawBudget); i++) {
    const t = await time(() => pool.query<(typeof rawRows)[number]>(rawSql, rawParams));
    raw.push(t.ms);
    rawRows = t.value.rows;
  }
  const rawLatency = latencySummary(raw);
  const rawEvents = rawRows.reduce((n, r) => n + Number(r.requests), 0);

  // Both must say the same thing.
  const key = (model: string, period: string | Date) => `${model} ${new Date(period).toISOString()}`;
  const fromRaw = new Map(rawRows.map((r) => [key(r.model, r.period), r]));
  const identical =
    rows.length === rawRows.length &&
    rows.every((r) => {
      const x = fromRaw.get(key(r.model, r.period));
      return x !== undefined && new Decimal(x.cost_usd).eq(r.costUsd) && Number(x.requests) === r.requests;
    });

  const figures = [
    figure(
      `GraphQL spend grouped by MODEL × DAY over 30 days, p95 over HTTP (${(EVENTS / 1e6).toLocaleString('en-US')}M events over 90 days loaded)`,
      round(graphqlLatency.p95),
      'ms',
      {
        target: { op: '<', value: 100 },
        reference: {
          name: 'the same aggregate from raw usage_events (SQL, p95)',
          value: round(rawLatency.p95),
          unit: 'ms',
          faster: true,
        },
      },
    ),
    figure('GraphQL spend MODEL × DAY, p50 over HTTP', round(graphqlLatency.p50), 'ms', {
      reference: {
        name: 'raw usage_events aggregate (SQL, p50)',
        value: round(rawLatency.p50),
        unit: 'ms',
        faster: true,
      },
    }),
    figure(`Its SQL alone (${plan.table}), p95`, round(sqlLatency.p95), 'ms'),
    figure('Bulk load of the demo traffic (demo load --via bulk)', loaded.eventsPerSecond, 'events/s'),
  ];
  const report = {
    name: 'query',
    title: 'Reading spend: GraphQL over rollups vs the same aggregate over raw events',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    figures,
    notes: [
      `${EVENTS.toLocaleString('en-US')} demo events (libs/demo, seed 1) over the 90 days before ${today.toISOString().slice(0, 10)}, loaded by \`demo load\` (bulk path: the worker's pricing and rollup code) in ${loaded.seconds} s into database ${db.name}, then VACUUM ANALYZE.`,
      `GraphQL: ${RUNS} sequential POST /graphql calls (after ${WARMUP} warm-up) from this process to the API running as its own process, read key in the Authorization header; filter ${filter.from} → ${filter.to}; ${rows.length} rows. Planner's table: ${plan.table}.`,
      `Raw: the same grouping over usage_events in that range (${rawEvents.toLocaleString('en-US')} events), ${raw.length} runs after one warm-up, through pg directly (no HTTP); results ${identical ? 'identical to' : 'DIFFERENT from'} the GraphQL rows (cost and requests per model and day).`,
      `Table sizes: ${sizes.map((s) => `${s.name} ${Number(s.rows).toLocaleString('en-US')} rows, ${s.size}`).join('; ')}.`,
    ],
    details: {
      machine,
      events: EVENTS,
      load: loaded,
      vacuumAnalyzeSeconds: analyze.ms / 1000,
      graphql: graphqlLatency,
      sqlOnly: sqlLatency,
      raw: { ...rawLatency, runs: raw },
      rows: rows.length,
      identical,
      plan: { table: plan.table, sql: plan.sql },
      sizes,
    },
  };
  const path = writeReport(report);
  console.log(`\n${report.title}`);
  console.table(
    figures.map((f) => ({
      figure: f.name,
      value: `${f.value.toLocaleString('en-US')} ${f.unit}`,
      target: f.target ? `${f.target.op} ${f.target.value}: ${f.target.met ? 'met' : 'NOT met'}` : '',
      reference: f.reference
        ? `${f.reference.name}: ${f.reference.value.toLocaleString('en-US')} ${f.reference.unit} (${f.reference.ratioText})`
        : '',
    })),
  );
  for (const note of report.notes) console.log(`- ${note}`);
  console.log(`\nfigures: ${path}`);
});

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
