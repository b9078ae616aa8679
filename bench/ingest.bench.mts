// `npm run bench:ingest` (issue 4, "Speed"): the API and the worker as real processes on a database
// and queue prefix of their own; a separate load process POSTs realistic batches of 100 for 60 s
// with requests always in flight; then the queue drains. Reported:
//   - sustained events/s end to end (accepted → priced → in rollups), and events lost (checked
//     against the database: events, distinct eventIds, every rollup level);
//   - p50/p99 accept latency under that load;
//   - the rate at which PostgreSQL itself takes the same rows (COPY into usage_events), as a ratio;
//   - p99 accept latency at half the sustained rate (an open-loop load of its own).
// Targets (2 cores): ≥ 10,000 events/s end to end, 0 lost, p99 < 50 ms at half that rate.
//
//   BENCH_SECONDS=60  BENCH_CONCURRENCY=24  BENCH_WORKER_CONCURRENCY=(the worker's default)
import { spawnSync, fork } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUES } from '@tokenledger/contracts';
import { ApiKeyRepository, createPrismaClient, RateTableRepository } from '@tokenledger/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { LoadRequest, LoadResult } from './ingest-load.mjs';
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
  type Cleanup,
} from './support/bench-env.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 24);
const BATCH = 100;
const HALF_RATE_SECONDS = Math.max(10, Math.round(SECONDS / 2));

function runLoadProcess(cleanup: Cleanup, request: LoadRequest): Promise<LoadResult> {
  const child = fork(join(import.meta.dirname, 'ingest-load.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanup.add(`stop load process ${child.pid}`, () => child.exitCode === null && child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('exit', (code) => code !== 0 && reject(new Error(`the load process exited with ${code}`)));
    child.send(request);
  });
}

/** CPU seconds used so far by processes, from /proc (Linux), by component. */
function cpuSeconds(pids: Record<string, number | undefined>): Record<string, number> {
  const ticks = 100; // USER_HZ on Linux
  const read = (pid: number) => {
    try {
      const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      return 0;
    }
  };
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) if (pid) out[name] = read(pid);
  // Every PostgreSQL and Redis process on the machine (other work on it counts too).
  for (const [name, comm] of [
    ['postgres', 'postgres'],
    ['redis', 'redis-server'],
  ] as const) {
    let sum = 0;
    try {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) sum += read(Number(entry));
        } catch {
          /* gone */
        }
      }
    } catch {
      /* no /proc */
    }
    out[name] = sum;
  }
  return out;
}

function cpuDelta(before: Record<string, number>, after: Record<string, number>, seconds: number) {
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, Number(((v - (before[k] ?? 0)) / seconds).toFixed(2))]),
  );
}

