import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiKeyAuthService } from '../modules/auth/api-key-auth.service';
import { SessionService } from '../modules/auth/session.service';
import { requestOf } from './graphql-context';

/**
 * Resolves `Authorization: Bearer …` once per GraphQL request: a session token (`tls_…`) or an API
 * key (`tlk_…`). A bad token is refused even on public fields; no token leaves the caller anonymous
 * and each resolver decides (through AccessService) what an anonymous caller may do.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyAuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true;
    const req = requestOf(context);
    if (req.principal !== undefined) return true;
    const authorization = req.headers.authorization;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return true;
    if (token.startsWith('tls_')) {
      const s = await this.sessions.resolve(token);
      req.principal = { kind: 'user', userId: s.userId, sessionId: s.sessionId, email: s.email };
    } else {
      const k = await this.apiKeys.authenticate(authorization, 'read').catch(async (error: unknown) => {
        // An admin-only key is still a valid reader of its own organization's management data.
        const admin = await this.apiKeys.authenticate(authorization, 'admin').catch(() => undefined);
        if (admin) return admin;
        throw error;
      });
      req.principal = {
        kind: 'apiKey',
        keyId: k.keyId,
        prefix: k.prefix,
        organizationId: k.organizationId,
        projectId: k.projectId,
        scopes: k.scopes,
      };
    }
    return true;
  }
}
