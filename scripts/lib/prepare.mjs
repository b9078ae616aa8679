// Brings a checkout to a runnable state, doing only what is out of date: dependencies, the Prisma
// client, the TypeScript build, the dashboard bundle. Only Node built-ins here: this runs before
// `npm ci` on a fresh clone. Everything it prints goes to standard error.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The file behind a package's command (`bin('typescript', 'tsc')`), wherever npm put it. */
export function bin(pkg, name = pkg) {
  const require = createRequire(join(ROOT, 'package.json'));
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const { bin: entries } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const relativePath = typeof entries === 'string' ? entries : entries[name];
  return join(dirname(manifestPath), relativePath);
}

function log(message) {
  console.error(`[prepare] ${message}`);
}

export function run(command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    // Whatever preparing prints is a log, never a result: it goes to standard error, so that the
    // first `npm run -s tokenledger -- … --json` of a fresh clone still prints only its JSON
    // (npm ci's "added 932 packages" would otherwise come first).
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', process.stderr.fd, 'inherit'],
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0) {
    if (options.quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(
      `${[command, ...args].map((a) => relative(ROOT, a) || a).join(' ')} failed (exit ${result.status ?? result.signal})`,
    );
  }
  return Date.now() - started;
}

function node(script, args, options) {
  return run(process.execPath, [script, ...args], options);
}

/** A digest of files (paths and contents) below the given roots, skipping build output. */
export function digest(paths) {
  const hash = createHash('sha256');
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry === 'node_modules' || entry === 'dist' || entry === 'generated') continue;
        visit(join(path, entry));
      }
    } else {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const p of paths) visit(join(ROOT, p));
  return hash.digest('hex');
}

function stale(stampFile, value) {
  return !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== value;
}

function stamp(stampFile, value) {
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, value);
}

export function ensureDependencies() {
  const lockDigest = digest(['package-lock.json']);
  const stampFile = join(ROOT, 'node_modules', '.tokenledger-installed');
  if (!stale(stampFile, lockDigest)) return;
  const fresh = !existsSync(join(ROOT, 'node_modules'));
  log(
    fresh
      ? 'installing dependencies (npm ci, about a minute)…'
      : 'package-lock.json changed: updating dependencies…',
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const ms = run(
    npm,
    fresh
      ? ['ci', '--no-audit', '--no-fund', '--loglevel=error']
      : ['install', '--no-audit', '--no-fund', '--loglevel=error'],
  );
  stamp(stampFile, lockDigest);
  log(`dependencies ready in ${(ms / 1000).toFixed(1)} s`);
}

export function ensurePrismaClient() {
  const value = digest(['prisma/schema.prisma', 'package-lock.json']);
  const stampFile = join(ROOT, 'libs/db/src/generated/.schema-digest');
  if (!stale(stampFile, value) && existsSync(join(ROOT, 'libs/db/src/generated/prisma/client.ts'))) return;
  log('generating the Prisma client…');
  node(join(ROOT, 'scripts/prisma.mjs'), ['generate'], { quiet: true });
  stamp(stampFile, value);
}

export function buildServer() {
  const ms = node(bin('typescript', 'tsc'), ['-b', 'tsconfig.build.json']);
  if (ms > 3000) log(`server code built in ${(ms / 1000).toFixed(1)} s`);
}

export function buildDashboard() {
  const value = digest(['apps/dashboard', 'apps/api/schema.graphql', 'package-lock.json']);
  const stampFile = join(ROOT, 'apps/dashboard/dist/.inputs-digest');
  const introspection = join(ROOT, 'apps/dashboard/src/generated/graphql-env.d.ts');
  if (!stale(stampFile, value) && existsSync(introspection)) return;
  log('building the dashboard…');
  // The dashboard's GraphQL types come from the committed schema file, never from a running server.
  node(bin('gql.tada'), ['generate', 'output', '--tsconfig', 'apps/dashboard/tsconfig.json'], {
    quiet: true,
  });
  node(bin('vite'), ['build', 'apps/dashboard', '--logLevel', 'warn']);
  stamp(stampFile, value);
}

/** Everything `npm start` and `npm test` need before they touch a service. */
export function prepare() {
  ensureDependencies();
  ensurePrismaClient();
  buildServer();
  buildDashboard();
}
