import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { GraphQLResolveInfo } from 'graphql';
import { AccessService } from '../modules/access/access.service';
import type { Principal } from '../modules/access/principal';
import { ApiKeyAuthService } from '../modules/auth/api-key-auth.service';
import { SessionService } from '../modules/auth/session.service';
import { requestOf, type GraphQLRequest } from './graphql-context';
import { POLICY_METADATA, rememberAccess, type OperationPolicy } from './policy';

/**
 * The one place GraphQL authorizes. For every root operation: resolves `Authorization: Bearer …`
 * once per request (a session token `tls_…` or an API key `tlk_…`; a bad token is refused even
 * on public operations), then enforces the operation's @Policy (docs/SECURITY.md) and hands the
 * resolver the organization access it granted (@Access). An operation without a policy is refused.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyAuthService,
    private readonly access: AccessService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true;
    const req = requestOf(context);
    const principal = await this.authenticate(req);
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const operation = `${info.parentType.name}.${info.fieldName}`;
    const policy = this.reflector.get<OperationPolicy | undefined>(POLICY_METADATA, context.getHandler());
    if (!policy) throw new TokenledgerError(ErrorCode.Forbidden, `${operation} has no authorization policy`);
    if (policy === 'public') return true;
    if (typeof policy === 'object') {
      await this.resolveOrg(gql, principal, policy);
      return true;
    }
    const p = this.access.requirePrincipal(principal);
    if (policy === 'session' && p.kind !== 'user')
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        `${info.fieldName}: only a logged-in user can do this, not an API key`,
      );
    return true;
  }

  /** Org policies: the access is resolved here, once, and never by the resolver itself. */
  private async resolveOrg(
    gql: GqlExecutionContext,
    principal: Principal | undefined,
    policy: Exclude<OperationPolicy, string>,
  ): Promise<void> {
    const info = gql.getInfo<GraphQLResolveInfo>();
    const org = (gql.getArgs<{ org?: string | null }>().org ?? null) || null;
    if (!principal && !org && policy.anonymous === 'catalog') {
      rememberAccess(info, null);
      return;
    }
    const access = await this.access.forOrg(principal, org, policy.org);
    if (policy.projectKeys === 'refuse' && access.projectId && access.principal.kind === 'apiKey')
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        `${info.fieldName}: acts on the whole organization; this API key (${access.principal.prefix}) is limited to one project`,
      );
    rememberAccess(info, access);
  }

  private async authenticate(req: GraphQLRequest): Promise<Principal | undefined> {
    if (req.principal !== undefined) return req.principal;
    const authorization = req.headers.authorization;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
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
    return req.principal;
  }
}
