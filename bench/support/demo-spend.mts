import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import type { UsageEvent } from '@tokenledger/contracts';
import { generateHour, planDemoTraffic } from '@tokenledger/demo';
import { BUILTIN_TABLES, buildBuiltInCatalog, buildPricer, snapshotOf } from '@tokenledger/pricing';

/** The pricer `seed` publishes: the built-in catalog and the list prices, in memory. */
export async function builtInPricer() {
  const providers = (await waitForUpdate()) as Provider[];
  const builtin = buildBuiltInCatalog(providers, 'bench');
  return buildPricer(
    snapshotOf([
      {
        slug: BUILTIN_TABLES.catalog.slug,
        priority: BUILTIN_TABLES.catalog.priority,
        versions: [
          {
            effectiveFrom: '1970-01-01T00:00:00Z',
            rates: builtin.catalog.rates,
            providers: builtin.catalog.providers,
          },
        ],
      },
      {
        slug: BUILTIN_TABLES.listPrices.slug,
        priority: BUILTIN_TABLES.listPrices.priority,
        versions: [{ effectiveFrom: builtin.listPrices.effectiveFrom, rates: builtin.listPrices.rates }],
      },
    ]),
  );
}

/** Every demo event of the window with its cost (USD, 0 when unpriced), hour by hour. */
export async function* pricedDemoEvents(
  seed: number,
  events: number,
  days: number,
  end: Date,
): AsyncGenerator<{ event: UsageEvent; usd: number }> {
  const pricer = await builtInPricer();
  const plan = planDemoTraffic({ seed, events, days, end });
  for (let h = 0; h < plan.hours; h++) {
    for (const { event } of generateHour(plan, h)) {
      const p = pricer.price(event, null);
      yield { event, usd: p.status === 'priced' && p.totalUsd ? p.totalUsd.toNumber() : 0 };
    }
  }
}
