// The committed migrations, applied by tools/db/migrate.mjs to a throwaway database, must produce
// exactly prisma/schema.prisma, be recorded as Prisma records them, and apply only once.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

// eslint-disable-next-line @nx/enforce-module-boundaries -- tools/db holds plain scripts, not an Nx project
import {
  DEFAULT_SCHEMA_PATH,
  applyMigrations,
  checkDrift,
  createMigration,
} from '../../tools/db/migrate.mjs';

const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const dbName = `tokenledger_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();

const migrationsDir = path.join(path.dirname(DEFAULT_SCHEMA_PATH), 'migrations');
const committedMigrations = fs.existsSync(migrationsDir)
  ? fs
      .readdirSync(migrationsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  : [];

const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenledger-migrations-'));

async function query<T extends pg.QueryResultRow>(database: string, sql: string): Promise<T[]> {
  const client = new pg.Client({
    connectionString: Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString(),
  });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** schema.prisma with one extra optional column on its first model. */
function schemaWithExtraField(): string {
  const schema = fs.readFileSync(DEFAULT_SCHEMA_PATH, 'utf8');
  const changed = schema.replace(/^(model\s+\w+\s*\{[^\n]*\n)/m, '$1  driftProbe Int?\n');
  expect(changed).not.toBe(schema);
  return changed;
}

afterAll(async () => {
  fs.rmSync(tmpDir, { recursive: true, force: true });
  await query('postgres', `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
});

describe('database migrations (tools/db/migrate.mjs)', () => {
  it('applies every committed migration to an empty database and records it as Prisma does', async () => {
    expect(committedMigrations.length, `no migrations in ${migrationsDir}`).toBeGreaterThan(0);

    const applied = await applyMigrations(databaseUrl);

    expect(applied).toEqual(committedMigrations);
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(dbName, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(committedMigrations);
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('reports no drift between prisma/schema.prisma and the migrations', async () => {
    const result = await checkDrift(databaseUrl);

    expect(result.sql).toBeNull();
    expect(result.drift).toBe(false);
  });

  it('treats a second apply as a no-op', async () => {
    const before = await query(dbName, 'SELECT id, finished_at FROM _prisma_migrations ORDER BY id');
    const started = performance.now();

    const applied = await applyMigrations(databaseUrl);

    expect(applied).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await query(dbName, 'SELECT id, finished_at FROM _prisma_migrations ORDER BY id')).toEqual(before);
  });

  it('reports a schema with an extra field as drift, with the SQL that would fix it', async () => {
    const schemaPath = path.join(tmpDir, 'drift', 'schema.prisma');
    fs.mkdirSync(path.dirname(schemaPath), { recursive: true });
    fs.writeFileSync(schemaPath, schemaWithExtraField());

    const result = await checkDrift(databaseUrl, { schemaPath, migrationsDir });

    expect(result.drift).toBe(true);
    expect(result.sql).toMatch(/ALTER TABLE "\w+" ADD COLUMN\s+"driftProbe" INTEGER/);
  });

  it('creates a migration for a schema change, and none when nothing changed', async () => {
    const dir = path.join(tmpDir, 'create');
    const copiedMigrations = path.join(dir, 'migrations');
    fs.cpSync(migrationsDir, copiedMigrations, { recursive: true });
    const schemaPath = path.join(dir, 'schema.prisma');
    fs.copyFileSync(DEFAULT_SCHEMA_PATH, schemaPath);
    const opts = { databaseUrl, schemaPath, migrationsDir: copiedMigrations };

    expect(await createMigration('nothing', opts)).toBeNull();
    expect(fs.readdirSync(copiedMigrations).sort()).toEqual(fs.readdirSync(migrationsDir).sort());

    fs.writeFileSync(schemaPath, schemaWithExtraField());
    const created = await createMigration('Add drift probe', opts);

    expect(created?.name).toMatch(/^\d{14}_add_drift_probe$/);
    expect(fs.readFileSync(created!.file, 'utf8')).toMatch(/ADD COLUMN\s+"driftProbe" INTEGER/);
    expect(fs.readFileSync(path.join(copiedMigrations, 'migration_lock.toml'), 'utf8')).toMatch(
      /^provider = "postgresql"$/m,
    );
    // The new migration closes the gap, and nothing was applied to the database by `create`.
    expect((await checkDrift(databaseUrl, { schemaPath, migrationsDir: copiedMigrations })).drift).toBe(
      false,
    );
    expect(await query(dbName, 'SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([
      { n: committedMigrations.length },
    ]);
  });
});
