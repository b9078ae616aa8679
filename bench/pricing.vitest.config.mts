import { defineConfig } from 'vitest/config';
import root from '../vitest.config.mts';

/** `npm run bench:pricing`: the pricing benchmark alone, in one forked process (one core). */
export default defineConfig({
  resolve: root.resolve,
  test: {
    include: ['bench/pricing.bench.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    disableConsoleIntercept: true,
  },
});
