import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { testQueuePrefix } from '../support/queue-prefix';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'scripts', 'start.mjs');

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it (the script behind it), with its output collected. */
function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [START], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a failed test kills the group, API, worker and dashboard included.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(started: Started, text: string | RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen = () =>
    typeof text === 'string' ? started.output().includes(text) : text.test(started.output());
  while (!seen()) {
    if (started.child.exitCode !== null)
      throw new Error(`npm start exited (${started.child.exitCode}) before "${text}":\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGINT');
  return started.exited;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  const database = `tokenledger_start_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: `/${database}` }).toString();
  const home = mkdtempSync(join(tmpdir(), 'tokenledger-start-'));
  const running: Started[] = [];

  afterAll(async () => {
    for (const s of running) {
      try {
        process.kill(-s.child.pid!, 'SIGKILL');
      } catch {
        // the group has exited already
      }
    }
    const admin = Object.assign(new URL(databaseUrl), { pathname: '/postgres' });
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.end();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates the database, seeds the demo organization, serves API and dashboard, resumes a demo load stopped by Ctrl-C without counting twice, and starts again reusing everything', async () => {
    const DEMO_EVENTS = 150_000;
    const [port, dashboardPort] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: testQueuePrefix(),
      PORT: String(port),
      DASHBOARD_PORT: String(dashboardPort),
      TOKENLEDGER_HOME: home,
      TOKENLEDGER_DEMO_EVENTS: String(DEMO_EVENTS),
    };
    const storedEvents = async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM usage_events');
        return Number(rows[0]!.n);
      } finally {
        await client.end();
      }
    };

    // First start: Ctrl-C while the demo traffic is still loading (its first progress line).
    const first = start(env);
    running.push(first);
    await waitFor(first, /^demo\s+\| loading\s+\d+%/m, 100_000);
    expect(await stop(first)).toBe(0);
    expect(first.output()).toContain('Created the demo organization "demo" with project "demo".');
    const partial = await storedEvents();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(DEMO_EVENTS);
    // The credentials are printed once and kept in the checkout's state directory.
    const credentials = readFileSync(join(home, 'demo-login.txt'), 'utf8');
    const email = /login:\s+(\S+)/.exec(credentials)![1]!;
    const password = /password:\s+(\S+)/.exec(credentials)![1]!;
    expect(first.output()).toContain(password);

    // Second start: the same window again, so what was stored is recognised and the rest added.
    const second = start(env);
    running.push(second);
    await waitFor(second, 'Tokenledger is up', 100_000);
    expect(second.output()).toContain('resuming the demo load');
    expect(second.output()).not.toContain('Created the demo organization');
    expect(second.output()).toContain(`Dashboard  http://127.0.0.1:${dashboardPort}`);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const page = await fetch(`http://127.0.0.1:${dashboardPort}/`);
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<div id="root">')]);
    await waitFor(second, /demo\s+\| Loaded 150,000 demo events/, 100_000);
    expect(second.output()).toMatch(
      new RegExp(
        `stored\\s+${(DEMO_EVENTS - partial).toLocaleString('en-US')} new, ${partial.toLocaleString('en-US')} already there`,
      ),
    );

    // The dashboard's origin reads the totals through the API: every demo event once.
    const graphql = async <T>(query: string, token?: string) => {
      const response = await fetch(`http://127.0.0.1:${dashboardPort}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: T; errors?: unknown[] };
    };
    const login = await graphql<{ login: { token: string } }>(
      `mutation { login(email: "${email}", password: "${password}") { token } }`,
    );
    const token = login.data!.login.token;
    type Row = { requests: number; unpricedRequests: number; costUsd: string };
    const spend = await graphql<{ spend: Row[] }>(
      `query { spend(filter: { from: "${new Date(Date.now() - 100 * 86_400_000).toISOString()}", to: "${new Date(Date.now() + 86_400_000).toISOString()}" }, groupBy: []) { requests unpricedRequests costUsd } }`,
      token,
    );
    expect(spend.errors).toBeUndefined();
    const [total] = spend.data!.spend;
    expect(total!.requests).toBe(DEMO_EVENTS);
    expect(await storedEvents()).toBe(DEMO_EVENTS);
    expect(Number(total!.costUsd)).toBeGreaterThan(0);

    expect(second.output()).toMatch(/^api\s+\| /m);
    expect(second.output()).toMatch(/^worker\s+\| /m);
    expect(await stop(second)).toBe(0);
    expect([await portAnswers(port), await portAnswers(dashboardPort)]).toEqual([false, false]);

    // A third start finds the database, the demo organization and its events, and reuses them.
    const third = start(env);
    running.push(third);
    await waitFor(third, 'Tokenledger is up', 60_000);
    expect(third.output()).not.toContain('Created the demo organization');
    expect(third.output()).not.toContain('applied');
    expect(third.output()).not.toContain('resuming');
    await waitFor(third, 'Organization "demo" already has events: no demo traffic loaded.', 30_000);
    expect(readFileSync(join(home, 'demo-login.txt'), 'utf8')).toBe(credentials);
    expect(await stop(third)).toBe(0);
  }, 300_000);

  it.each([
    ['PostgreSQL', { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/tokenledger' }, '127.0.0.1:1'],
    ['Redis', { REDIS_URL: 'redis://127.0.0.1:1' }, '127.0.0.1:1'],
  ])(
    'names %s, where it looked and how to get it when it is not reachable, without a stack trace',
    async (service, env, where) => {
      const started = start({ ...env, TOKENLEDGER_HOME: home });
      running.push(started);
      expect(await started.exited).toBe(1);
      const output = started.output();
      expect(output).toContain(`${service} is not reachable at ${where}`);
      expect(output).toContain(`docker compose up -d ${service === 'Redis' ? 'redis' : 'postgres'}`);
      expect(output).not.toMatch(/^\s+at /m);
    },
  );
});

interface ProcessStatus {
  name: string;
  state: string;
  pid: number | null;
  alive: boolean;
  restarts: number;
  lastExit: { reason: string } | null;
}

describe('npm start when a process crashes', () => {
  const database = `tokenledger_crash_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: `/${database}` }).toString();
  const home = mkdtempSync(join(tmpdir(), 'tokenledger-crash-'));
  let started: Started | undefined;

  afterAll(async () => {
    try {
      process.kill(-started!.child.pid!, 'SIGKILL');
    } catch {
      // the group has exited already
    }
    const admin = Object.assign(new URL(databaseUrl), { pathname: '/postgres' });
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.end();
    rmSync(home, { recursive: true, force: true });
  });

  /** `npm start -- status`, as a person runs it. */
  function status(json: boolean): { code: number | null; stdout: string } {
    const result = spawnSync(process.execPath, [START, 'status', ...(json ? ['--json'] : [])], {
      cwd: ROOT,
      env: { ...process.env, TOKENLEDGER_HOME: home },
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout };
  }
  const processes = () => (JSON.parse(status(true).stdout) as { processes: ProcessStatus[] }).processes;
  const processOf = (name: string) => processes().find((p) => p.name === name)!;

  /** Waits (bounded) until `name` runs again with a new pid after a crash; returns that pid. */
  async function restarted(name: string, oldPid: number, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = processOf(name);
      if (p.state === 'running' && p.alive && p.pid !== oldPid) return p.pid!;
      if (Date.now() > deadline || started!.child.exitCode !== null)
        throw new Error(`${name} did not come back:\n${started!.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('restarts a killed worker, then a killed API, while the other keeps serving; every 202 is stored once; a crash loop stops all with exit code 1', async () => {
    const [port, dashboardPort] = [await freePort(), await freePort()];
    const api = `http://127.0.0.1:${port}`;
    started = start({
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: testQueuePrefix(),
      PORT: String(port),
      DASHBOARD_PORT: String(dashboardPort),
      TOKENLEDGER_HOME: home,
      TOKENLEDGER_DEMO_EVENTS: '0',
    });
    await waitFor(started, 'Tokenledger is up', 120_000);
    const key = /^ingest key:\s+(\S+)/m.exec(readFileSync(join(home, 'demo-login.txt'), 'utf8'))![1]!;

    // Events flow all along: batches of 20 with fresh eventIds; remember what got a 202, and when.
    const accepted = new Set<string>();
    const acceptedAt: number[] = [];
    let refused = 0;
    let partial = 0;
    let sending = true;
    let sent = 0;
    const sender = (async () => {
      const until = Date.now() + 240_000;
      while (sending && Date.now() < until) {
        const events = Array.from({ length: 20 }, (_, i) => ({
          eventId: `crash-${sent}-${i}`,
          occurredAt: new Date().toISOString(),
          provider: 'openai',
          model: 'gpt-5.5',
          usage: { inputTokens: 1000 + i, outputTokens: 100 },
        }));
        sent += 1;
        try {
          const response = await fetch(`${api}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await response.json()) as { accepted?: number };
          if (response.status === 202 && body.accepted !== 20) partial += 1;
          if (response.status === 202) {
            for (const e of events) accepted.add(e.eventId);
            acceptedAt.push(Date.now());
          } else refused += 1;
        } catch {
          refused += 1; // the API is down (connection refused or reset)
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    const acceptedBetween = (from: number, to: number) =>
      acceptedAt.filter((t) => t >= from && t <= to).length;

    const before = processes();
    expect(before.map((p) => [p.name, p.state, p.alive, p.restarts])).toEqual([
      ['api', 'running', true, 0],
      ['worker', 'running', true, 0],
      ['dashboard', 'running', true, 0],
    ]);
    const pid = Object.fromEntries(before.map((p) => [p.name, p.pid!]));
    await new Promise((r) => setTimeout(r, 1500));

    // The worker dies mid-flow: it comes back; the API kept accepting meanwhile.
    const workerKilledAt = Date.now();
    process.kill(pid.worker!, 'SIGKILL');
    const worker = await restarted('worker', pid.worker!);
    const workerBackAt = Date.now();
    expect(started.output()).toMatch(
      /worker exited \(SIGKILL\) after .+; restarting it in 1 s .*api and dashboard keep serving\./,
    );
    // The supervisor logs the restart right after it records the new pid; `status` (a synchronous
    // child process) can see the pid before this process has read that line from the pipe.
    await expect
      .poll(() => started!.output(), { timeout: 5000 })
      .toContain(`worker restarted (pid ${worker}; 1 restart since start).`);
    expect(acceptedBetween(workerKilledAt, workerBackAt)).toBeGreaterThan(0);
    expect(processOf('api')).toMatchObject({ pid: pid.api, restarts: 0, alive: true });
    await new Promise((r) => setTimeout(r, 1000));

    // The API dies: it comes back; the worker and the dashboard kept running meanwhile.
    const apiKilledAt = Date.now();
    process.kill(pid.api!, 'SIGKILL');
    const dashboardPage = await fetch(`http://127.0.0.1:${dashboardPort}/`);
    expect(dashboardPage.status).toBe(200);
    const apiPid = await restarted('api', pid.api!);
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`${api}/readyz`)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (Date.now() > deadline) throw new Error(`the API did not answer again:\n${started.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const apiBackAt = Date.now();
    expect(started.output()).toMatch(
      /api exited \(SIGKILL\) after .+; restarting it in 1 s .*worker and dashboard keep serving\./,
    );
    await expect
      .poll(() => started!.output(), { timeout: 5000 })
      .toContain(`api restarted (pid ${apiPid}; 1 restart since start).`);
    expect(processOf('worker')).toMatchObject({ pid: worker, restarts: 1, alive: true });
    expect(processOf('dashboard')).toMatchObject({ pid: pid.dashboard, restarts: 0, alive: true });
    // Events are accepted again after the restart.
    const resumed = Date.now() + 30_000;
    while (acceptedBetween(apiBackAt, Date.now()) < 5 && Date.now() < resumed)
      await new Promise((r) => setTimeout(r, 100));
    sending = false;
    await sender;
    expect(partial).toBe(0);
    expect(refused).toBeGreaterThan(0); // the API really was down for a while
    expect(acceptedBetween(apiBackAt, Date.now())).toBeGreaterThanOrEqual(5);
    expect(acceptedBetween(0, apiKilledAt)).toBeGreaterThan(0);

    // What `status` shows a person, and its exit code (0: everything runs).
    const shown = status(false);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^\s+api\s+running\s+\d+\s+.+?\s+1\s+SIGKILL, .+ ago$/m);
    expect(shown.stdout).toMatch(/^\s+worker\s+running\s+\d+\s+.+?\s+1\s+SIGKILL, .+ ago$/m);
    expect(shown.stdout).toMatch(/^\s+dashboard\s+running\s+\d+\s+.+?\s+0\s+-$/m);
    expect(shown.stdout).toContain(`API        ${api}   ready`);

    // Every event that got a 202 is stored, once; rollups count each stored event once.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const ids = [...accepted];
      let stored = { n: 0, distinct: 0 };
      const storedBy = Date.now() + 60_000;
      while (Date.now() < storedBy) {
        const { rows } = await client.query<{ n: string; distinct: string }>(
          'SELECT count(*) AS n, count(DISTINCT event_id) AS distinct FROM usage_events WHERE event_id = ANY($1)',
          [ids],
        );
        stored = { n: Number(rows[0]!.n), distinct: Number(rows[0]!.distinct) };
        if (stored.n >= ids.length) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(ids.length).toBeGreaterThan(100);
      expect(stored).toEqual({ n: ids.length, distinct: ids.length });
      // Batches whose 202 was lost with the API may be stored too: still each once, in rollups too.
      const { rows } = await client.query<{ events: string; rolled: string }>(
        `SELECT (SELECT count(*) FROM usage_events) AS events, (SELECT coalesce(sum(requests), 0) FROM hourly_rollups) AS rolled`,
      );
      expect(Number(rows[0]!.rolled)).toBe(Number(rows[0]!.events));
    } finally {
      await client.end();
    }

    // A crash loop: the worker dies each time it comes back. The fifth crash within a minute
    // (the first kill above may count) stops everything, with exit code 1.
    let current = worker;
    for (let kill = 0; kill < 5 && started.child.exitCode === null; kill += 1) {
      process.kill(current, 'SIGKILL');
      const gaveUpOrBack = Date.now() + 30_000;
      while (started.child.exitCode === null && Date.now() < gaveUpOrBack) {
        const p = processOf('worker');
        if (p.state === 'running' && p.alive && p.pid !== current) {
          current = p.pid!;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(
      /worker exited \(SIGKILL\): its 5th crash within 60 s\. That is a crash loop; giving up and stopping api and dashboard\./,
    );
    expect([await portAnswers(port), await portAnswers(dashboardPort)]).toEqual([false, false]);
    const after = status(false);
    expect(after.code).toBe(3);
    expect(after.stdout).toMatch(
      /^Tokenledger is not running: it gave up on a crash loop .* \(exit code 1\)\.$/m,
    );
    expect(after.stdout).toMatch(/^\s+worker\s+crash loop\s+-/m);
  }, 300_000);
});
