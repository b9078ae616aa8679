// `npm test`: every check and test — lint (module boundaries included), GraphQL schema drift, and
// Vitest's unit and integration projects (real PostgreSQL and Redis on a throwaway database that
// the integration setup creates and drops). Ends with one line: `N passed, N failed`.
// Extra arguments go to Vitest, e.g. `npm test -- libs/pricing`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, prepare, ROOT } from './lib/prepare.mjs';

const REPORTS = join(ROOT, '.reports');
const checks = [];

function check(name, args, env = {}) {
  console.error(`\n── ${name}`);
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const ok = result.status === 0;
  checks.push({ name, ok });
  console.error(ok ? `✓ ${name}` : `✗ ${name} failed`);
}

async function main() {
  try {
    prepare();
  } catch (error) {
    console.error(error.message);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  rmSync(REPORTS, { recursive: true, force: true });
  mkdirSync(REPORTS, { recursive: true });
  const { requireServices } = await import('./lib/services.mjs');
  await requireServices();
  const nx = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

  // The module-boundary rule reads Nx's project graph: compute it first.
  spawnSync(process.execPath, [bin('nx'), 'show', 'projects'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, ...nx },
  });
  check('lint', [bin('eslint'), '.', '--max-warnings=0'], nx);
  check('formatting (prettier --check)', [bin('prettier'), '--check', '--log-level=warn', '.']);
  // The build type-checks the server code; Vitest strips types, so tests and the dashboard are checked here.
  check('typecheck tests', [bin('typescript', 'tsc'), '-p', 'tsconfig.spec.json']);
  check('typecheck dashboard', [bin('typescript', 'tsc'), '-p', 'apps/dashboard/tsconfig.json']);
  check('graphql schema is committed and current', [
    join(ROOT, 'apps/api/dist/graphql/print-schema.js'),
    '--check',
  ]);

  // This run's Redis keys all start with `tltest-<run>` (tests/support/queue-prefix.ts); the
  // integration teardown deletes them, and the check after Vitest makes sure it did.
  // `node scripts/test.mjs -- tests/start` passes the `--` on: Vitest would then ignore the filter.
  const vitestArgs = process.argv.slice(2);
  if (vitestArgs[0] === '--') vitestArgs.shift();
  const run = process.env.TOKENLEDGER_TEST_RUN || randomBytes(4).toString('hex');
  const vitestReport = join(REPORTS, 'vitest.json');
  console.error('\n── vitest (unit + integration)');
  const vitest = spawnSync(
    process.execPath,
    [
      bin('vitest'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${vitestReport}`,
      ...vitestArgs,
    ],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TOKENLEDGER_TEST_RUN: run } },
  );
  await checkNoKeysLeft(run);

  let passed = checks.filter((c) => c.ok).length;
  let failed = checks.filter((c) => !c.ok).length;
  let skipped = 0;
  if (existsSync(vitestReport)) {
    const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    // A file that failed to load has no tests to count: count it as a failure.
    failed += report.testResults.filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    ).length;
    // Vitest failed for a reason no test shows (an unhandled error, a crashed setup): one more failure.
    if (vitest.status !== 0 && report.numFailedTests === 0) failed += 1;
  } else {
    console.error('vitest wrote no report: counting it as a failure');
    failed += 1;
  }
  const summary = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  writeFileSync(join(REPORTS, 'summary.txt'), `${summary}\n`);
  console.log(summary);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

/**
 * The tests removed every Redis key they made (only this run's: other runs may be going on). When
 * they did not (a failed teardown, an interrupted run), the check fails and the keys are removed
 * now, so they do not pile up.
 */
async function checkNoKeysLeft(run) {
  const name = `no Redis keys left by this run (tltest-${run}*)`;
  console.error(`\n── ${name}`);
  const { Redis } = await import('ioredis');
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 3,
    lazyConnect: true,
  });
  try {
    await redis.connect();
    const left = [];
    for (const match of [`tltest-${run}:*`, `tltest-${run}-*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        left.push(...keys);
      } while (cursor !== '0');
    }
    checks.push({ name, ok: left.length === 0 });
    if (left.length === 0) {
      console.error(`✓ ${name}`);
      return;
    }
    console.error(`✗ ${left.length} left, e.g.\n  ${left.slice(0, 5).join('\n  ')}`);
    for (let i = 0; i < left.length; i += 500) await redis.unlink(...left.slice(i, i + 500));
    console.error('  (removed them now)');
  } catch (error) {
    checks.push({ name, ok: false });
    console.error(`✗ could not read Redis: ${error.message}`);
  } finally {
    redis.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
