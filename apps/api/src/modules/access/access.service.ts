import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { OrganizationsRepository, ProjectsRepository, type ProjectRecord } from '@tokenledger/db';
import { canWrite, type Need, type OrgAccess, type Principal } from './principal';

/**
 * Decides whether a caller may touch an organization, for PrincipalGuard (which applies each
 * operation's policy) and the REST routes; other organizations' ids are simply not found.
 */
const MARK_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class AccessService {
  private readonly lastMarked = new Map<string, { organizationId: string; at: number }>();

  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
  ) {}

  requirePrincipal(principal: Principal | undefined): Principal {
    if (!principal)
      throw new TokenledgerError(
        ErrorCode.Unauthenticated,
        'Log in (mutation login) or send an API key with the read scope',
      );
    return principal;
  }

  async forOrg(
    principal: Principal | undefined,
    orgSlug: string | null | undefined,
    need: Need,
  ): Promise<OrgAccess> {
    const p = this.requirePrincipal(principal);
    if (p.kind === 'apiKey') {
      const org = await this.organizations.findById(p.organizationId);
      if (!org || (orgSlug && orgSlug !== org.slug))
        throw new TokenledgerError(ErrorCode.NotFound, `org: no organization "${orgSlug}"`);
      const role = p.scopes.includes('admin') ? 'admin' : 'viewer';
      if (!p.scopes.includes('read') && !p.scopes.includes('admin')) {
        throw new TokenledgerError(ErrorCode.Forbidden, `This API key (${p.prefix}) lacks the "read" scope`);
      }
      if (need === 'write' && role !== 'admin')
        throw new TokenledgerError(ErrorCode.Forbidden, `This API key (${p.prefix}) lacks the "admin" scope`);
      return { organizationId: org.id, slug: org.slug, role, projectId: p.projectId, principal: p };
    }
    // Without `org`, the default: the organization the user last named, else the first joined.
    const memberships = await this.organizations.membershipsOf(p.userId, orgSlug, 1);
    if (memberships.length === 0) {
      throw new TokenledgerError(
        ErrorCode.NotFound,
        orgSlug ? `org: no organization "${orgSlug}"` : 'org: you belong to no organization yet',
      );
    }
    const m = memberships[0]!;
    if (orgSlug) await this.markUsed(p.userId, m.organization.id);
    if (need === 'write' && !canWrite(m.role)) {
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        `Your role in "${m.organization.slug}" is viewer: you cannot change anything`,
      );
    }
    return {
      organizationId: m.organization.id,
      slug: m.organization.slug,
      role: m.role,
      projectId: null,
      principal: p,
    };
  }

  /** Remembers the organization a user named (once a minute while it stays the same). */
  private async markUsed(userId: string, organizationId: string): Promise<void> {
    const now = Date.now();
    const last = this.lastMarked.get(userId);
    if (last && last.organizationId === organizationId && last.at > now - MARK_USED_RESOLUTION_MS) return;
    if (this.lastMarked.size >= 10_000) this.lastMarked.clear();
    this.lastMarked.set(userId, { organizationId, at: now });
    await this.organizations.markUsed(userId, organizationId, new Date(now)).catch(() => undefined);
  }

  /** A project of the organization by slug; project-bound keys see only their own. */
  project(access: OrgAccess, slug: string): Promise<ProjectRecord> {
    return this.projects.visible(access, slug);
  }
}
