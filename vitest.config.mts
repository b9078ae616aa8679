import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/** Workspace libraries resolve to their sources, so tests never need a build. */
const alias = [
  {
    find: /^@tokenledger\/(contracts|config|pricing|simulation|reports|demo|db|sdk)$/,
    replacement: resolve(import.meta.dirname, 'libs/$1/src/index.ts'),
  },
  // One copy of graphql: Vite would pick its ESM build for our sources while Nest and Apollo load the
  // CommonJS one, and graphql's instanceof checks fail between two copies.
  { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') },
  // Cross-app tests reach into apps by their entry modules (e.g. `@tokenledger/api/bootstrap`).
  {
    find: /^@tokenledger\/(api|worker|cli)\/(.+)$/,
    replacement: resolve(import.meta.dirname, 'apps/$1/src/$2.ts'),
  },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{apps,libs,tools}/**/*.spec.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['{apps,libs,tools}/**/*.int-spec.ts', 'tests/**/*.int-spec.ts', 'tests/**/*.e2e-spec.ts'],
          environment: 'node',
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
