import { spawn, type ChildProcess } from 'node:child_process';
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
