import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { OrgAccess } from '../modules/access/principal';

/**
 * Who may call a GraphQL operation: the authorization model of docs/SECURITY.md, declared on
 * every Query and Mutation method and enforced by one guard (PrincipalGuard). An operation
 * without a policy does not start (PolicyRegistry checks at boot) and is refused if it ever runs.
 *
 * - `public`: anyone, logged in or not (login, status, accepting an invitation by token).
 * - `principal`: any authenticated caller: a session, an organization key, a project key.
 * - `session`: a logged-in user only; API keys are refused.
 * - `{ org }`: an operation on one organization (argument `org`, or the caller's default).
 *   `org: 'read'` needs a member or a key with `read`/`admin`; `org: 'write'` needs an owner or
 *   admin, or a key with `admin`. `projectKeys: 'own'` lets project keys in, limited to their
 *   project (the operation narrows every read and write to `access.projectId`); `'refuse'` keeps
 *   them out because the operation acts on the whole organization. `anonymous: 'catalog'` lets a
 *   caller without credentials in with no organization at all (the public catalog).
 */
export type OperationPolicy =
  | 'public'
  | 'principal'
  | 'session'
  | { org: 'read' | 'write'; projectKeys: 'own' | 'refuse'; anonymous?: 'catalog' };

export const POLICY_METADATA = 'tokenledger:policy';

/** Declares the authorization policy of a GraphQL operation (see OperationPolicy). */
export const Policy = (policy: OperationPolicy): MethodDecorator => SetMetadata(POLICY_METADATA, policy);

/** Organization-scoped operations whose every read and write is narrowed to a project key's project. */
export const OrgRead = (): MethodDecorator => Policy({ org: 'read', projectKeys: 'own' });
/** Organization-wide reads: members, re-pricing runs, rate tables. Project keys are refused. */
export const OrgWideRead = (): MethodDecorator => Policy({ org: 'read', projectKeys: 'refuse' });
/** Changes limited to one project's resources (its keys). */
export const OrgWrite = (): MethodDecorator => Policy({ org: 'write', projectKeys: 'own' });
/** Changes to the organization itself: members, invitations, projects, rate tables. */
export const OrgWideWrite = (): MethodDecorator => Policy({ org: 'write', projectKeys: 'refuse' });

/**
 * The access the guard resolved for one operation (null for an anonymous catalog call), keyed by
 * the resolver's `info`, which the guard and the parameter decorator share.
 */
const resolved = new WeakMap<GraphQLResolveInfo, OrgAccess | null>();

export function rememberAccess(info: GraphQLResolveInfo, access: OrgAccess | null): void {
  resolved.set(info, access);
}

function accessOf(context: ExecutionContext): OrgAccess | null {
  const info = GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>();
  const access = resolved.get(info);
  if (access === undefined)
    // A programming error: the parameter was used on an operation whose policy is not `{ org }`.
    throw new Error(`${info.parentType.name}.${info.fieldName}: no organization access was resolved`);
  return access;
}

/** The organization access the policy granted this operation (its policy must be `{ org }`). */
export const Access = createParamDecorator((_data: unknown, context: ExecutionContext): OrgAccess => {
  const access = accessOf(context);
  if (!access) throw new Error('Access: the policy allowed an anonymous caller; use OptionalAccess');
  return access;
});

/** Like Access, for `anonymous: 'catalog'` policies: null when nobody is logged in. */
export const OptionalAccess = createParamDecorator(
  (_data: unknown, context: ExecutionContext): OrgAccess | null => accessOf(context),
);
