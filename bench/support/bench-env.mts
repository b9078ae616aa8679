// What every benchmark shares: its own database and queue prefix, the real processes it starts, a
// cleanup that runs even on failure, machine facts, and the JSON figures `npm run bench` assembles
// into docs/BENCHMARKS.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The repository root (this file runs compiled from tmp/bench/support). */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root (nx.json)');
    dir = up;
  }
  return dir;
})();

export const REPORTS_DIR = join(ROOT, '.reports');
const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tokenledger';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ── figures ──────────────────────────────────────────────────────────────────────────────────────

export interface Target {
  /** How the value compares to the target value when the target is met. */
  op: '>=' | '<=' | '<' | '>';
  value: number;
}

export interface Figure {
  /** What was measured, in words. */
  name: string;
  value: number;
  unit: string;
  target?: Target & { met: boolean };
  /** The reference measured in the same run, and this figure as a ratio of it, in words. */
  reference?: { name: string; value: number; unit: string; ratio: number; ratioText: string };
}

export function figure(
  name: string,
  value: number,
  unit: string,
  extra: {
    target?: Target;
    /** `faster`: the reference is a time the figure beats (ratio = reference / value). */
    reference?: { name: string; value: number; unit: string; faster?: boolean };
  } = {},
): Figure {
  const f: Figure = { name, value, unit };
  if (extra.target) {
    const { op, value: t } = extra.target;
    const met = op === '>=' ? value >= t : op === '<=' ? value <= t : op === '<' ? value < t : value > t;
    f.target = { ...extra.target, met };
  }
  if (extra.reference) {
    const { faster, ...reference } = extra.reference;
    const ratio = faster ? reference.value / value : value / reference.value;
    const ratioText = faster
      ? `${ratio >= 10 ? Math.round(ratio).toLocaleString('en-US') : ratio.toFixed(1)}× faster than the reference`
      : `${ratio.toFixed(2)}× the reference`;
    f.reference = { ...reference, ratio, ratioText };
  }
  return f;
}

export interface BenchReport {
  /** The `bench:<name>` script. */
  name: string;
  title: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  figures: Figure[];
  /** How it was measured and what limits it: shown under the figures. */
  notes: string[];
  /** Anything else worth keeping (raw counts, settings). */
  details: Record<string, unknown>;
  /** Tables to show under the notes as they are (benchmarks whose result is a table per case). */
  markdown?: string[];
}

/** Writes `.reports/bench-<name>.json`; `npm run bench` reads it. Returns its path. */
export function writeReport(report: BenchReport): string {
  mkdirSync(REPORTS_DIR, { recursive: true });
  const path = join(REPORTS_DIR, `bench-${report.name}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function latencySummary(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

// ── cleanup ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Undo steps run last-in first-out, once, on success, failure, Ctrl-C or SIGTERM: a benchmark never
 * leaves a database, Redis keys or a process behind.
 */
export class Cleanup {
  private readonly steps: { label: string; run: () => unknown }[] = [];
  private running?: Promise<void>;

  constructor() {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: cleaning up`);
      void this.run().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  add(label: string, run: () => unknown): void {
    this.steps.push({ label, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          log(`cleanup "${step.label}" failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

/** Runs a benchmark body with a Cleanup, and exits 1 (after cleaning up) if it throws. */
export async function runBench(body: (cleanup: Cleanup) => Promise<void>): Promise<void> {
  const cleanup = new Cleanup();
  try {
    await body(cleanup);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}

// ── database and Redis ───────────────────────────────────────────────────────────────────────────

interface MigrateTool {
  ensureDatabase(url: string): Promise<void>;
  applyMigrations(url: string, options?: { log?: (message: string) => void }): Promise<unknown>;
}

/**
 * A fresh `tokenledger_bench_<random>` database, migrated; dropped by the cleanup. With
 * BENCH_DATABASE=<name> set, that database instead (created and migrated when missing) and kept
 * afterwards, so a benchmark can be run again on data loaded once (`kept`: benches skip loading
 * what is already there). Drop it yourself when done.
 */
export async function createBenchDatabase(
  cleanup: Cleanup,
): Promise<{ name: string; url: string; kept: boolean }> {
  const keep = process.env.BENCH_DATABASE;
  const name = keep ?? `tokenledger_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  const migrate = (await import(pathToFileURL(join(ROOT, 'tools/db/migrate.mjs')).href)) as MigrateTool;
  if (!keep) cleanup.add(`drop database ${name}`, () => dropDatabase(name));
  await migrate.ensureDatabase(url.toString());
  await migrate.applyMigrations(url.toString(), { log: () => undefined });
  log(`database ${name} ${keep ? 'kept (BENCH_DATABASE): ready' : 'created and migrated'}`);
  return { name, url: url.toString(), kept: Boolean(keep) };
}

async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    log(`database ${name} dropped`);
  } finally {
    await client.end();
  }
}

/** A queue prefix of the benchmark's own; its keys are deleted by the cleanup. */
export function benchQueuePrefix(cleanup: Cleanup): string {
  const prefix = `tlbench-${randomBytes(4).toString('hex')}`;
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisKeys(prefix));
  return prefix;
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    log(`${deleted} Redis keys under ${prefix}: deleted`);
  } finally {
    redis.disconnect();
  }
}

