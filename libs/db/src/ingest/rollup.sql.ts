import Decimal from 'decimal.js';
import { TOKEN_KINDS } from '@tokenledger/contracts';
import { arrayLiteral, type PgClient } from '../pg';
import type { RollupDelta } from './rollup-cell';

/** The counters every rollup table carries, by column and by RollupDelta field. */
export const ROLLUP_COUNTERS: readonly (readonly [string, keyof RollupDelta])[] = [
  ['requests', 'requests'],
  ['error_requests', 'errorRequests'],
  ['priced_requests', 'pricedRequests'],
  ['unpriced_requests', 'unpricedRequests'],
  ...TOKEN_KINDS.map((k) => [k.column, k.field] as const),
  ['unpriced_input_tokens', 'unpricedInputTokens'],
  ['unpriced_output_tokens', 'unpricedOutputTokens'],
  ['latency_ms_sum', 'latencyMsSum'],
  ['latency_count', 'latencyCount'],
];

type Dimension = 'provider' | 'model' | 'feature' | 'customerId' | 'environment' | 'apiKeyId';

const COLUMN: Record<Dimension, string> = {
  provider: 'provider',
  model: 'model',
  feature: 'feature',
  customerId: 'customer_id',
  environment: 'environment',
  apiKeyId: 'api_key_id',
};

/** The SQL type of each dimension's column (text unless said). */
const COLUMN_TYPE: Partial<Record<Dimension, string>> = { apiKeyId: 'uuid' };

/**
 * One rollup table: its time bucket and the dimensions it keeps, in its unique key's order. A cell
 * whose value of one of them is null (an event no API key is recorded for) is not kept by it.
 */
export interface RollupLevel {
  table: 'hourly_rollups' | 'daily_rollups' | 'daily_customer_rollups' | 'api_key_rollups';
  bucket: 'hour' | 'day';
  dimensions: readonly Dimension[];
}

export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  {
    table: 'hourly_rollups',
    bucket: 'hour',
    dimensions: ['provider', 'model', 'feature', 'customerId', 'environment'],
  },
  { table: 'daily_rollups', bucket: 'day', dimensions: ['provider', 'model', 'feature', 'environment'] },
  {
    table: 'daily_customer_rollups',
    bucket: 'day',
    dimensions: ['customerId', 'provider', 'model', 'feature', 'environment'],
  },
  // Budgets per API key: one row per project × key × hour, whatever else the events say.
  { table: 'api_key_rollups', bucket: 'hour', dimensions: ['apiKeyId'] },
];

const COUNTER_COLUMNS = ROLLUP_COUNTERS.map(([column]) => column);

/** Parameters one level's upsert takes after $1 (organization) and $2 (project). */
function paramCount(level: RollupLevel): number {
  return 1 + level.dimensions.length + COUNTER_COLUMNS.length + 1;
}

/** One level's upsert; its own parameters are numbered from `first` ($1 and $2 are shared). */
function upsertSql(level: RollupLevel, first: number): string {
  const keys = level.dimensions.map((d) => COLUMN[d]);
  const bucketType = level.bucket === 'hour' ? 'timestamptz' : 'date';
  const firstCounter = first + 1 + keys.length;
  return `
INSERT INTO ${level.table} (organization_id, project_id, ${level.bucket}, ${keys.join(', ')}, ${COUNTER_COLUMNS.join(', ')}, cost_usd, updated_at)
SELECT $1::uuid, $2::uuid, c.${level.bucket}, ${keys.map((k) => `c.${k}`).join(', ')}, ${COUNTER_COLUMNS.map((c) => `c.${c}`).join(', ')}, c.cost_usd, now()
FROM unnest(
  $${first}::${bucketType}[], ${level.dimensions.map((d, i) => `$${first + 1 + i}::${COLUMN_TYPE[d] ?? 'text'}[]`).join(', ')},
  ${COUNTER_COLUMNS.map((_, i) => `$${firstCounter + i}::bigint[]`).join(', ')},
  $${firstCounter + COUNTER_COLUMNS.length}::numeric[]
) WITH ORDINALITY AS c(${level.bucket}, ${keys.join(', ')}, ${COUNTER_COLUMNS.join(', ')}, cost_usd, ord)
ORDER BY c.ord
ON CONFLICT (project_id, ${level.bucket}, ${keys.join(', ')}) DO UPDATE SET
  ${COUNTER_COLUMNS.map((c) => `${c} = ${level.table}.${c} + EXCLUDED.${c}`).join(',\n  ')},
  cost_usd = ${level.table}.cost_usd + EXCLUDED.cost_usd,
  updated_at = now()`;
}

