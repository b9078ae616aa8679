// `npm start`: brings the whole product up on this machine — dependencies, build, database,
// migrations, seed, demo traffic on the first start — then runs the API, the worker and the
// dashboard with prefixed logs. A process that crashes is restarted with backoff while the others
// keep serving; a crash loop (5 crashes of one process within a minute) stops all and exits 1.
// Ctrl-C or SIGTERM stops all three. `npm start -- status [--json]` shows what runs and its restarts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bin, prepare, ROOT } from './lib/prepare.mjs';
import { readStatus, renderStatus, statusExitCode } from './lib/status.mjs';
import { Supervisor } from './lib/supervisor.mjs';

const env = { LOG_FORMAT: 'pretty', ...process.env };
const port = Number(env.PORT || 4000);
const dashboardPort = Number(env.DASHBOARD_PORT || 5173);
const apiUrl = `http://127.0.0.1:${port}`;
const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
const HOME = env.TOKENLEDGER_HOME ?? join(ROOT, '.tokenledger');
const CREDENTIALS_FILE = join(HOME, 'demo-login.txt');
/** The first start's demo load: its window, and whether it finished (so a stopped one is resumed). */
const DEMO_STATE_FILE = join(HOME, 'demo-load.json');
/** Each running process: pid, state, restarts, last exit (written by the supervisor, read by `status`). */
const PROCESSES_FILE = join(HOME, 'processes.json');
/** Demo events loaded on the first start (bulk path, 15-20 s on two cores, beside the services). */
const DEMO_EVENTS = 200_000;

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

