import Decimal from 'decimal.js';
import type { PgClient } from '../pg';
import type { RollupDelta } from './rollup-cell';

/** The counters every rollup table carries, by column and by RollupDelta field. */
export const ROLLUP_COUNTERS = [
  ['requests', 'requests'],
  ['error_requests', 'errorRequests'],
  ['priced_requests', 'pricedRequests'],
  ['unpriced_requests', 'unpricedRequests'],
  ['input_tokens', 'inputTokens'],
  ['output_tokens', 'outputTokens'],
  ['cache_read_tokens', 'cacheReadTokens'],
  ['cache_write_tokens', 'cacheWriteTokens'],
  ['cache_write_1h_tokens', 'cacheWrite1hTokens'],
  ['reasoning_tokens', 'reasoningTokens'],
  ['input_audio_tokens', 'inputAudioTokens'],
  ['output_audio_tokens', 'outputAudioTokens'],
  ['input_image_tokens', 'inputImageTokens'],
  ['unpriced_input_tokens', 'unpricedInputTokens'],
  ['unpriced_output_tokens', 'unpricedOutputTokens'],
  ['latency_ms_sum', 'latencyMsSum'],
  ['latency_count', 'latencyCount'],
] as const satisfies readonly (readonly [string, keyof RollupDelta])[];

type Dimension = 'provider' | 'model' | 'feature' | 'customerId' | 'environment';

const COLUMN: Record<Dimension, string> = {
  provider: 'provider',
  model: 'model',
  feature: 'feature',
  customerId: 'customer_id',
  environment: 'environment',
};

/** One rollup table: its time bucket and the dimensions it keeps, in its unique key's order. */
export interface RollupLevel {
  table: 'hourly_rollups' | 'daily_rollups' | 'daily_customer_rollups';
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
  { table: 'daily_customer_rollups', bucket: 'day', dimensions: ['customerId', 'provider', 'model'] },
];

const COUNTER_COLUMNS = ROLLUP_COUNTERS.map(([column]) => column);

function upsertSql(level: RollupLevel): string {
  const keys = level.dimensions.map((d) => COLUMN[d]);
  const bucketType = level.bucket === 'hour' ? 'timestamptz' : 'date';
  const firstCounter = 4 + keys.length;
  return `
INSERT INTO ${level.table} (organization_id, project_id, ${level.bucket}, ${keys.join(', ')}, ${COUNTER_COLUMNS.join(', ')}, cost_usd, updated_at)
SELECT $1::uuid, $2::uuid, c.${level.bucket}, ${keys.map((k) => `c.${k}`).join(', ')}, ${COUNTER_COLUMNS.map((c) => `c.${c}`).join(', ')}, c.cost_usd, now()
FROM unnest(
  $3::${bucketType}[], ${keys.map((_, i) => `$${4 + i}::text[]`).join(', ')},
  ${COUNTER_COLUMNS.map((_, i) => `$${firstCounter + i}::bigint[]`).join(', ')},
  $${firstCounter + COUNTER_COLUMNS.length}::numeric[]
) WITH ORDINALITY AS c(${level.bucket}, ${keys.join(', ')}, ${COUNTER_COLUMNS.join(', ')}, cost_usd, ord)
ORDER BY c.ord
ON CONFLICT (project_id, ${level.bucket}, ${keys.join(', ')}) DO UPDATE SET
  ${COUNTER_COLUMNS.map((c) => `${c} = ${level.table}.${c} + EXCLUDED.${c}`).join(',\n  ')},
  cost_usd = ${level.table}.cost_usd + EXCLUDED.cost_usd,
  updated_at = now()`;
}

const SQL = new Map(ROLLUP_LEVELS.map((level) => [level.table, upsertSql(level)]));

interface LevelCell {
  bucket: string;
  keys: string[];
  delta: RollupDelta;
}

/** Hourly cells folded into a level's cells, sorted by its unique key (one lock order for all writers). */
function cellsOf(level: RollupLevel, hourly: RollupDelta[]): LevelCell[] {
  if (level.bucket === 'hour' && level.dimensions.length === 5) {
    return hourly
      .map((delta) => ({ bucket: delta.hour, keys: level.dimensions.map((d) => delta[d]), delta }))
      .sort(byKey);
  }
  const folded = new Map<string, LevelCell>();
  for (const delta of hourly) {
    const bucket = level.bucket === 'day' ? delta.hour.slice(0, 10) : delta.hour;
    const keys = level.dimensions.map((d) => delta[d]);
    const id = [bucket, ...keys].join('\u001f');
    const cell = folded.get(id);
    if (!cell) {
      folded.set(id, { bucket, keys, delta: { ...delta, costUsd: new Decimal(delta.costUsd) } });
      continue;
    }
    for (const [, field] of ROLLUP_COUNTERS) (cell.delta[field] as number) += delta[field] as number;
    cell.delta.costUsd = cell.delta.costUsd.plus(delta.costUsd);
  }
  return [...folded.values()].sort(byKey);
}

function byKey(a: LevelCell, b: LevelCell): number {
  const ka = [a.bucket, ...a.keys].join('\u001f');
  const kb = [b.bucket, ...b.keys].join('\u001f');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Adds hourly deltas to every rollup level (hourly, daily, daily per customer) of one project.
 * Run inside the transaction that wrote (or re-priced) the events.
 */
export async function upsertRollups(
  client: PgClient,
  organizationId: string,
  projectId: string,
  hourly: RollupDelta[],
): Promise<void> {
  if (hourly.length === 0) return;
  for (const level of ROLLUP_LEVELS) {
    const cells = cellsOf(level, hourly);
    await client.query(SQL.get(level.table)!, [
      organizationId,
      projectId,
      cells.map((c) => c.bucket),
      ...level.dimensions.map((_, i) => cells.map((c) => c.keys[i])),
      ...ROLLUP_COUNTERS.map(([, field]) => cells.map((c) => c.delta[field] as number)),
      cells.map((c) => c.delta.costUsd.toFixed()),
    ]);
  }
}
