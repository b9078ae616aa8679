import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** What domain and contract code may never pull in: frameworks, databases, queues, I/O clients. */
const SERVER_ONLY = [
  '@nestjs/*',
  '@prisma/*',
  'prisma',
  'bullmq',
  'ioredis',
  'pg',
  'fastify',
  '@tokenledger/db',
];

/**
 * Domain code is deterministic: the same inputs give the same outputs, so it never reads the clock
 * or draws randomness itself. Callers pass `now` (and seeds) in.
 */
const NO_CLOCK_OR_RANDOMNESS = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'Domain code takes `now` as an argument; it does not read the clock.',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'Domain code takes `now` as an argument; `new Date()` reads the clock.',
  },
  {
    selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
    message: 'Domain code does not read the clock.',
  },
  {
    selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
    message: 'Domain code takes a seed (libs/demo/src/random.ts) rather than Math.random().',
  },
  {
    selector: 'CallExpression[callee.name=/^(randomUUID|randomBytes|randomInt|getRandomValues)$/]',
    message: 'Domain code draws no randomness.',
  },
  {
    selector: 'CallExpression[callee.property.name=/^(randomUUID|randomBytes|randomInt|getRandomValues)$/]',
    message: 'Domain code draws no randomness.',
  },
];

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.nx/**',
      '.reports/**',
      'libs/db/src/generated/**',
      'apps/dashboard/src/generated/**',
      'coverage/**',
      'tmp/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          depConstraints: [
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: SERVER_ONLY,
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
              bannedExternalImports: SERVER_ONLY,
            },
            // Demo traffic: a seeded generator over the domain libs, used by the CLI and benchmarks.
            {
              sourceTag: 'type:demo',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
              bannedExternalImports: SERVER_ONLY,
            },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:contracts'] },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:config'],
            },
            {
              sourceTag: 'type:sdk',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: [...SERVER_ONLY, '@tokenledger/config'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:domain',
                'type:demo',
                'type:contracts',
                'type:data-access',
                'type:config',
              ],
            },
            {
              sourceTag: 'scope:dashboard',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'],
              bannedExternalImports: SERVER_ONLY,
            },
            { sourceTag: 'type:tests', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/{contracts,pricing,simulation,budgeting,demo}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_CLOCK_OR_RANDOMNESS] },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  prettier,
];