function portInUse(p) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: p });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function main() {
  const started = Date.now();
  try {
    prepare();
  } catch (error) {
    fail(error.message);
  }

  const { requireServices, serviceUrls } = await import('./lib/services.mjs');
  await requireServices(env);

  for (const [name, p, variable] of [
    ['API', port, 'PORT'],
    ['dashboard', dashboardPort, 'DASHBOARD_PORT'],
  ]) {
    if (await portInUse(p))
      fail(
        `Port ${p} (the ${name}) is already in use — is Tokenledger already running? Stop it, or set ${variable}.`,
      );
  }

  const { ensureDatabase, applyMigrations } = await import('../tools/db/migrate.mjs');
  const { databaseUrl } = serviceUrls(env);
  try {
    await ensureDatabase(databaseUrl);
    const applied = await applyMigrations(databaseUrl);
    if (applied.length > 0) console.error(`[prepare] applied ${applied.length} migration(s)`);
  } catch (error) {
    fail(`Could not prepare the database: ${error.message}`);
  }

  const cli = (...args) =>
    spawnSync(process.execPath, [join(ROOT, 'apps/cli/dist/main.js'), ...args], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
  if (cli('seed').status !== 0) fail('Seeding failed (see above).');

  // The first start gives the demo organization 90 days of realistic traffic, so the dashboard shows
  // something real; later starts find events there and skip it. TOKENLEDGER_DEMO_EVENTS=0 skips it.
  // It loads beside the services (the bulk path writes straight to the database) rather than before
  // them: the product answers sooner, and the dashboard fills in as the load goes.
  const demoEvents = env.TOKENLEDGER_DEMO_EVENTS || String(DEMO_EVENTS);
  const demo = demoEvents === '0' ? null : demoLoadPlan(demoEvents, databaseUrl);
  const demoLoad =
    demo &&
    run({
      name: 'demo',
      color: 32,
      args: [join(ROOT, 'apps/cli/dist/main.js'), 'demo', 'load', ...demo.args],
    });
  if (demo) saveDemoState({ ...demo.state, done: false });

  let stopping = false;
  const supervisor = new Supervisor({
    stateFile: PROCESSES_FILE,
    launch: run,
    log: (line) => console.error(`\n${line}`),
    onGiveUp: () => stop(1),
    info: { apiUrl, dashboardUrl },
  });
  supervisor.start([
    { name: 'api', color: 36, args: [join(ROOT, 'apps/api/dist/main.js')] },
    { name: 'worker', color: 35, args: [join(ROOT, 'apps/worker/dist/main.js')] },
    {
      name: 'dashboard',
      color: 33,
      args: [bin('vite'), 'preview', 'apps/dashboard', '--logLevel', 'warn'],
      env: { API_URL: apiUrl },
    },
  ]);
  const children = () => [...supervisor.children(), ...(demoLoad?.exitCode === null ? [demoLoad] : [])];

  function stop(code) {
    if (stopping) return;
    stopping = true;
    supervisor.stopping();
    console.error('\nStopping Tokenledger…');
    const running = children();
    for (const c of running) c.kill('SIGTERM');
    const force = setTimeout(() => running.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 10_000);
    force.unref();
    Promise.all(
      running.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))),
    ).then(() => {
      supervisor.finish(code);
      process.exit(code);
    });
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGHUP', () => stop(0)); // the terminal closed
  demoLoad?.once('exit', (code, signal) => {
    if (code === 0) saveDemoState({ ...demo.state, done: true });
    else if (!stopping)
      console.error(
        `Loading the demo traffic failed (${signal ?? `code ${code}`}, see above); the rest runs on.`,
      );
  });

  await waitUntilUp();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(
    [
      '',
      `Tokenledger is up (${seconds} s):`,
      `  Dashboard  ${dashboardUrl}`,
      `  API        ${apiUrl}   (GraphQL ${apiUrl}/graphql, ingestion POST ${apiUrl}/v1/events)`,
      existsSync(CREDENTIALS_FILE) ? `  Demo login ${CREDENTIALS_FILE}` : '',
      demoLoad?.exitCode === null
        ? '  Demo data  loading (lines marked "demo"); the dashboard fills in as it goes'
        : '',
      'Press Ctrl-C to stop. Status: npm start -- status',
      '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

/**
 * What `demo load` runs with. A load that was stopped before it finished (Ctrl-C soon after the
 * first start) is resumed with the same window, hence the same eventIds: the events stored already
 * are recognised and skipped, the rest are added, nothing is counted twice. Otherwise it loads
 * only into an organization without events.
 */
function demoLoadPlan(events, databaseUrl) {
  let previous = null;
  try {
    previous = JSON.parse(readFileSync(DEMO_STATE_FILE, 'utf8'));
  } catch {
    // no demo load recorded here yet
  }
  const common = ['--events', events, '--days', '90'];
  if (previous && !previous.done && previous.events === events && previous.databaseUrl === databaseUrl) {
    console.error(`[prepare] resuming the demo load that was stopped before it finished`);
    return { args: [...common, '--end', previous.end], state: previous };
  }
  // `demo load` rounds --end down to the hour; the same value again gives the same window.
  const end = new Date().toISOString();
  return { args: ['--if-empty', ...common, '--end', end], state: { events, databaseUrl, end } };
}

function saveDemoState(state) {
  mkdirSync(HOME, { recursive: true });
  writeFileSync(DEMO_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

function run({ name, color, args, env: extra }) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.tokenledgerName = name;
  const prefix = process.stdout.isTTY ? `\x1b[${color}m${name.padEnd(9)}\x1b[0m│ ` : `${name.padEnd(9)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
  return child;
}

async function waitUntilUp() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const [api, dash] = await Promise.all([fetch(`${apiUrl}/readyz`), fetch(dashboardUrl)]);
      if (api.ok && dash.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  console.error('Tokenledger did not become ready within 2 minutes; see the logs above.');
}

async function status(json) {
  const current = await readStatus(PROCESSES_FILE);
  console.log(json ? JSON.stringify(current, null, 2) : renderStatus(current));
  process.exit(statusExitCode(current));
}

const [command, ...options] = process.argv.slice(2);
if (command === 'status') {
  status(options.includes('--json')).catch((error) => fail(error.message));
} else if (command !== undefined) {
  fail(`Unknown command "${command}". Usage: npm start            (run Tokenledger)
       npm start -- status  [--json]  (what runs, restarts, last exits)`);
} else {
  main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
}
