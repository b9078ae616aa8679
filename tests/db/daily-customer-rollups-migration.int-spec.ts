// The migration that gives the daily customer rollup feature and environment rebuilds its rows from
// the hourly rollups. Applied to a database holding rollups written before it, the rebuilt table must
// equal the hourly cells summed per UTC day, cell by cell, and still sum to the rows it replaced.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// eslint-disable-next-line @nx/enforce-module-boundaries -- tools/db holds plain scripts, not an Nx project
import { DEFAULT_SCHEMA_PATH, applyMigrations } from '../../tools/db/migrate.mjs';

const MIGRATION = '20261130070000_daily_customer_rollups_feature_environment';
const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const dbName = `tokenledger_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const migrationsDir = path.join(path.dirname(DEFAULT_SCHEMA_PATH), 'migrations');
const before = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenledger-before-'));
const client = new pg.Client({ connectionString: databaseUrl });

const COUNTERS = [
  'requests',
  'error_requests',
  'priced_requests',
  'unpriced_requests',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'reasoning_tokens',
  'latency_ms_sum',
  'latency_count',
];

/** A small deterministic generator (the same cells on every run). */
function generator(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

beforeAll(async () => {
  // Every migration before this one, as a deployment from before it has.
  for (const entry of fs.readdirSync(migrationsDir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name < MIGRATION)
      fs.cpSync(path.join(migrationsDir, entry.name), path.join(before, entry.name), { recursive: true });
    else if (entry.isFile())
      fs.copyFileSync(path.join(migrationsDir, entry.name), path.join(before, entry.name));
  }
  await applyMigrations(databaseUrl, { migrationsDir: before });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  fs.rmSync(before, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
});

describe(`migration ${MIGRATION}`, () => {
  it('rebuilds the daily customer rollups from the hourly ones, keeping feature and environment', async () => {
    const rand = generator(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const org = randomUUID();
    const projects = [randomUUID(), randomUUID()];
    // Hourly cells over four UTC days, both ends of each day included (23:00 belongs to its own day).
    const cells = new Map<string, unknown[]>();
    for (let i = 0; i < 400; i++) {
      const hour = new Date(Date.UTC(2026, 5, 1 + Math.floor(rand() * 4), pick([0, 1, 11, 22, 23])));
      const key = [
        pick(projects),
        hour.toISOString(),
        pick(['openai', 'anthropic']),
        pick(['gpt-5.5', 'claude-sonnet-4.5', 'mystery']),
        pick(['', 'chat', 'search']),
        pick(['', 'acme', 'globex']),
        pick(['production', 'staging']),
      ];
      cells.set(key.join('|'), [
        ...key,
        ...COUNTERS.map(() => Math.floor(rand() * 1000)),
        (rand() * 10).toFixed(18),
      ]);
    }
    for (const row of cells.values()) {
      await client.query(
        `INSERT INTO hourly_rollups (organization_id, project_id, hour, provider, model, feature, customer_id, environment, ${COUNTERS.join(', ')}, cost_usd)
         VALUES ('${org}', ${row.map((_, i) => `$${i + 1}`).join(', ')})`,
        row,
      );
    }
    // The rows as the code before the migration kept them: per customer, provider and model.
    await client.query(
      `INSERT INTO daily_customer_rollups (organization_id, project_id, customer_id, provider, model, day, ${COUNTERS.join(', ')}, cost_usd)
       SELECT organization_id, project_id, customer_id, provider, model, (hour AT TIME ZONE 'UTC')::date,
         ${COUNTERS.map((c) => `sum(${c})`).join(', ')}, sum(cost_usd)
       FROM hourly_rollups GROUP BY 1, 2, 3, 4, 5, 6`,
    );
    const old = await client.query(
      `SELECT project_id, day::text, customer_id, provider, model, ${COUNTERS.join(', ')}, cost_usd::text
       FROM daily_customer_rollups ORDER BY 1, 2, 3, 4, 5`,
    );

    // This migration first, then any that came after it.
    expect((await applyMigrations(databaseUrl, { migrationsDir }))[0]).toBe(MIGRATION);

    const expected = await client.query(
      `SELECT project_id, (hour AT TIME ZONE 'UTC')::date::text AS day, customer_id, provider, model, feature, environment,
         ${COUNTERS.map((c) => `sum(${c})::text AS ${c}`).join(', ')}, sum(cost_usd)::text AS cost_usd
       FROM hourly_rollups GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    );
    const rebuilt = await client.query(
      `SELECT project_id, day::text, customer_id, provider, model, feature, environment,
         ${COUNTERS.map((c) => `${c}::text`).join(', ')}, cost_usd::text
       FROM daily_customer_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    );
    expect(rebuilt.rows.length).toBeGreaterThan(old.rows.length);
    expect(rebuilt.rows).toEqual(expected.rows);
    // Summed back over feature and environment: the rows it replaced, to the last decimal.
    const regrouped = await client.query(
      `SELECT project_id, day::text, customer_id, provider, model, ${COUNTERS.map((c) => `sum(${c})::bigint AS ${c}`).join(', ')}, sum(cost_usd)::text AS cost_usd
       FROM daily_customer_rollups GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    );
    expect(regrouped.rows).toEqual(old.rows);
    // The new unique key: one row per cell, and a second insert of a cell conflicts.
    await expect(
      client.query(
        `INSERT INTO daily_customer_rollups (organization_id, project_id, customer_id, provider, model, feature, environment, day)
         SELECT organization_id, project_id, customer_id, provider, model, feature, environment, day
         FROM daily_customer_rollups LIMIT 1`,
      ),
    ).rejects.toThrow(/daily_customer_rollups_cell_key/);
  });
});
