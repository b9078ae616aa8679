import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, ConfigModule, type Config } from '@tokenledger/config';
import { createPgPool, DatabaseModule, type PgPool } from '@tokenledger/db';
import { IngestProcessor } from './ingest/ingest.processor';
import { CatalogPricerSource } from './pricing/catalog-pricer.source';
import { RepriceProcessor } from './reprice/reprice.processor';
import { PG_POOL, PRICER_SOURCE } from './tokens';

@Module({
  imports: [ConfigModule, DatabaseModule],
  providers: [
    {
      provide: PG_POOL,
      inject: [CONFIG],
      useFactory: (config: Config) => createPgPool(config.DATABASE_URL, config.WORKER_CONCURRENCY + 4),
    },
    { provide: PRICER_SOURCE, useClass: CatalogPricerSource },
    IngestProcessor,
    RepriceProcessor,
  ],
})
export class WorkerModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
