import { waitForUpdate } from '@pydantic/genai-prices';
import { completeUsage, type UsageEvent } from '@tokenledger/contracts';
import { BUILTIN_TABLES, buildBuiltInCatalog, type BuiltInCatalog } from '../catalog/builtin';
import type { RateInput } from '../rate-card';
import { snapshotOf, type SnapshotTableInput } from '../snapshot';

export const EPOCH = '1970-01-01T00:00:00.000Z';

let builtin: Promise<BuiltInCatalog> | null = null;

/** The built-in catalog as `seed` publishes it (genai-prices, then the MARKET.md list prices). */
export function builtInCatalog(): Promise<BuiltInCatalog> {
  builtin ??= waitForUpdate().then((providers) => buildBuiltInCatalog(providers!, 'test'));
  return builtin;
}

/** The two global tables of the built-in catalog, plus any others (overrides, extra versions). */
export async function builtInTables(): Promise<SnapshotTableInput[]> {
  const b = await builtInCatalog();
  return [
    {
      slug: BUILTIN_TABLES.catalog.slug,
      priority: BUILTIN_TABLES.catalog.priority,
      versions: [{ effectiveFrom: EPOCH, rates: b.catalog.rates, providers: b.catalog.providers }],
    },
    {
      slug: BUILTIN_TABLES.listPrices.slug,
      priority: BUILTIN_TABLES.listPrices.priority,
      versions: [{ effectiveFrom: b.listPrices.effectiveFrom, rates: b.listPrices.rates }],
    },
  ];
}

/** A one-table, one-version snapshot of hand-written rates. */
export function tableOf(rates: RateInput[], effectiveFrom = EPOCH) {
  return snapshotOf([{ slug: 'test', versions: [{ effectiveFrom, rates }] }]);
}

export function rate(
  provider: string,
  model: string,
  prices: RateInput['prices'],
  match?: RateInput['match'],
): RateInput {
  return { provider, model, match: match ?? { exact: [model] }, prices, source: 'test' };
}

export type UsageInput = Partial<UsageEvent['usage']> & { inputTokens: number; outputTokens: number };

/** A validated event as the worker receives it (defaults filled). */
export function event(
  provider: string,
  model: string,
  usage: UsageInput,
  occurredAt = '2026-06-01T12:00:00Z',
  extra: Partial<UsageEvent> = {},
): UsageEvent {
  return {
    eventId: 'e1',
    occurredAt: new Date(occurredAt).toISOString(),
    provider,
    model,
    usage: { ...completeUsage(usage), ...usage },
    serviceTier: 'standard',
    feature: null,
    customerId: null,
    environment: 'production',
    inputModalities: ['text'],
    latencyMs: null,
    status: 'success',
    tags: {},
    ...extra,
  };
}
