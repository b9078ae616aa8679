import type { PgClient } from '../pg';
import type { RollupDelta } from './rollup-cell';

const COUNTERS = [
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

const COUNTER_COLUMNS = COUNTERS.map(([column]) => column);
const TEXT_COLUMNS = ['provider', 'model', 'feature', 'customer_id', 'environment'];

// Parameters: $1 org, $2 project, $3 hours, $4..$8 text keys, then one bigint[] per counter, then cost.
const UPSERT_SQL = `
INSERT INTO hourly_rollups (organization_id, project_id, hour, ${TEXT_COLUMNS.join(', ')}, ${COUNTER_COLUMNS.join(', ')}, cost_usd, updated_at)
SELECT $1::uuid, $2::uuid, c.hour, ${TEXT_COLUMNS.map((t) => `c.${t}`).join(', ')}, ${COUNTER_COLUMNS.map((t) => `c.${t}`).join(', ')}, c.cost_usd, now()
FROM unnest(
  $3::timestamptz[], ${TEXT_COLUMNS.map((_, i) => `$${4 + i}::text[]`).join(', ')},
  ${COUNTER_COLUMNS.map((_, i) => `$${9 + i}::bigint[]`).join(', ')},
  $${9 + COUNTER_COLUMNS.length}::numeric[]
) WITH ORDINALITY AS c(hour, ${TEXT_COLUMNS.join(', ')}, ${COUNTER_COLUMNS.join(', ')}, cost_usd, ord)
ORDER BY c.ord
ON CONFLICT (project_id, hour, provider, model, feature, customer_id, environment) DO UPDATE SET
  ${COUNTER_COLUMNS.map((t) => `${t} = hourly_rollups.${t} + EXCLUDED.${t}`).join(',\n  ')},
  cost_usd = hourly_rollups.cost_usd + EXCLUDED.cost_usd,
  updated_at = now()`;

/** Adds each delta to its hourly cell (creating it when new). Cells must come sorted (sortedCells). */
export async function upsertRollups(
  client: PgClient,
  organizationId: string,
  projectId: string,
  cells: RollupDelta[],
): Promise<void> {
  if (cells.length === 0) return;
  await client.query(UPSERT_SQL, [
    organizationId,
    projectId,
    cells.map((c) => c.hour),
    cells.map((c) => c.provider),
    cells.map((c) => c.model),
    cells.map((c) => c.feature),
    cells.map((c) => c.customerId),
    cells.map((c) => c.environment),
    ...COUNTERS.map(([, field]) => cells.map((c) => c[field] as number)),
    cells.map((c) => c.costUsd.toFixed()),
  ]);
}
