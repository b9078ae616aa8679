import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { Redis } from 'ioredis';

const WINDOW_MS = 60_000;

// INCR and set the window's expiry in one round trip, atomically.
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Fixed one-minute windows per key (an API key, an email logging in), counted in Redis so every
 * API instance shares them. Over the limit: RATE_LIMITED with the seconds until the window ends.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perMinute: number,
    /** What is limited, for the message: "This API key may make N {what} a minute". */
    private readonly what: { subject: string; requests: string } = {
      subject: 'This API key',
      requests: 'ingestion requests',
    },
  ) {}

  async consume(keyId: string, now = Date.now()): Promise<void> {
    if (this.perMinute <= 0) return;
    const window = Math.floor(now / WINDOW_MS);
    const count = Number(
      await this.redis.eval(SCRIPT, 1, `${this.prefix}:{ratelimit}:${keyId}:${window}`, WINDOW_MS),
    );
    if (count > this.perMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      throw new TokenledgerError(
        ErrorCode.RateLimited,
        `${this.what.subject} may make ${this.perMinute} ${this.what.requests} a minute; retry in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
  }
}