// ── processes ────────────────────────────────────────────────────────────────────────────────────

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * A built app (`apps/<app>/dist/main.js`) as its own process, its output prefixed on stderr. The
 * cleanup stops it: SIGTERM, then SIGKILL after 10 s.
 */
export function spawnApp(
  cleanup: Cleanup,
  app: 'api' | 'worker',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'apps', app, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) process.stderr.write(`[${app}] ${line}\n`);
    });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) log(`the ${app} process exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  cleanup.add(`stop ${app} (pid ${child.pid})`, () => {
    stopping = true;
    return stopProcess(child);
  });
  return child;
}

export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Polls `url` until it answers 2xx; fails if `child` exits first or after `timeoutMs`. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process behind ${url} exited (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

// ── machine facts ────────────────────────────────────────────────────────────────────────────────

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  /** 1-minute load average when the facts were taken: other work on the machine shows here. */
  loadAverage: number;
}

/** The server of DATABASE_URL, database `postgres`. */
function maintenanceUrl(): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = '/postgres';
  return url.toString();
}

export async function machineFacts(): Promise<MachineFacts> {
  // The server's own facts: read from its maintenance database, since the developer's database
  // need not exist (a benchmark never touches it).
  const client = new pg.Client({ connectionString: maintenanceUrl() });
  await client.connect();
  let postgres = 'unknown';
  const postgresSettings: Record<string, string> = {};
  try {
    postgres =
      (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ??
      postgres;
    for (const name of ['shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size', 'work_mem']) {
      postgresSettings[name] =
        (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '?';
    }
  } finally {
    await client.end();
  }
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let redisVersion = 'unknown';
  try {
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres,
    postgresSettings,
    redis: redisVersion,
    loadAverage: Number((os.loadavg()[0] ?? 0).toFixed(2)),
  };
}

export interface DemoLoadOptions {
  events: number;
  /** The organization loaded into (created when missing); default `bench`. */
  org?: string;
  /** The last day of the 90 days of traffic; default now. */
  end?: Date;
}

/** `demo load` through the CLI, as a user would run it; its progress shows on stderr. */
export function demoLoad(
  databaseUrl: string,
  options: DemoLoadOptions,
): Promise<{ eventsPerSecond: number; seconds: number }> {
  const args = ['demo', 'load', '--org', options.org ?? 'bench', '--events', String(options.events)];
  args.push(
    '--days',
    '90',
    '--seed',
    '1',
    ...(options.end ? ['--end', options.end.toISOString()] : []),
    '--json',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'apps/cli/dist/main.js'), ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { eventsPerSecond: number; seconds: number })
        : reject(new Error(`demo load exited with ${code}: ${out}`)),
    );
  });
}
