// `npm run bench:report` (issue 15, "Speed"): demo events (10 million over 90 days by default)
// loaded into a database of its own, then the last full month's report made in each format by the
// worker running as its own process, through the `{report}` queue as `requestReport` queues it.
// Measured: seconds from enqueue to "ready" per format (target < 20 s) and the worker's peak RSS
// while it works (target < 300 MB), sampled from /proc every 50 ms. Each report's total is checked
// against the spend of the same month from the rollups.
//
//   BENCH_REPORT_EVENTS=10000000
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_NAMES } from '@tokenledger/contracts';
import { createPgPool, createPrismaClient, createQueue, RateTableRepository, Store } from '@tokenledger/db';
import { Decimal } from 'decimal.js';
import { Redis } from 'ioredis';
import {
  benchQueuePrefix,
  createBenchDatabase,
  figure,
  log,
  machineFacts,
  REDIS_URL,
  runBench,
  spawnApp,
  writeReport,
  demoLoad,
} from './support/bench-env.mjs';

const EVENTS = Number(process.env.BENCH_REPORT_EVENTS ?? 10_000_000);
const FORMATS = ['csv', 'xlsx', 'pdf', 'focus'] as const;
const DAY_MS = 86_400_000;

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

await runBench(async (cleanup) => {
  const startedAt = new Date();
  const machine = await machineFacts();
  const db = await createBenchDatabase(cleanup);
  const prisma = createPrismaClient(db.url, { poolSize: 2 });
  cleanup.add('disconnect prisma', () => prisma.$disconnect());
  const pool = createPgPool(db.url, 2);
  cleanup.add('close pg pool', () => pool.end());
  // A kept database (BENCH_DATABASE) that already holds the organization is measured as it is.
  const existing = db.kept ? await prisma.organization.findUnique({ where: { slug: 'bench' } }) : null;
  const org = existing ?? (await prisma.organization.create({ data: { slug: 'bench', name: 'Benchmark' } }));

  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  let loaded = { seconds: 0, eventsPerSecond: 0 };
  if (!existing) {
    await new RateTableRepository(prisma).importBuiltInCatalog();
    log(`loading ${EVENTS.toLocaleString('en-US')} demo events over 90 days (demo load, bulk path)`);
    loaded = await demoLoad(db.url, { events: EVENTS, end: today });
    await pool.query('VACUUM ANALYZE usage_events, hourly_rollups, daily_rollups, daily_customer_rollups');
  }
  // The last full month before today (what the 1st-of-month job reports).
  const end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
  const month = start.toISOString().slice(0, 7);
  const days = Math.round((end.getTime() - start.getTime()) / DAY_MS);
  const store = new Store(prisma, pool);
  const scope = { organizationId: org.id, slug: org.slug, projectId: null };
  const [spend] = await store.analytics.spend(scope, {
    from: start,
    to: end,
    groupBy: [],
    timeZone: 'UTC',
    limit: 10,
  });
  const monthEvents =
    (
      await pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM usage_events WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3',
        [org.id, start, end],
      )
    ).rows[0]?.n ?? '0';
  const cells = Number(
    (
      await pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM hourly_rollups WHERE organization_id = $1 AND hour >= $2 AND hour < $3',
        [org.id, start, end],
      )
    ).rows[0]?.n ?? 0,
  );
  log(
    `month ${month}: ${Number(monthEvents).toLocaleString('en-US')} events, ${cells.toLocaleString('en-US')} hourly rollup cells, $${spend?.costUsd.toFixed(2)}`,
  );

  const reportsDir = mkdtempSync(join(tmpdir(), 'tl-bench-reports-'));
  cleanup.add('remove the report files', () => rmSync(reportsDir, { recursive: true, force: true }));
  const prefix = benchQueuePrefix(cleanup);
  const worker = spawnApp(cleanup, 'worker', {
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    REPORTS_DIR: reportsDir,
    REPORT_SCHEDULE_FORMATS: 'none',
  });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanup.add('close redis', () => redis.disconnect());
  const queue = createQueue('report', redis, { prefix });
  cleanup.add('close queue', () => queue.close());
  await new Promise((r) => setTimeout(r, 3000)); // the worker boots
  const pid = worker.pid;
  if (pid === undefined) throw new Error('the worker did not start');
  const idleRss = rssMb(pid);

  const results: {
    format: string;
    seconds: number;
    peakRssMb: number;
    bytes: number;
    lineItems: number;
    exact: boolean;
  }[] = [];
  for (const format of FORMATS) {
    const report = await store.reports.createRevision({
      organizationId: org.id,
      month,
      format,
      timeZone: 'UTC',
      trigger: 'manual',
      requestedBy: 'bench',
    });
    let peak = rssMb(pid);
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssMb(pid));
      } catch {
        /* the process is gone: the wait below says so */
      }
    }, 50);
    const t0 = performance.now();
    await queue.add(JOB_NAMES.report, { organizationId: org.id, reportId: report.id }, { jobId: report.id });
    let done = await store.reports.require(report.id);
    while (done.status !== 'ready') {
      if (done.status === 'failed') throw new Error(`${format} report failed: ${done.error}`);
      if (worker.exitCode !== null) throw new Error('the worker exited');
      await new Promise((r) => setTimeout(r, 50));
      done = await store.reports.require(report.id);
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const exact = new Decimal(done.totalUsd?.toString() ?? 'NaN').equals(spend?.costUsd ?? 0);
    results.push({
      format,
      seconds,
      peakRssMb: peak,
      bytes: done.byteSize ?? 0,
      lineItems: done.lineItems ?? 0,
      exact,
    });
    log(
      `${format}: ${seconds.toFixed(1)} s, peak RSS ${peak.toFixed(0)} MB, ${(done.byteSize ?? 0).toLocaleString('en-US')} bytes, total ${exact ? '=' : '≠'} spend`,
    );
  }

  const peakOverall = Math.max(...results.map((r) => r.peakRssMb));
  const figures = [
    ...results.map((r) =>
      figure(
        `${r.format.toUpperCase()} report of a ${days}-day month (${r.lineItems.toLocaleString('en-US')} line items)`,
        Math.round(r.seconds * 10) / 10,
        's',
        {
          target: { op: '<', value: 20 },
        },
      ),
    ),
    figure('Worker peak RSS while making them', Math.round(peakOverall), 'MB', {
      target: { op: '<', value: 300 },
    }),
  ];
  const report = {
    name: 'report',
    title: 'Monthly report files: each format of one month, made by the worker from the rollups',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    figures,
    notes: [
      `${EVENTS.toLocaleString('en-US')} demo events (libs/demo, seed 1) over the 90 days before ${today.toISOString().slice(0, 10)}, ${loaded.seconds ? `loaded by \`demo load\` in ${loaded.seconds} s` : 'loaded earlier into the kept database (BENCH_DATABASE)'}; the month ${month} holds ${Number(monthEvents).toLocaleString('en-US')} of them in ${cells.toLocaleString('en-US')} hourly rollup cells.`,
      `Each report: a Report row and a \`{report}\` job, as requestReport makes them, consumed by the worker as its own process (NODE_ENV=production); timed from enqueue until the row says ready, one format after another. Worker RSS sampled every 50 ms from /proc (idle after boot: ${Math.round(idleRss)} MB). Load average when they finished: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores.`,
      `Every report's total ${results.every((r) => r.exact) ? 'equals' : 'does NOT equal'} the month's spend from the rollups ($${spend?.costUsd.toFixed(2)}). Sizes: ${results.map((r) => `${r.format} ${(r.bytes / 1e6).toFixed(1)} MB`).join(', ')}.`,
    ],
    details: {
      machine,
      events: EVENTS,
      load: loaded,
      month,
      monthEvents: Number(monthEvents),
      cells,
      idleRssMb: idleRss,
      results,
    },
  };
  const path = writeReport(report);
  console.log(`\n${report.title}`);
  console.table(
    results.map((r) => ({
      format: r.format,
      seconds: r.seconds.toFixed(1),
      peakRssMb: r.peakRssMb.toFixed(0),
      bytes: r.bytes,
      exact: r.exact,
    })),
  );
  for (const note of report.notes) console.log(`- ${note}`);
  console.log(`\nfigures: ${path}`);
});