/** Parameters of every level's upsert together (after $1 and $2). */
export const ROLLUP_PARAM_COUNT = ROLLUP_LEVELS.reduce((n, level) => n + paramCount(level), 0);

/**
 * Every level's upsert, parameters numbered from `first` (what `rollupParams` gives, in order),
 * to run as parts of one statement. Cached by `first` (callers use a few numberings).
 */
const UPSERTS = new Map<number, string[]>();
export function rollupUpserts(first: number): string[] {
  let sql = UPSERTS.get(first);
  if (!sql) {
    sql = [];
    let next = first;
    for (const level of ROLLUP_LEVELS) {
      sql.push(upsertSql(level, next));
      next += paramCount(level);
    }
    UPSERTS.set(first, sql);
  }
  return sql;
}

interface LevelCell {
  /** The unique key (bucket and dimensions) joined: what cells are sorted by. */
  id: string;
  bucket: string;
  keys: string[];
  delta: RollupDelta;
}

/**
 * Hourly cells folded into a level's cells, sorted by its unique key (one lock order for all
 * writers). The same hourly cell may come more than once (several batches written together).
 */
function cellsOf(level: RollupLevel, hourly: RollupDelta[]): LevelCell[] {
  const folded = new Map<string, LevelCell>();
  for (const delta of hourly) {
    const bucket = level.bucket === 'day' ? delta.hour.slice(0, 10) : delta.hour;
    const keys = level.dimensions.map((d) => delta[d]);
    if (!keys.every((k): k is string => k !== null)) continue;
    const id = [bucket, ...keys].join('\u001f');
    const cell = folded.get(id);
    if (!cell) {
      folded.set(id, { id, bucket, keys, delta: { ...delta, costUsd: new Decimal(delta.costUsd) } });
      continue;
    }
    for (const [, field] of ROLLUP_COUNTERS) (cell.delta[field] as number) += delta[field] as number;
    cell.delta.costUsd = cell.delta.costUsd.plus(delta.costUsd);
  }
  return [...folded.values()].sort(byKey);
}

function byKey(a: LevelCell, b: LevelCell): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The parameters of every level's upsert (after $1 and $2), as array literals. */
export function rollupParams(hourly: RollupDelta[]): string[] {
  const params: string[] = [];
  for (const level of ROLLUP_LEVELS) {
    const cells = cellsOf(level, hourly);
    params.push(
      arrayLiteral(cells.map((c) => c.bucket)),
      ...level.dimensions.map((_, i) => arrayLiteral(cells.map((c) => c.keys[i]))),
      ...ROLLUP_COUNTERS.map(([, field]) => arrayLiteral(cells.map((c) => c.delta[field] as number))),
      arrayLiteral(cells.map((c) => c.delta.costUsd.toFixed())),
    );
  }
  return params;
}

/**
 * One statement that runs `main` (parameters from $1, e.g. an INSERT of events; null for none) and
 * then the upsert of every rollup level, whose parameters follow main's from `first`. One round
 * trip: a transaction holds the hot rollup rows' locks only for this statement and its COMMIT.
 * Every writer runs this same statement shape, so all take rollup row locks in one order (level
 * by level, each level sorted by its unique key): concurrent writers cannot deadlock.
 */
export function withRollups(main: string | null, first: number): string {
  const parts = [...(main ? [main] : []), ...rollupUpserts(first)];
  const last = parts.pop()!;
  return parts.length === 0 ? last : `WITH ${parts.map((p, i) => `w${i} AS (${p})`).join(',\n')}\n${last}`;
}

/**
 * Adds hourly deltas to every rollup level (hourly, daily, daily per customer, per API key) of one project.
 * Run inside the transaction that wrote (or re-priced) the events.
 */
export async function upsertRollups(
  client: PgClient,
  organizationId: string,
  projectId: string,
  hourly: RollupDelta[],
): Promise<void> {
  if (hourly.length === 0) return;
  await client.query({
    name: 'tl-upsert-rollups',
    text: withRollups(null, 3),
    values: [organizationId, projectId, ...rollupParams(hourly)],
  });
}
