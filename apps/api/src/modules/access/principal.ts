import type { ApiKeyScope } from '@tokenledger/db';

export type Role = 'owner' | 'admin' | 'viewer';

/** Who is calling: a logged-in user, or an API key (organization- or project-bound). */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string; email: string }
  | {
      kind: 'apiKey';
      keyId: string;
      prefix: string;
      organizationId: string;
      projectId: string | null;
      scopes: ApiKeyScope[];
    };

/** What a caller may do in one organization, resolved once per operation. */
export interface OrgAccess {
  organizationId: string;
  slug: string;
  /** A user's role; an API key with the admin scope acts as admin, with read only as viewer. */
  role: Role;
  /** Set when the caller is a project-bound key: every read is limited to this project. */
  projectId: string | null;
  principal: Principal;
}

export type Need = 'read' | 'write';

export const canWrite = (role: Role): boolean => role === 'owner' || role === 'admin';

export { isUuid } from '@tokenledger/db';
