import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import type { Redis } from 'ioredis';
import { createPrismaClient, PrismaClient } from './prisma';
import { createRedis } from './redis';

/** Injection token of the process's shared Redis connection (not for blocking commands). */
export const REDIS = Symbol('REDIS');

@Injectable()
class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.prisma.$disconnect(), this.redis.quit()]);
  }
}

/** Prisma and Redis for a Nest process; closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: PrismaClient,
      inject: [CONFIG],
      useFactory: (config: Config) => createPrismaClient(config.DATABASE_URL),
    },
    {
      provide: REDIS,
      inject: [CONFIG],
      // Readiness reports an unreachable Redis; ioredis's reconnect errors need no listener of their own.
      useFactory: (config: Config) => createRedis(config.REDIS_URL).on('error', () => undefined),
    },
    ConnectionsLifecycle,
  ],
  exports: [PrismaClient, REDIS],
})
export class DatabaseModule {}
