import { Injectable, Logger } from '@nestjs/common';
import { Store, type CachedPricer, type EventPricer } from '@tokenledger/db';
import type { PricerSource } from '../tokens';

/** The worker's pricer: the catalog in Postgres, cached and reloaded within 2 s of a publication. */
@Injectable()
export class CatalogPricerSource implements PricerSource {
  private readonly logger = new Logger('pricing');
  private readonly pricer: CachedPricer;

  constructor(store: Store) {
    this.pricer = store.pricer({
      onLoad: ({ ms, reload }) =>
        this.logger.log(`${reload ? 'reloaded' : 'loaded'} the rate catalog in ${ms} ms`),
      onError: (error) =>
        this.logger.error(
          `the rate catalog did not load, still pricing with the previous one: ${error.message}`,
        ),
    });
  }

  current(): Promise<EventPricer> {
    return this.pricer.current();
  }

  fresh(): Promise<EventPricer> {
    return this.pricer.fresh();
  }
}
