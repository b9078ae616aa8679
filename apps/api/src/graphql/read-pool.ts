import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { createPgPool, type PgPool } from '@tokenledger/db';

/** A pg pool for aggregate reads: one statement each, with rows as plain values. */
export const PG_READ_POOL = Symbol('PG_READ_POOL');

@Injectable()
class ReadPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PG_READ_POOL) private readonly pool: PgPool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Module({
  providers: [
    {
      provide: PG_READ_POOL,
      inject: [CONFIG],
      useFactory: (config: Config) => createPgPool(config.DATABASE_URL, 8),
    },
    ReadPoolLifecycle,
  ],
  exports: [PG_READ_POOL],
})
export class ReadPoolModule {}
