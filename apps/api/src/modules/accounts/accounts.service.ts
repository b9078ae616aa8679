import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import {
  ApiKeyRepository,
  assertSlug,
  hashPassword,
  OrganizationsRepository,
  ProjectsRepository,
  UsersRepository,
  type ApiKeyScope,
} from '@tokenledger/db';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { AccessService } from '../access/access.service';
import { isUuid, type OrgAccess, type Principal, type Role } from '../access/principal';
import type { ApiKey, InvitedMember, Member, Organization, Project } from './models/accounts.model';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Organizations, projects, members and keys, with the role rules of the product. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly projectsRepo: ProjectsRepository,
    private readonly users: UsersRepository,
    private readonly keys: ApiKeyRepository,
    private readonly access: AccessService,
    private readonly apiKeyAuth: ApiKeyAuthService,
  ) {}

  async organizationsOf(principal: Principal): Promise<Organization[]> {
    if (principal.kind === 'apiKey') {
      const org = await this.organizations.findById(principal.organizationId);
      if (!org)
        throw new TokenledgerError(ErrorCode.NotFound, "org: the key's organization no longer exists");
      return [{ ...org, role: (principal.scopes.includes('admin') ? 'admin' : 'viewer') as Role }];
    }
    return this.organizations.ofUser(principal.userId);
  }

  async createOrganization(principal: Principal, slug: string, name: string): Promise<Organization> {
    if (principal.kind !== 'user')
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only a logged-in user can create an organization');
    assertSlug('slug', slug);
    if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    const org = await this.organizations.createWithOwner(slug, name.trim(), principal.userId);
    return { ...org, role: 'owner' as Role };
  }

  async createProject(access: OrgAccess, slug: string, name: string): Promise<Project> {
    assertSlug('slug', slug);
    if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    return this.projectsRepo.create(access, slug, name.trim());
  }

  projects(access: OrgAccess): Promise<Project[]> {
    return this.projectsRepo.list(access);
  }

  async members(access: OrgAccess): Promise<Member[]> {
    const rows = await this.organizations.members(access.organizationId);
    return rows.map((m) => ({ userId: m.userId, role: m.role, joinedAt: m.createdAt }));
  }

  async inviteMember(access: OrgAccess, email: string, name: string, role: Role): Promise<InvitedMember> {
    const normalized = email.trim().toLowerCase();
    if (!EMAIL.test(normalized))
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'email: not an email address');
    if (role === 'owner' && access.role !== 'owner')
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only an owner can add an owner');
    let user = await this.users.findByEmail(normalized);
    let temporaryPassword: string | null = null;
    if (!user) {
      if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
      temporaryPassword = randomBytes(12).toString('base64url');
      user = await this.users.create({
        email: normalized,
        name: name.trim(),
        passwordHash: await hashPassword(temporaryPassword),
      });
    }
    if (await this.organizations.membership(access.organizationId, user.id))
      throw new TokenledgerError(
        ErrorCode.Conflict,
        `email: ${normalized} is already a member of "${access.slug}"`,
      );
    const m = await this.organizations.addMember(access.organizationId, user.id, role);
    return { member: { userId: m.userId, role: m.role, joinedAt: m.createdAt }, temporaryPassword };
  }

  async updateMemberRole(access: OrgAccess, userId: string, role: Role): Promise<Member> {
    const target = await this.membership(access, userId);
    if ((target.role === 'owner' || role === 'owner') && access.role !== 'owner') {
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only an owner can change who is an owner');
    }
    if (target.role === 'owner' && role !== 'owner') await this.assertNotLastOwner(access);
    const m = await this.organizations.setRole(access.organizationId, userId, role);
    return { userId: m.userId, role: m.role, joinedAt: m.createdAt };
  }

  async removeMember(access: OrgAccess, userId: string): Promise<boolean> {
    const target = await this.membership(access, userId);
    if (target.role === 'owner') {
      if (access.role !== 'owner')
        throw new TokenledgerError(ErrorCode.Forbidden, 'Admins cannot remove owners');
      await this.assertNotLastOwner(access);
    }
    await this.organizations.removeMember(access.organizationId, userId);
    return true;
  }

  async createApiKey(
    access: OrgAccess,
    name: string,
    projectSlug: string | null | undefined,
    scopes: ApiKeyScope[],
  ) {
    if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    if (scopes.length === 0)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        'scopes: give at least one of INGEST, READ, ADMIN',
      );
    const project = projectSlug ? await this.access.project(access, projectSlug) : null;
    if (access.projectId && !project)
      throw new TokenledgerError(ErrorCode.Forbidden, 'A project key can only create keys for its project');
    const createdById = access.principal.kind === 'user' ? access.principal.userId : null;
    return this.keys.create({
      organizationId: access.organizationId,
      projectId: project?.id ?? null,
      name: name.trim(),
      scopes: [...new Set(scopes)],
      createdById,
    });
  }

  async apiKeys(access: OrgAccess): Promise<ApiKey[]> {
    const keys = await this.keys.list(access.organizationId);
    return access.projectId ? keys.filter((k) => k.projectId === access.projectId) : keys;
  }

  async revokeApiKey(access: OrgAccess, id: string): Promise<ApiKey> {
    const key = isUuid(id) ? await this.keys.findInOrganization(access.organizationId, id) : null;
    if (!key || (access.projectId && key.projectId !== access.projectId))
      throw new TokenledgerError(ErrorCode.NotFound, `id: no API key ${id}`);
    const revoked = await this.keys.revoke(access.organizationId, id);
    this.apiKeyAuth.invalidate();
    return revoked;
  }

  private async membership(access: OrgAccess, userId: string): Promise<{ role: Role }> {
    const m = isUuid(userId) ? await this.organizations.membership(access.organizationId, userId) : null;
    if (!m) throw new TokenledgerError(ErrorCode.NotFound, `userId: no member ${userId} in "${access.slug}"`);
    return m;
  }

  private async assertNotLastOwner(access: OrgAccess): Promise<void> {
    if ((await this.organizations.countOwners(access.organizationId)) <= 1)
      throw new TokenledgerError(ErrorCode.Conflict, `"${access.slug}" must keep at least one owner`);
  }
}
