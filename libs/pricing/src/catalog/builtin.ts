import type { Provider } from '@pydantic/genai-prices';
import type { ProviderSpec, RateInput } from '../rate-card';
import { applyCuration } from './curated';
import { convertGenaiPrices } from './genai-prices';
import { LIST_PRICES_EFFECTIVE_FROM, MARKET_LIST_PRICES, withMarketFacts } from './market';
import type { ModelFactInput } from './model-facts';

export const GENAI_PRICES_PACKAGE = '@pydantic/genai-prices';
/** Global tables of the built-in catalog, in the order they are consulted. */
export const BUILTIN_TABLES = {
  catalog: { slug: 'genai-prices', name: 'Built-in catalog (@pydantic/genai-prices)', priority: 100 },
  listPrices: { slug: 'list-prices', name: 'Launch list prices (MARKET.md)', priority: 200 },
} as const;

export interface BuiltInCatalog {
  /** Where every catalog price comes from: package and version. */
  source: string;
  catalog: { providers: ProviderSpec[]; rates: RateInput[] };
  listPrices: { rates: RateInput[]; effectiveFrom: string };
  facts: ModelFactInput[];
}

/** The built-in catalog from genai-prices' data (`await waitForUpdate()`) and its package version. */
export function buildBuiltInCatalog(providers: readonly Provider[], packageVersion: string): BuiltInCatalog {
  const source = `${GENAI_PRICES_PACKAGE}@${packageVersion}`;
  const converted = convertGenaiPrices(providers, source);
  return {
    source,
    catalog: { providers: converted.providers, rates: applyCuration(converted.rates) },
    listPrices: { rates: MARKET_LIST_PRICES, effectiveFrom: LIST_PRICES_EFFECTIVE_FROM },
    facts: withMarketFacts(converted.facts),
  };
}