await runBench(async (cleanup) => {
  const startedAt = new Date();
  const machine = await machineFacts();
  const db = await createBenchDatabase(cleanup);
  const prefix = benchQueuePrefix(cleanup);
  const prisma = createPrismaClient(db.url, { poolSize: 2 });
  cleanup.add('disconnect prisma', () => prisma.$disconnect());
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  cleanup.add('close pg pool', () => pool.end());

  await new RateTableRepository(prisma).importBuiltInCatalog();
  const org = await prisma.organization.create({ data: { slug: 'bench', name: 'Benchmark' } });
  const project = await prisma.project.create({
    data: { organizationId: org.id, slug: 'bench', name: 'Bench' },
  });
  const copyProject = await prisma.project.create({
    data: { organizationId: org.id, slug: 'bench-copy', name: 'COPY reference' },
  });
  const { secret } = await new ApiKeyRepository(prisma).create({
    organizationId: org.id,
    projectId: project.id,
    name: 'bench',
    scopes: ['ingest'],
  });

  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    // The limiter still runs on every request; it just must not be what limits the benchmark.
    INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
  };
  const api = spawnApp(cleanup, 'api', env, process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean));
  const worker = spawnApp(
    cleanup,
    'worker',
    {
      ...env,
      ...(process.env.BENCH_WORKER_CONCURRENCY
        ? { WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY }
        : {}),
    },
    process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean),
  );
  await waitForHttp(`${apiUrl}/readyz`, api);

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.ingest, { connection: redis, prefix });
  cleanup.add('close queue', async () => {
    await queue.close();
    redis.disconnect();
  });
  const pending = async () => {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(c).reduce((a, b) => a + b, 0);
  };
  const storedCount = async () =>
    Number(
      (
        await pool.query<{ n: string }>('SELECT count(*) AS n FROM usage_events WHERE project_id = $1', [
          project.id,
        ])
      ).rows[0]?.n ?? 0,
    );
  /** Waits until the queue is empty and the database holds `expected` events; returns when (ms). */
  const drain = async (expected: number): Promise<number> => {
    let lastPending = Infinity;
    let lastChange = Date.now();
    for (;;) {
      if (worker.exitCode !== null || worker.signalCode !== null) throw new Error('the worker process died');
      const n = await pending();
      if (n === 0) {
        const at = Date.now();
        if ((await storedCount()) >= expected) return at;
      }
      if (n !== lastPending) {
        lastPending = n;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 120_000) {
        log(`the queue is stuck at ${n} jobs; giving up waiting`);
        return Date.now();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
  const load = (seed: number, seconds: number, mode: LoadRequest['mode']) =>
    runLoadProcess(cleanup, {
      url: apiUrl,
      key: secret,
      seconds,
      warmupSeconds: 1,
      batchSize: BATCH,
      mode,
      seed,
      end,
    });

  // Warm-up: JIT, connection pools, the worker's catalog cache.
  log('warming up (5 s)');
  const warm = await load(1, 5, { kind: 'closed', concurrency: 4 });
  await drain(warm.accepted);

  log(`full load: ${SECONDS} s, batches of ${BATCH}, ${CONCURRENCY} requests in flight`);
  const pids = { api: api.pid, worker: worker.pid };
  const cpuBefore = cpuSeconds(pids);
  let maxBacklog = 0;
  const sampler = setInterval(() => {
    void pending().then((n) => (maxBacklog = Math.max(maxBacklog, n)));
  }, 1000);
  // What the worker's sessions wait on (lock, I/O, client…): where the time goes inside PostgreSQL.
  const waits: Record<string, number> = {};
  const waitSampler = setInterval(() => {
    void pool
      .query<{ what: string; n: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' (' || state || ')' AS what, count(*) AS n
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND application_name = 'tokenledger' AND state <> 'idle' GROUP BY 1`,
      )
      .then(({ rows }) => rows.forEach((r) => (waits[r.what] = (waits[r.what] ?? 0) + Number(r.n))))
      .catch(() => undefined);
  }, 250);
  const full = await load(2, SECONDS, { kind: 'closed', concurrency: CONCURRENCY });
  const storedAtLoadEnd = (await storedCount()) - warm.accepted;
  const loadEndedAt = Date.now();
  const drainedAt = await drain(warm.accepted + full.accepted);
  clearInterval(sampler);
  clearInterval(waitSampler);
  const cpuAfter = cpuSeconds(pids);
  const e2eSeconds = (drainedAt - full.startedAt) / 1000;
  const sustained = full.accepted / e2eSeconds;
  const acceptRate = full.accepted / ((full.endedAt - full.startedAt) / 1000);
  const fullLatency = latencySummary(full.latencies);
  // Once the load stops, the worker and PostgreSQL have the machine to themselves.
  const drainRate = (full.accepted - storedAtLoadEnd) / Math.max(0.001, (drainedAt - loadEndedAt) / 1000);
  const duringLoadRate = storedAtLoadEnd / ((loadEndedAt - full.startedAt) / 1000);
  log(
    `accepted ${full.accepted} in ${((full.endedAt - full.startedAt) / 1000).toFixed(1)} s (${Math.round(acceptRate)}/s); ` +
      `all stored after ${e2eSeconds.toFixed(1)} s: ${Math.round(sustained)} events/s end to end`,
  );

  // Half the sustained rate, open loop: the latency a client sees when the pipeline is not saturated.
  // It runs before the COPY reference: the millions of rows COPY writes, and the checkpoint and
  // vacuum they bring, are the reference's, not load the pipeline put on the machine.
  const halfRate = Math.max(BATCH, Math.round(sustained / 2));
  log(`half rate: ${halfRate} events/s for ${HALF_RATE_SECONDS} s (open loop)`);
  const half = await load(3, HALF_RATE_SECONDS, { kind: 'open', eventsPerSecond: halfRate });
  const halfLatency = latencySummary(half.latencies);
  const expected = warm.accepted + full.accepted + half.accepted;
  await drain(expected);

  // The reference: the same rows, straight into the same table by PostgreSQL's COPY.
  const columns = (
    await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_name = 'usage_events' AND column_name <> 'id' ORDER BY ordinal_position`,
    )
  ).rows.map((r) => r.column_name);
  const selectList = columns.map((c) => (c === 'project_id' ? `'${copyProject.id}'::uuid` : c)).join(', ');
  const csv = join(tmpdir(), `tokenledger-bench-${prefix}.csv`);
  cleanup.add(`remove ${csv}`, () => rmSync(csv, { force: true }));
  const psql = (command: string) =>
    spawnSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { encoding: 'utf8' });
  let copy: { rows: number; seconds: number; method: string } | null = null;
  const exported = psql(
    `\\copy (SELECT ${selectList} FROM usage_events WHERE project_id = '${project.id}') TO '${csv}' WITH (FORMAT csv)`,
  );
  if (exported.status === 0) {
    const t0 = performance.now();
    const imported = psql(`\\copy usage_events (${columns.join(', ')}) FROM '${csv}' WITH (FORMAT csv)`);
    const seconds = (performance.now() - t0) / 1000;
    if (imported.status !== 0) throw new Error(`COPY failed: ${imported.stderr}`);
    copy = { rows: await storedCount(), seconds, method: 'COPY … FROM (psql \\copy, CSV)' };
  } else {
    // No psql: one INSERT … SELECT, PostgreSQL copying the rows itself.
    log(`psql unavailable (${exported.error?.message ?? exported.stderr.trim()}): INSERT … SELECT instead`);
    const t0 = performance.now();
    const r = await pool.query(
      `INSERT INTO usage_events (${columns.join(', ')}) SELECT ${selectList} FROM usage_events WHERE project_id = $1`,
      [project.id],
    );
    copy = { rows: r.rowCount ?? 0, seconds: (performance.now() - t0) / 1000, method: 'INSERT … SELECT' };
  }
  const copyRate = copy.rows / copy.seconds;
  log(`${copy.method}: ${copy.rows} rows in ${copy.seconds.toFixed(2)} s (${Math.round(copyRate)} rows/s)`);

  // Nothing lost, nothing twice: events, distinct eventIds, and every rollup level.
  const check =
    (
      await pool.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM usage_events WHERE project_id = $1) AS events,
              (SELECT count(DISTINCT event_id) FROM usage_events WHERE project_id = $1) AS distinct_ids,
              (SELECT count(*) FROM usage_event_keys WHERE project_id = $1) AS keys,
              (SELECT coalesce(sum(requests), 0) FROM hourly_rollups WHERE project_id = $1) AS hourly,
              (SELECT coalesce(sum(requests), 0) FROM daily_rollups WHERE project_id = $1) AS daily,
              (SELECT coalesce(sum(requests), 0) FROM daily_customer_rollups WHERE project_id = $1) AS daily_customer,
              (SELECT count(*) FROM dead_letters) AS dead_letters`,
        [project.id],
      )
    ).rows[0] ?? {};
  const stored = Number(check.events);
  const lost = expected - stored;
  const consistent =
    Number(check.distinct_ids) === stored &&
    Number(check.keys) === stored &&
    [check.hourly, check.daily, check.daily_customer].every((n) => Number(n) === stored);

  const figures = [
    figure('Sustained end to end (accepted → priced → in rollups)', Math.round(sustained), 'events/s', {
      target: { op: '>=', value: 10_000 },
      reference: {
        name: `PostgreSQL ${copy.method} of the same rows into usage_events`,
        value: Math.round(copyRate),
        unit: 'rows/s',
      },
    }),
    figure('Events lost (accepted, not in the database)', lost, 'events', { target: { op: '<=', value: 0 } }),
    figure(
      'Accepted by the API during the load (queue absorbing the difference)',
      Math.round(acceptRate),
      'events/s',
    ),
    figure(
      'Stored by the worker while the load ran (sharing the cores with API and load)',
      Math.round(duringLoadRate),
      'events/s',
    ),
    figure(
      'Stored by the worker after the load stopped (cores to itself and PostgreSQL)',
      Math.round(drainRate),
      'events/s',
    ),
    figure(
      `Accept latency p50 at full load (${CONCURRENCY} requests in flight)`,
      round(fullLatency.p50),
      'ms',
    ),
    figure(
      `Accept latency p99 at full load (${CONCURRENCY} requests in flight)`,
      round(fullLatency.p99),
      'ms',
    ),
    figure(
      `Accept latency p50 at half the sustained rate (${halfRate} events/s)`,
      round(halfLatency.p50),
      'ms',
    ),
    figure(
      `Accept latency p99 at half the sustained rate (${halfRate} events/s)`,
      round(halfLatency.p99),
      'ms',
      {
        target: { op: '<', value: 50 },
      },
    ),
  ];
  const cpu = cpuDelta(cpuBefore, cpuAfter, e2eSeconds);
  // CPU time per event by component: with every core busy, the sum bounds the sustained rate.
  const perEvent = Object.fromEntries(
    [...Object.entries(cpu), ['load generator', full.cpuSeconds / e2eSeconds] as const].map(([k, cores]) => [
      k,
      Math.round((cores * e2eSeconds * 1e6) / Math.max(1, full.accepted)),
    ]),
  );
  const perEventTotal = Object.values(perEvent).reduce((a, b) => a + b, 0);
  const report = {
    name: 'ingest',
    title: 'Ingestion end to end: POST /v1/events → queue → worker → events and rollups',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    figures,
    notes: [
      `API and worker ran as their own processes (built apps/*/dist) on database ${db.name} and queue prefix ${prefix}; ` +
        `a forked load process sent demo traffic (libs/demo) in batches of ${BATCH}, ${CONCURRENCY} requests in flight, for ${SECONDS} s.`,
      `Accept latency = from just before a request is written until its 202 is read, in the load process; each phase's first second (new connections, cold JIT of the load process) is not counted.`,
      `End to end = events accepted during the load ÷ time from its first request until the queue was empty and every one of them was in usage_events and the rollups (${e2eSeconds.toFixed(1)} s).`,
      `Consistency after all phases: ${stored} events, ${check.distinct_ids} distinct eventIds, ${check.keys} idempotency keys, rollup requests hourly ${check.hourly} / daily ${check.daily} / daily per customer ${check.daily_customer}, ${check.dead_letters} dead letters: ${consistent ? 'consistent' : 'NOT consistent'}.`,
      `CPU used from the start of the full load until the queue drained, in cores (of ${machine.cores}): ${Object.entries(
        cpu,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )}, load generator ${(full.cpuSeconds / e2eSeconds).toFixed(2)} (PostgreSQL and Redis: every process of theirs on the machine). Largest queue backlog: ${maxBacklog} jobs.`,
      `CPU time per event: ${Object.entries(perEvent)
        .map(([k, us]) => `${k} ${us} µs`)
        .join(
          ', ',
        )}; ${perEventTotal} µs in all, so ${machine.cores} fully busy cores could carry at most about ${Math.round(
        (machine.cores * 1e6) / perEventTotal,
      ).toLocaleString('en-US')} events/s (the rest is time waiting: row locks, commits, idle moments).`,
      `The COPY reference writes only usage_events; the pipeline also validates, queues, prices, and writes idempotency keys and three rollup levels in the same transaction.`,
    ],
    details: {
      machine,
      full: { ...summarize(full), latency: fullLatency },
      half: { ...summarize(half), latency: halfLatency, targetEventsPerSecond: halfRate },
      warmup: summarize(warm),
      endToEndSeconds: e2eSeconds,
      copy,
      consistency: { ...check, consistent },
      cpuCores: cpu,
      cpuMicrosPerEvent: perEvent,
      maxBacklogJobs: maxBacklog,
      workerSessionStates: Object.fromEntries(Object.entries(waits).sort((a, b) => b[1] - a[1])),
    },
  };
  const path = writeReport(report);
  console.log(`\n${report.title}`);
  console.table(
    figures.map((f) => ({
      figure: f.name,
      value: `${f.value.toLocaleString('en-US')} ${f.unit}`,
      target: f.target
        ? `${f.target.op} ${f.target.value.toLocaleString('en-US')}: ${f.target.met ? 'met' : 'NOT met'}`
        : '',
      ratio: f.reference
        ? `${f.reference.ratioText}: ${f.reference.name} (${f.reference.value.toLocaleString('en-US')} ${f.reference.unit})`
        : '',
    })),
  );
  for (const note of report.notes) console.log(`- ${note}`);
  console.log(`\nfigures: ${path}`);
});

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The slowest requests and when they left (s from the start): are the slow ones clustered? */
function slowest(r: LoadResult, n = 12) {
  return r.latencies
    .map((ms, i) => ({ atSecond: Math.round(r.sentAt[i] ?? 0) / 1000, ms: Math.round(ms * 10) / 10 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}

function summarize(r: LoadResult) {
  return {
    slowest: slowest(r),
    requests: r.requests,
    accepted: r.accepted,
    rejected: r.rejected,
    failures: r.failures,
    seconds: (r.endedAt - r.startedAt) / 1000,
    exhausted: r.exhausted,
  };
}
