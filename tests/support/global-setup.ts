import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { createPrismaClient, RateTableRepository } from '@tokenledger/db';
import pg from 'pg';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the migration tool is plain Node, outside the project graph
import { applyMigrations, ensureDatabase } from '../../tools/db/migrate.mjs';
import { deleteRunKeys, RUN_VARIABLE, runPrefix } from './queue-prefix';

const BASE_URL =
  process.env.TEST_DATABASE_BASE_URL ??
  process.env.DATABASE_URL ??
  'postgresql://postgres@127.0.0.1:5432/tokenledger';

/**
 * One throwaway database per test run, migrated and given the built-in catalog once; every test
 * file makes its own organization in it. The developer's `tokenledger` database is never touched.
 * Teardown drops the database and deletes the run's Redis keys.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `tokenledger_test_${randomBytes(4).toString('hex')}`;
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl, { log: () => undefined });
  // The built-in catalog, as `npm start` seeds it: pipeline tests price real events against it.
  const prisma = createPrismaClient(databaseUrl, { poolSize: 2 });
  try {
    await new RateTableRepository(prisma).importBuiltInCatalog();
  } finally {
    await prisma.$disconnect();
  }

  process.env.DATABASE_URL = databaseUrl;
  // Every queue of this run lives under `tltest-<run>`; teardown deletes them all.
  const run = process.env[RUN_VARIABLE] || randomBytes(4).toString('hex');
  process.env[RUN_VARIABLE] = run;
  process.env.QUEUE_PREFIX = runPrefix(run);
  project.provide('databaseUrl', databaseUrl);

  return async () => {
    await deleteRunKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', run);
    const admin = new URL(BASE_URL);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
