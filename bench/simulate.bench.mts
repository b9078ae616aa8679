// `npm run bench:simulate` (issue 14, "Speed"): demo events over 90 days loaded into a database of
// its own (the bulk path of `demo load`), then GraphQL `simulate` (gpt-5.5 → deepseek-v4-pro, the
// whole organization, the last 30 days) and `recommendations` through the HTTP endpoint of a
// running API, timed call by call. Reported beside them: the same scenario by brute force (every
// raw event of the range read and re-priced with the Pricer), as the reference ratio; the traffic
// mix's rows and bytes beside the events table's; and the demo's calibrated support-chat ratio.
// Targets: simulate p95 < 1 s (one feature < 200 ms), recommendations p95 < 3 s.
//
//   BENCH_SIMULATE_EVENTS=10000000  BENCH_SIMULATE_RUNS=50
import type { UsageEvent } from '@tokenledger/contracts';
import {
  ApiKeyRepository,
  createPgPool,
  createPrismaClient,
  RateTableRepository,
  Store,
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

const EVENTS = Number(process.env.BENCH_SIMULATE_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_SIMULATE_RUNS ?? 50);
const WARMUP = 5;
const DAY_MS = 86_400_000;

const SIMULATE = `query Simulate($s: ScenarioInput!) {
  simulate(scenario: $s) {
    baselineUsd projectedUsd savingsUsd savingsPercent monthlySavingsUsd movedShareOfRequests warnings
    stayed { reason requests costUsd }
    byFeature { key baselineUsd projectedUsd }
    moves { outputEfficiency { mode ratio low high calibrations { feature outputRatio outputLow outputHigh sourceDays targetDays } } }
    quality { note }
  }
}`;
const RECOMMEND = `query Recommend($f: SpendFilter!) {
  recommendations(filter: $f, tolerance: 5) { feature sourceModel targetProvider targetModel monthlySavingsUsd movableShare }
}`;

async function time<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await body();
  return { ms: performance.now() - t0, value };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

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
  await pool.query('VACUUM ANALYZE usage_events, daily_rollups, daily_traffic_mix');
  const store = new Store(prisma, pool);
  const size = await store.analytics.trafficMixSize();
  log(
    `loaded in ${loaded.seconds} s; traffic mix ${size.mixRows.toLocaleString('en-US')} rows (${(size.mixBytes / 1e6).toFixed(1)} MB) beside ${size.eventRows.toLocaleString('en-US')} events (${(size.eventBytes / 1e6).toFixed(1)} MB)`,
  );

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

  const call = async <T,>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await response.json()) as { data?: T; errors?: unknown };
    if (!json.data) throw new Error(`GraphQL failed: ${JSON.stringify(json.errors)}`);
    return json.data;
  };
  const filter = { from: new Date(today.getTime() - 30 * DAY_MS).toISOString(), to: today.toISOString() };
  const move = { fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' };
  type Sim = {
    simulate: {
      baselineUsd: string;
      projectedUsd: string;
      savingsPercent: string | null;
      movedShareOfRequests: number;
    };
  };

  const timed = async (runs: number, body: () => Promise<unknown>) => {
    for (let i = 0; i < WARMUP; i++) await body();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await time(body)).ms);
    return latencySummary(samples);
  };
  let whole: Sim['simulate'] | null = null;
  const wholeLatency = await timed(RUNS, async () => {
    whole = (await call<Sim>(SIMULATE, { s: { filter, moves: [move] } })).simulate;
  });
  log(`simulate, whole org: p50 ${wholeLatency.p50.toFixed(0)} ms, p95 ${wholeLatency.p95.toFixed(0)} ms`);
  const featureLatency = await timed(RUNS, () =>
    call<Sim>(SIMULATE, { s: { filter: { ...filter, features: ['support-chat'] }, moves: [move] } }),
  );
  log(`simulate, one feature: p95 ${featureLatency.p95.toFixed(0)} ms`);
  let recommendations: unknown[] = [];
  const recommendLatency = await timed(Math.max(5, Math.round(RUNS / 5)), async () => {
    recommendations = (await call<{ recommendations: unknown[] }>(RECOMMEND, { f: filter })).recommendations;
  });
  log(`recommendations: p95 ${recommendLatency.p95.toFixed(0)} ms (${recommendations.length} rows)`);

  // The demo's own calibration: support chat ran on both models (it moved halfway through the 90 days).
  const ninety = { from: new Date(today.getTime() - 90 * DAY_MS).toISOString(), to: today.toISOString() };
  const calibrated = (
    await call<{
      simulate: {
        moves: { outputEfficiency: { ratio: number; low: number; high: number; calibrations: unknown[] } }[];
      };
    }>(SIMULATE, {
      s: {
        filter: { ...ninety, features: ['support-chat'] },
        moves: [
          { ...move, outputEfficiency: { mode: 'CALIBRATED' }, inputEfficiency: { mode: 'CALIBRATED' } },
        ],
      },
    })
  ).simulate.moves.map((m) => m.outputEfficiency)[0] ?? { ratio: 1, low: 1, high: 1, calibrations: [] };
  log(
    `demo support-chat calibrated output ratio ${calibrated.ratio.toFixed(3)} [${calibrated.low.toFixed(3)}, ${calibrated.high.toFixed(3)}]`,
  );

  // Brute force: every raw event of the range read and re-priced, the way the scenario says.
  const pricer = await store.pricer().current();
  const facts = await store.modelFacts.all();
  const target = facts.find((f) => f.provider === 'deepseek' && f.model === 'deepseek-v4-pro');
  if (!target) throw new Error('the catalog has no deepseek/deepseek-v4-pro facts');
  const brute = await time(async () => {
    let total = new Decimal(0);
    let after: [string, string] = ['-infinity', '0'];
    let scanned = 0;
    for (;;) {
      const { rows } = await pool.query<Record<string, string | string[] | null>>(
        `SELECT id::text, occurred_at, provider, model, input_tokens::text i, output_tokens::text o, cache_read_tokens::text cr,
           cache_write_tokens::text cw, cache_write_1h_tokens::text cw1, reasoning_tokens::text r, input_audio_tokens::text ia,
           output_audio_tokens::text oa, input_image_tokens::text img, input_modalities, service_tier, cost_usd::text cost, pricing_status
         FROM usage_events WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND (occurred_at, id) > ($4::timestamptz, $5::bigint)
         ORDER BY occurred_at, id LIMIT 50000`,
        [org.id, filter.from, filter.to, after[0], after[1]],
      );
      if (rows.length === 0) break;
      scanned += rows.length;
      for (const e of rows) {
        const cost = new Decimal((e.cost as string | null) ?? 0);
        const modalities = e.input_modalities as string[];
        const eligible =
          e.model === 'gpt-5.5' &&
          e.pricing_status === 'priced' &&
          !modalities.some((m) => !target.inputModalities.includes(m)) &&
          Number(e.img) === 0 &&
          Number(e.ia) === 0 &&
          (target.contextWindow === null || Number(e.i) <= target.contextWindow);
        if (!eligible) {
          total = total.plus(cost);
          continue;
        }
        const event: UsageEvent = {
          eventId: 'brute',
          occurredAt: new Date(e.occurred_at as unknown as Date).toISOString(),
          provider: 'deepseek',
          model: 'deepseek-v4-pro',
          usage: {
            inputTokens: Number(e.i),
            outputTokens: Number(e.o),
            cacheReadTokens: Number(e.cr),
            cacheWriteTokens: Number(e.cw),
            cacheWrite1hTokens: Number(e.cw1),
            reasoningTokens: Number(e.r),
            inputAudioTokens: Number(e.ia),
            outputAudioTokens: Number(e.oa),
            inputImageTokens: Number(e.img),
          },
          serviceTier: e.service_tier as UsageEvent['serviceTier'],
          feature: null,
          customerId: null,
          environment: 'production',
          inputModalities: modalities as UsageEvent['inputModalities'],
          latencyMs: null,
          status: 'success',
          tags: {},
        };
        const p = pricer.price(event, org.id);
        total = p.status === 'priced' && p.totalUsd ? total.plus(p.totalUsd) : total.plus(cost);
      }
      const last = rows[rows.length - 1] as (typeof rows)[number];
      after = [new Date(last.occurred_at as unknown as Date).toISOString(), last.id as string];
    }
    return { total, scanned };
  });
  const w = whole as Sim['simulate'] | null;
  const difference = w ? new Decimal(w.projectedUsd).minus(brute.value.total).abs() : null;
  log(
    `brute force over ${brute.value.scanned.toLocaleString('en-US')} raw events: ${(brute.ms / 1000).toFixed(1)} s; |difference| ${difference?.toExponential(2)}`,
  );

  const figures = [
    figure(
      `GraphQL simulate, whole organization, 30 days, p95 over HTTP (${(EVENTS / 1e6).toLocaleString('en-US')}M events over 90 days loaded)`,
      round(wholeLatency.p95),
      'ms',
      {
        target: { op: '<', value: 1000 },
        reference: {
          name: 'the same scenario by brute force over raw events',
          value: round(brute.ms),
          unit: 'ms',
          faster: true,
        },
      },
    ),
    figure('GraphQL simulate, one feature (support-chat), p95', round(featureLatency.p95), 'ms', {
      target: { op: '<', value: 200 },
    }),
    figure('GraphQL recommendations, every feature, p95', round(recommendLatency.p95), 'ms', {
      target: { op: '<', value: 3000 },
    }),
    figure(
      'Traffic mix rows per 1,000 events',
      Math.round((size.mixRows / Math.max(1, size.eventRows)) * 10000) / 10,
      'rows',
    ),
    figure(
      'Traffic mix size as a share of usage_events',
      Math.round((size.mixBytes / Math.max(1, size.eventBytes)) * 1000) / 10,
      '%',
    ),
  ];
  const report = {
    name: 'simulate',
    title:
      'What-if simulation: GraphQL simulate and recommendations over the traffic mix vs brute force over raw events',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    figures,
    notes: [
      `${EVENTS.toLocaleString('en-US')} demo events (libs/demo, seed 1) over the 90 days before ${today.toISOString().slice(0, 10)}, loaded by \`demo load\` in ${loaded.seconds} s into database ${db.name}, then VACUUM ANALYZE.`,
      `Scenario: gpt-5.5 → deepseek/deepseek-v4-pro, whole organization, ${filter.from} → ${filter.to}; ${RUNS} sequential calls after ${WARMUP} warm-up. Baseline $${w?.baselineUsd}, projected $${w?.projectedUsd} (${w?.savingsPercent}% saved, ${((w?.movedShareOfRequests ?? 0) * 100).toFixed(1)}% of requests moved).`,
      `Brute force: ${brute.value.scanned.toLocaleString('en-US')} raw events of the range read in pages of 50,000 and re-priced with the Pricer in this process, once: ${(brute.ms / 1000).toFixed(1)} s; it differs from the GraphQL answer by $${difference?.toFixed()}.`,
      `Traffic mix: ${size.mixRows.toLocaleString('en-US')} rows, ${(size.mixBytes / 1e6).toFixed(1)} MB, beside usage_events ${size.eventRows.toLocaleString('en-US')} rows, ${(size.eventBytes / 1e6).toFixed(1)} MB.`,
      `Demo calibration (support-chat, gpt-5.5 → deepseek-v4-pro over 90 days): output tokens per request ratio ${calibrated.ratio.toFixed(3)}, 95% interval [${calibrated.low.toFixed(3)}, ${calibrated.high.toFixed(3)}].`,
    ],
    details: {
      machine,
      events: EVENTS,
      load: loaded,
      simulateWhole: wholeLatency,
      simulateFeature: featureLatency,
      recommendations: { ...recommendLatency, rows: recommendations.length },
      bruteForceMs: brute.ms,
      bruteForceEvents: brute.value.scanned,
      difference: difference?.toFixed() ?? null,
      size,
      calibrated,
    },
  };
  const path = writeReport(report);
  console.log(`\n${report.title}`);
  console.table(
    figures.map((f) => ({
      figure: f.name,
      value: `${f.value.toLocaleString('en-US')} ${f.unit}`,
      target: f.target ? `${f.target.op} ${f.target.value}: ${f.target.met ? 'met' : 'NOT met'}` : '',
    })),
  );
  for (const note of report.notes) console.log(`- ${note}`);
  console.log(`\nfigures: ${path}`);
});
