import pg from 'pg';

/**
 * A plain pg pool for the hot paths (event writes, rollup upserts) where one multi-row statement
 * per table beats an ORM round trip per row. Everything else goes through Prisma.
 */
export function createPgPool(
  databaseUrl: string,
  max = 10,
  { parallelQueries = true }: { parallelQueries?: boolean } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'tokenledger',
    // Without parallel workers: for queries of rollup size, starting workers costs more than they save.
    ...(parallelQueries ? {} : { options: '-c max_parallel_workers_per_gather=0' }),
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** Runs `body` in one transaction on one pooled connection. */
export async function inTransaction<T>(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A PostgreSQL array literal (`{"a","b",NULL,"3"}`) for one `$n::type[]` parameter: exactly the text
 * pg would send for the same JS array, but built in one pass (pg runs two regex replaces per
 * element) and before the writer's transaction starts, so none of it happens while the
 * transaction holds row locks. Elements are quoted and escaped; null and undefined are NULL.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  if (values.length === 0) return '{}';
  // The usual case, every element a number or a string needing no escape: one join, no string per element.
  let plain = true;
  for (let i = 0; i < values.length && plain; i++) {
    const v = values[i];
    plain = typeof v === 'number' || (typeof v === 'string' && !v.includes('"') && !v.includes('\\'));
  }
  if (plain) return `{"${values.join('","')}"}`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else {
      const text = String(v);
      parts[i] =
        text.includes('"') || text.includes('\\') ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}
