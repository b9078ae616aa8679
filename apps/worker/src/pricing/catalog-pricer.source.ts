import { Injectable, Logger } from '@nestjs/common';
import { PrismaClient, RateTableRepository, type EventPricer } from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import type { PricerSource } from '../tokens';

const CHECK_EVERY_MS = 2_000;

/**
 * The pricer built from the rate tables in Postgres, cached in memory. At most every two seconds a
 * cheap stamp query tells whether a version was published since; if so, the catalog is reloaded.
 */
@Injectable()
export class CatalogPricerSource implements PricerSource {
  private readonly logger = new Logger('pricing');
  private readonly rates: RateTableRepository;
  private cached?: { pricer: EventPricer; stamp: string; checkedAt: number };
  private loading?: Promise<EventPricer>;

  constructor(prisma: PrismaClient) {
    this.rates = new RateTableRepository(prisma);
  }

  async current(): Promise<EventPricer> {
    const now = Date.now();
    if (this.cached && now - this.cached.checkedAt < CHECK_EVERY_MS) return this.cached.pricer;
    // One refresh at a time; concurrent batches wait for it rather than loading the catalog twice.
    this.loading ??= this.refresh().finally(() => (this.loading = undefined));
    return this.loading;
  }

  async fresh(): Promise<EventPricer> {
    const stamp = await this.rates.catalogStamp();
    const pricer = buildPricer(await this.rates.loadSnapshot());
    this.cached = { pricer, stamp, checkedAt: Date.now() };
    return pricer;
  }

  private async refresh(): Promise<EventPricer> {
    const stamp = await this.rates.catalogStamp();
    if (this.cached && this.cached.stamp === stamp) {
      this.cached.checkedAt = Date.now();
      return this.cached.pricer;
    }
    const started = Date.now();
    let pricer: EventPricer;
    try {
      pricer = buildPricer(await this.rates.loadSnapshot());
    } catch (error) {
      // A catalog that does not load must not stop pricing: keep the last good one and say why.
      if (!this.cached) throw error;
      this.logger.error(
        `the rate catalog did not load, still pricing with the previous one: ${(error as Error).message}`,
      );
      this.cached.checkedAt = Date.now();
      return this.cached.pricer;
    }
    this.logger.log(`${this.cached ? 'reloaded' : 'loaded'} the rate catalog in ${Date.now() - started} ms`);
    this.cached = { pricer, stamp, checkedAt: Date.now() };
    return pricer;
  }
}
