import { readUsage, USAGE_FIELDS, type UsageEvent } from '@tokenledger/contracts';
import type Decimal from 'decimal.js';
import { computeCost } from './cost';
import { RateIndex } from './rate-index';
import type { CatalogSnapshot } from './snapshot';
import { parseTimestamp } from './timestamp';

// The pricer: an event in, its cost out. The parts live beside it: rate-index.ts (the compiled
// catalog and which versions are in force when), resolution.ts (which rate prices a model),
// timestamp.ts, cost.ts (the arithmetic over the usage's named parts).

export { CatalogError } from './rate-index';
export { GATEWAY_PROVIDERS } from './resolution';
export { parseTimestamp } from './timestamp';

export type PricingStatus = 'priced' | 'unpriced_model' | 'unpriced_component' | 'error';

export interface PricingResult {
  status: PricingStatus;
  /** Why it is not priced, in words; null when priced. */
  reason: string | null;
  /** Exact; null unless priced. */
  totalUsd: Decimal | null;
  /**
   * Component → USD: each token kind's `part` (contracts' TOKEN_KINDS; uncachedInput for input), and
   * requests — those with tokens. Parts sum exactly to the total.
   * Tokens of a kind without its own price are in their parent's part (flagged `fallback:`).
   */
  breakdown: Record<string, Decimal> | null;
  /** The RateTableVersion whose rate priced it (the override's version when an override applied). */
  rateVersionId: string | null;
  /** The canonical catalog model id that matched. */
  pricedModel: string | null;
  pricedProvider: string | null;
  /** How it was priced: `tier:>272000`, `window:peak`, `fallback:cacheWrite=input`, `provider-inferred`, … */
  flags: string[];
}

export interface Pricer {
  /** Synchronous, no I/O. `organizationId` selects that organization's overrides (null: catalog only). */
  price(event: UsageEvent, organizationId: string | null): PricingResult;
}

function failure(status: PricingStatus, reason: string, flags: string[] = []): PricingResult {
  return {
    status,
    reason,
    totalUsd: null,
    breakdown: null,
    rateVersionId: null,
    pricedModel: null,
    pricedProvider: null,
    flags,
  };
}

/** Builds a pricer over a snapshot of every rate table. Throws CatalogError when the catalog is invalid. */
export function buildPricer(snapshot: CatalogSnapshot): Pricer {
  return new SnapshotPricer(RateIndex.build(snapshot));
}

class SnapshotPricer implements Pricer {
  constructor(private readonly index: RateIndex) {}

  price(event: UsageEvent, organizationId: string | null): PricingResult {
    const counts = new Array<number>(USAGE_FIELDS.length);
    const problem = readUsage(event.usage, counts);
    if (problem) return failure('error', problem);
    const ms = typeof event.occurredAt === 'string' ? parseTimestamp(event.occurredAt) : Number.NaN;
    if (Number.isNaN(ms))
      return failure('error', `occurredAt: "${String(event.occurredAt)}" is not a valid timestamp`);
    if (typeof event.provider !== 'string' || typeof event.model !== 'string')
      return failure('error', 'provider and model: are required strings');

    const resolver = this.index.resolverAt(organizationId, ms);
    if (!resolver)
      return failure(
        'unpriced_model',
        `no rate for model "${event.model}" from provider "${event.provider}" (no rate table is in force at ${event.occurredAt})`,
      );
    const resolution = resolver.resolve(event.provider, event.model);
    if (resolution.kind !== 'rate') return failure(resolution.kind, resolution.reason, resolution.flags);
    return computeCost(event, counts, ms, resolution);
  }
}
