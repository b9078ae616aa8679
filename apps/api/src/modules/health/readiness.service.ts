import { Inject, Injectable } from '@nestjs/common';
import { DatabaseHealth, REDIS } from '@tokenledger/db';
import type { Redis } from 'ioredis';

const CHECK_TIMEOUT_MS = 2000;

export interface Readiness {
  ready: boolean;
  postgres: string;
  redis: string;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

function outcome(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return 'ok';
  const reason: unknown = result.reason;
  return reason instanceof Error ? reason.message.trim().split('\n').pop()!.trim() : String(reason);
}

/** Whether the dependencies answer: Postgres (a query) and Redis (PING), each within 2 s. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly database: DatabaseHealth,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async check(): Promise<Readiness> {
    const [postgres, redis] = await Promise.allSettled([
      withTimeout(this.database.ping(), 'PostgreSQL'),
      withTimeout(this.redis.ping(), 'Redis'),
    ]);
    const checks = { postgres: outcome(postgres), redis: outcome(redis) };
    return { ready: checks.postgres === 'ok' && checks.redis === 'ok', ...checks };
  }
}
