import type { EventPricer } from '@tokenledger/db';

/** Where processors get the pricer in force: cached, refreshed when a rate version is published. */
export const PRICER_SOURCE = Symbol('PRICER_SOURCE');

export interface PricerSource {
  /** The cached pricer, reloaded first if the catalog changed since it was built. */
  current(): Promise<EventPricer>;
  /** A pricer built from the catalog as it is now (for re-pricing, which must not use a stale one). */
  fresh(): Promise<EventPricer>;
}
