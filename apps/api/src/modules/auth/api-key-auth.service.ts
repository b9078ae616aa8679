import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { ApiKeyRepository, hashSecret, type ApiKeyScope } from '@tokenledger/db';

export interface ApiKeyPrincipal {
  keyId: string;
  prefix: string;
  organizationId: string;
  /** Set for project keys; null for organization keys. */
  projectId: string | null;
  scopes: ApiKeyScope[];
}

interface CacheEntry {
  principal: ApiKeyPrincipal | null;
  expiresAt: number;
}

const POSITIVE_TTL_MS = 30_000; // a revoked key stops working within this
const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Bearer API keys: only the SHA-256 of a key is stored, so a lookup is one indexed query, cached
 * briefly in memory because ingestion checks a key on every request.
 */
@Injectable()
export class ApiKeyAuthService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(private readonly keys: ApiKeyRepository) {}

  /** The key behind an `Authorization: Bearer …` header, which must carry `scope`. */
  async authenticate(authorization: string | undefined, scope: ApiKeyScope): Promise<ApiKeyPrincipal> {
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!secret)
      throw new TokenledgerError(
        ErrorCode.Unauthenticated,
        'Missing API key: send "Authorization: Bearer <key>"',
      );
    const principal = await this.lookup(hashSecret(secret));
    if (!principal) throw new TokenledgerError(ErrorCode.Unauthenticated, 'Unknown or revoked API key');
    if (!principal.scopes.includes(scope)) {
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        `This API key (${principal.prefix}) lacks the "${scope}" scope`,
      );
    }
    this.touch(principal.keyId);
    return principal;
  }

  /** Forget cached keys (after a revocation in this process). */
  invalidate(): void {
    this.cache.clear();
  }

  private async lookup(hash: string): Promise<ApiKeyPrincipal | null> {
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.principal;
    const key = await this.keys.findBySecretHash(hash);
    const principal =
      key && !key.revokedAt
        ? {
            keyId: key.id,
            prefix: key.prefix,
            organizationId: key.organizationId,
            projectId: key.projectId,
            scopes: key.scopes,
          }
        : null;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, { principal, expiresAt: now + (principal ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) });
    return principal;
  }

  /** Records last use at most once a minute per key, off the request path. */
  private touch(keyId: string): void {
    const now = Date.now();
    if ((this.lastUsedWritten.get(keyId) ?? 0) > now - LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(keyId, now);
    void this.keys.touch(keyId, new Date(now)).catch(() => undefined);
  }
}
