import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { generateSecret, hashPassword, REDIS, UsersRepository, verifyPassword } from '@tokenledger/db';
import type { Redis } from 'ioredis';
import { RateLimiter } from '../ingest/rate-limiter';

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
}

const LOGIN_ATTEMPTS_PER_MINUTE = 10;

/** Dashboard logins: bearer tokens whose SHA-256 is stored with an expiry. */
@Injectable()
export class SessionService {
  private readonly limiter: RateLimiter;
  /** Verifying against a real hash keeps the answer time the same whether or not the email exists. */
  private readonly dummyHash = hashPassword(randomUUID());

  constructor(
    private readonly users: UsersRepository,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(REDIS) redis: Redis,
  ) {
    this.limiter = new RateLimiter(redis, `${config.QUEUE_PREFIX}:login`, LOGIN_ATTEMPTS_PER_MINUTE, {
      subject: 'This email',
      requests: 'login attempts',
    });
  }

  async login(email: string, password: string): Promise<{ token: string; expiresAt: Date; userId: string }> {
    const normalized = email.trim().toLowerCase();
    await this.limiter.consume(normalized);
    const user = await this.users.credentials(normalized);
    const valid = await verifyPassword(user?.passwordHash ?? (await this.dummyHash), password);
    if (!user || !valid) throw new TokenledgerError(ErrorCode.Unauthenticated, 'Wrong email or password');
    const { secret, secretHash } = generateSecret('tls');
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    await this.users.createSession(user.id, secretHash, expiresAt);
    return { token: secret, expiresAt, userId: user.id };
  }

  async resolve(token: string): Promise<SessionUser> {
    const session = await this.users.sessionByToken(token);
    if (!session || session.revokedAt)
      throw new TokenledgerError(ErrorCode.Unauthenticated, 'Unknown or logged-out session; log in again');
    if (session.expiresAt <= new Date())
      throw new TokenledgerError(ErrorCode.Unauthenticated, 'Session expired; log in again');
    return { sessionId: session.id, userId: session.user.id, email: session.user.email };
  }

  async logout(sessionId: string): Promise<void> {
    await this.users.revokeSession(sessionId);
  }
}
