// `npm run lint`: ESLint over the whole repository, module-boundary rule included. That rule reads
// Nx's project graph and silently skips itself when none is cached (a fresh clone), so the graph is
// computed first, and a graph that cannot be computed fails the lint instead of weakening it.
// Extra arguments go to ESLint, e.g. `npm run lint -- --fix`.
import { spawnSync } from 'node:child_process';
import { bin, ROOT } from './lib/prepare.mjs';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const graph = spawnSync(process.execPath, [bin('nx'), 'show', 'projects'], {
  cwd: ROOT,
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (graph.status !== 0) {
  console.error('lint: could not compute the Nx project graph, so module boundaries cannot be checked');
  process.exit(1);
}
const eslint = spawnSync(
  process.execPath,
  [bin('eslint'), '.', '--max-warnings=0', ...process.argv.slice(2)],
  {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  },
);
process.exit(eslint.status ?? 1);
