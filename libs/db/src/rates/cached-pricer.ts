import { buildPricer, type Pricer } from '@tokenledger/pricing';
import type { PrismaClient } from '../prisma';
import { RateTableRepository } from './rate-table.repository';

export interface CachedPricerOptions {
  /** How often, at most, a cheap stamp query checks for a newer publication. */
  checkEveryMs?: number;
  onLoad?: (event: { ms: number; reload: boolean }) => void;
  /** A catalog that fails to load keeps the previous pricer in service; this hears why. */
  onError?: (error: Error) => void;
}

/**
 * The pricer built from every rate table in Postgres, cached in memory and rebuilt within
 * `checkEveryMs` of a publication. One refresh runs at a time; callers wait for it.
 */
export class CachedPricer {
  private readonly rates: RateTableRepository;
  private cached?: { pricer: Pricer; stamp: string; checkedAt: number; snapshotAt: Date };
  private loading?: Promise<Pricer>;
  private readonly checkEveryMs: number;

  constructor(
    source: PrismaClient | RateTableRepository,
    private readonly options: CachedPricerOptions = {},
  ) {
    this.rates = source instanceof RateTableRepository ? source : new RateTableRepository(source);
    this.checkEveryMs = options.checkEveryMs ?? 2000;
  }

  async current(): Promise<Pricer> {
    if (this.cached && Date.now() - this.cached.checkedAt < this.checkEveryMs) return this.cached.pricer;
    this.loading ??= this.refresh(false).finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Rebuilt from the tables as they are now, whatever the cache holds. */
  async fresh(): Promise<Pricer> {
    return this.refresh(true);
  }

  private async refresh(force: boolean): Promise<Pricer> {
    const stamp = await this.rates.catalogStamp();
    if (!force && this.cached && this.cached.stamp === stamp) {
      this.cached.checkedAt = Date.now();
      return this.cached.pricer;
    }
    const started = Date.now();
    try {
      const pricer = buildPricer(await this.rates.loadSnapshot());
      const reload = this.cached !== undefined;
      this.cached = { pricer, stamp, checkedAt: Date.now(), snapshotAt: new Date() };
      this.options.onLoad?.({ ms: Date.now() - started, reload });
      return pricer;
    } catch (error) {
      if (!this.cached || force) throw error;
      this.options.onError?.(error as Error);
      this.cached.checkedAt = Date.now();
      return this.cached.pricer;
    }
  }
}
