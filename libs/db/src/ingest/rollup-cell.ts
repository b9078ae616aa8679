import Decimal from 'decimal.js';
import { USAGE_FIELDS, type UsageEvent, type UsageField } from '@tokenledger/contracts';
import type { EventPricing } from './priced-event';

/** `2026-06-01T12:34:56.789Z`: how validated events carry their time. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The hour bucket of a timestamp, as an ISO string (UTC). */
export function hourOf(iso: string): string {
  // Validated events are already canonical UTC: the hour is a prefix (no Date on the hot path).
  if (CANONICAL.test(iso)) return `${iso.slice(0, 13)}:00:00.000Z`;
  const d = new Date(iso);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
}

/**
 * What one batch (or one re-pricing) adds to one hourly rollup cell. Counts may be negative for
 * re-pricing deltas. Token counts fit a JS number per batch (2^53 ≫ 1,000 × 10^10).
 */
export interface RollupDelta extends Record<UsageField, number> {
  hour: string;
  /** The API key that sent the events (null: none recorded); only api_key_rollups keeps it. */
  apiKeyId: string | null;
  provider: string;
  model: string;
  feature: string;
  customerId: string;
  environment: string;
  requests: number;
  errorRequests: number;
  pricedRequests: number;
  unpricedRequests: number;
  unpricedInputTokens: number;
  unpricedOutputTokens: number;
  latencyMsSum: number;
  latencyCount: number;
  costUsd: Decimal;
}

export function cellKey(c: CellDimensions): string {
  return [c.hour, c.provider, c.model, c.feature, c.customerId, c.environment, c.apiKeyId ?? ''].join(
    '\u001f',
  );
}

type CellDimensions = Pick<
  RollupDelta,
  'hour' | 'apiKeyId' | 'provider' | 'model' | 'feature' | 'customerId' | 'environment'
>;

/** The hourly cell an event falls in (sent with the key `apiKeyId`). */
function dimensionsOf(event: UsageEvent, apiKeyId: string | null): CellDimensions {
  return {
    hour: hourOf(event.occurredAt),
    apiKeyId,
    provider: event.provider,
    model: event.model,
    feature: event.feature ?? '',
    customerId: event.customerId ?? '',
    environment: event.environment,
  };
}

function emptyDelta(d: CellDimensions): RollupDelta {
  // Every field written in one order (no spread): one object shape for every cell, which V8 keeps fast.
  const delta = {
    hour: d.hour,
    apiKeyId: d.apiKeyId,
    provider: d.provider,
    model: d.model,
    feature: d.feature,
    customerId: d.customerId,
    environment: d.environment,
    requests: 0,
    errorRequests: 0,
    pricedRequests: 0,
    unpricedRequests: 0,
    unpricedInputTokens: 0,
    unpricedOutputTokens: 0,
    latencyMsSum: 0,
    latencyCount: 0,
    costUsd: new Decimal(0),
  } as RollupDelta;
  for (const field of USAGE_FIELDS) delta[field] = 0;
  return delta;
}

/** Adds (sign 1) or removes (sign -1) one event's contribution to its cell. */
export function accumulate(
  cells: Map<string, RollupDelta>,
  event: UsageEvent,
  pricing: EventPricing,
  sign: 1 | -1 = 1,
  apiKeyId: string | null = null,
): void {
  const dimensions = dimensionsOf(event, apiKeyId);
  const key = cellKey(dimensions);
  let cell = cells.get(key);
  if (!cell) {
    cell = emptyDelta(dimensions);
    cells.set(key, cell);
  }
  const u = event.usage;
  const priced = pricing.status === 'priced';
  cell.requests += sign;
  if (event.status === 'error') cell.errorRequests += sign;
  if (priced) cell.pricedRequests += sign;
  else {
    cell.unpricedRequests += sign;
    cell.unpricedInputTokens += sign * u.inputTokens;
    cell.unpricedOutputTokens += sign * u.outputTokens;
  }
  for (let i = 0; i < USAGE_FIELDS.length; i++) {
    const field = USAGE_FIELDS[i]!;
    cell[field] += sign * u[field];
  }
  if (event.latencyMs !== null) {
    cell.latencyMsSum += sign * event.latencyMs;
    cell.latencyCount += sign;
  }
  if (priced && pricing.totalUsd)
    cell.costUsd = cell.costUsd.plus(sign === 1 ? pricing.totalUsd : pricing.totalUsd.negated());
}
