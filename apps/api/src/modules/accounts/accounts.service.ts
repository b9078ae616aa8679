import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { ApiKeyRepository, assertSlug, hashPassword, PrismaClient, type ApiKeyScope } from '@tokenledger/db';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { AccessService } from '../access/access.service';
import { isUuid, type OrgAccess, type Principal, type Role } from '../access/principal';
import type { ApiKey, InvitedMember, Member, Organization, Project } from './models/accounts.model';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Organizations, projects, members and keys, with the role rules of the product. */
@Injectable()
export class AccountsService {
  private readonly keys: ApiKeyRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly access: AccessService,
    private readonly apiKeyAuth: ApiKeyAuthService,
  ) {
    this.keys = new ApiKeyRepository(prisma);
  }

  async organizationsOf(principal: Principal): Promise<Organization[]> {
    if (principal.kind === 'apiKey') {
      const org = await this.prisma.organization.findUniqueOrThrow({
        where: { id: principal.organizationId },
      });
      return [{ ...org, role: (principal.scopes.includes('admin') ? 'admin' : 'viewer') as Role }];
    }
    const memberships = await this.prisma.membership.findMany({
      where: { userId: principal.userId },
      include: { organization: true },
      orderBy: { organization: { slug: 'asc' } },
    });
    return memberships.map((m) => ({ ...m.organization, role: m.role }));
  }

  async createOrganization(principal: Principal, slug: string, name: string): Promise<Organization> {
    if (principal.kind !== 'user')
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only a logged-in user can create an organization');
    assertSlug('slug', slug);
    if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    if (await this.prisma.organization.findUnique({ where: { slug } })) {
      throw new TokenledgerError(ErrorCode.Conflict, `slug: an organization "${slug}" already exists`);
    }
    const org = await this.prisma.organization.create({
      data: { slug, name: name.trim(), memberships: { create: { userId: principal.userId, role: 'owner' } } },
    });
    return { ...org, role: 'owner' as Role };
  }

  async createProject(access: OrgAccess, slug: string, name: string): Promise<Project> {
    assertSlug('slug', slug);
    if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    const exists = await this.prisma.project.findUnique({
      where: { organizationId_slug: { organizationId: access.organizationId, slug } },
    });
    if (exists)
      throw new TokenledgerError(
        ErrorCode.Conflict,
        `slug: project "${slug}" already exists in "${access.slug}"`,
      );
    return this.prisma.project.create({
      data: { organizationId: access.organizationId, slug, name: name.trim() },
    });
  }

  projects(access: OrgAccess): Promise<Project[]> {
    return this.prisma.project.findMany({
      where: { organizationId: access.organizationId, ...(access.projectId ? { id: access.projectId } : {}) },
      orderBy: { slug: 'asc' },
    });
  }

  async members(access: OrgAccess): Promise<Member[]> {
    const rows = await this.prisma.membership.findMany({
      where: { organizationId: access.organizationId },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((m) => ({ userId: m.userId, role: m.role, joinedAt: m.createdAt }));
  }

  async inviteMember(access: OrgAccess, email: string, name: string, role: Role): Promise<InvitedMember> {
    const normalized = email.trim().toLowerCase();
    if (!EMAIL.test(normalized))
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'email: not an email address');
    if (role === 'owner' && access.role !== 'owner')
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only an owner can add an owner');
    let user = await this.prisma.user.findUnique({ where: { email: normalized } });
    let temporaryPassword: string | null = null;
    if (!user) {
      if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
      temporaryPassword = randomBytes(12).toString('base64url');
      user = await this.prisma.user.create({
        data: { email: normalized, name: name.trim(), passwordHash: await hashPassword(temporaryPassword) },
      });
    }
    const existing = await this.prisma.membership.findUnique({
      where: { userId_organizationId: { userId: user.id, organizationId: access.organizationId } },
    });
    if (existing)
      throw new TokenledgerError(
        ErrorCode.Conflict,
        `email: ${normalized} is already a member of "${access.slug}"`,
      );
    const m = await this.prisma.membership.create({
      data: { userId: user.id, organizationId: access.organizationId, role },
    });
    return { member: { userId: m.userId, role: m.role, joinedAt: m.createdAt }, temporaryPassword };
  }

  async updateMemberRole(access: OrgAccess, userId: string, role: Role): Promise<Member> {
    const target = await this.membership(access, userId);
    if ((target.role === 'owner' || role === 'owner') && access.role !== 'owner') {
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only an owner can change who is an owner');
    }
    if (target.role === 'owner' && role !== 'owner') await this.assertNotLastOwner(access);
    const m = await this.prisma.membership.update({
      where: { userId_organizationId: { userId, organizationId: access.organizationId } },
      data: { role },
    });
    return { userId: m.userId, role: m.role, joinedAt: m.createdAt };
  }

  async removeMember(access: OrgAccess, userId: string): Promise<boolean> {
    const target = await this.membership(access, userId);
    if (target.role === 'owner') {
      if (access.role !== 'owner')
        throw new TokenledgerError(ErrorCode.Forbidden, 'Admins cannot remove owners');
      await this.assertNotLastOwner(access);
    }
    await this.prisma.membership.delete({
      where: { userId_organizationId: { userId, organizationId: access.organizationId } },
    });
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
    const key = isUuid(id)
      ? await this.prisma.apiKey.findFirst({ where: { id, organizationId: access.organizationId } })
      : null;
    if (!key || (access.projectId && key.projectId !== access.projectId))
      throw new TokenledgerError(ErrorCode.NotFound, `id: no API key ${id}`);
    const revoked = await this.keys.revoke(access.organizationId, id);
    this.apiKeyAuth.invalidate();
    return revoked;
  }

  private async membership(access: OrgAccess, userId: string): Promise<{ role: Role }> {
    const m = isUuid(userId)
      ? await this.prisma.membership.findUnique({
          where: { userId_organizationId: { userId, organizationId: access.organizationId } },
        })
      : null;
    if (!m) throw new TokenledgerError(ErrorCode.NotFound, `userId: no member ${userId} in "${access.slug}"`);
    return m;
  }

  private async assertNotLastOwner(access: OrgAccess): Promise<void> {
    const owners = await this.prisma.membership.count({
      where: { organizationId: access.organizationId, role: 'owner' },
    });
    if (owners <= 1)
      throw new TokenledgerError(ErrorCode.Conflict, `"${access.slug}" must keep at least one owner`);
  }
}
