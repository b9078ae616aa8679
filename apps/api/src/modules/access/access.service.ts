import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { OrganizationsRepository, ProjectsRepository, type ProjectRecord } from '@tokenledger/db';
import { canWrite, type Need, type OrgAccess, type Principal } from './principal';

/**
 * The one place that decides whether a caller may touch an organization. Every GraphQL operation
 * goes through `forOrg`; other organizations' ids are simply not found.
 */
@Injectable()
export class AccessService {
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
    const memberships = await this.organizations.membershipsOf(p.userId, orgSlug, 2);
    if (memberships.length === 0) {
      throw new TokenledgerError(
        ErrorCode.NotFound,
        orgSlug ? `org: no organization "${orgSlug}"` : 'org: you belong to no organization yet',
      );
    }
    if (!orgSlug && memberships.length > 1) {
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        'org: you belong to several organizations; say which (argument org)',
      );
    }
    const m = memberships[0]!;
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

  /** A project of the organization by slug; project-bound keys see only their own. */
  project(access: OrgAccess, slug: string): Promise<ProjectRecord> {
    return this.projects.visible(access, slug);
  }
}
