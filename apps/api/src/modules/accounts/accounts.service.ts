import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import {
  ApiKeyRepository,
  assertSlug,
  hashPassword,
  InvitationsRepository,
  OrganizationsRepository,
  ProjectsRepository,
  type ApiKeyScope,
} from '@tokenledger/db';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';
import { SessionService } from '../auth/session.service';
import { AccessService } from '../access/access.service';
import { isUuid, type OrgAccess, type Principal, type Role } from '../access/principal';
import type {
  AcceptedInvitation,
  ApiKey,
  Invitation,
  InvitedMember,
  Member,
  Organization,
  Project,
} from './models/accounts.model';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const INVITATION_TTL_MS = 7 * 86_400_000;
const MIN_PASSWORD_LENGTH = 10;

/** Organizations, projects, members and keys, with the role rules of the product. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly projectsRepo: ProjectsRepository,
    private readonly keys: ApiKeyRepository,
    private readonly access: AccessService,
    private readonly apiKeyAuth: ApiKeyAuthService,
    private readonly invitations: InvitationsRepository,
    private readonly sessions: SessionService,
  ) {}

  async organizationsOf(principal: Principal): Promise<Organization[]> {
    if (principal.kind === 'apiKey') {
      const org = await this.organizations.findById(principal.organizationId);
      if (!org)
        throw new TokenledgerError(ErrorCode.NotFound, "org: the key's organization no longer exists");
      return [
        {
          ...org,
          role: (principal.scopes.includes('admin') ? 'admin' : 'viewer') as Role,
          onlyProjectId: principal.projectId,
        },
      ];
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

  /**
   * Invites an email: a pending invitation the invitee accepts (acceptInvitation), never a
   * membership at once. The answer is the same whether or not the email has an account, so it
   * tells nothing about people outside the organization.
   */
  async inviteMember(access: OrgAccess, email: string, role: Role): Promise<InvitedMember> {
    const normalized = email.trim().toLowerCase();
    if (!EMAIL.test(normalized))
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'email: not an email address');
    if (role === 'owner' && access.role !== 'owner')
      throw new TokenledgerError(ErrorCode.Forbidden, 'Only an owner can invite an owner');
    // Members are listed to the inviter anyway (members), so saying so reveals nothing new.
    if (await this.organizations.hasMemberWithEmail(access.organizationId, normalized))
      throw new TokenledgerError(
        ErrorCode.Conflict,
        `email: ${normalized} is already a member of "${access.slug}"`,
      );
    const p = access.principal;
    const { token, invitation } = await this.invitations.create({
      organizationId: access.organizationId,
      email: normalized,
      role,
      invitedById: p.kind === 'user' ? p.userId : null,
      invitedBy: p.kind === 'user' ? p.email : `api key ${p.prefix}`,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    return {
      invitation: { ...invitation, organizationSlug: access.slug },
      token,
      member: null,
      temporaryPassword: null,
    };
  }

  async invitationsOf(access: OrgAccess): Promise<Invitation[]> {
    const rows = await this.invitations.pendingOfOrganization(access.organizationId);
    return rows.map((i) => ({ ...i, organizationSlug: access.slug }));
  }

  async revokeInvitation(access: OrgAccess, id: string): Promise<boolean> {
    if (!isUuid(id) || !(await this.invitations.revoke(access.organizationId, id)))
      throw new TokenledgerError(ErrorCode.NotFound, `id: no pending invitation ${id} in "${access.slug}"`);
    return true;
  }

  /** The pending invitations addressed to the logged-in user. */
  async myInvitations(principal: Principal): Promise<Invitation[]> {
    if (principal.kind !== 'user') return [];
    const rows = await this.invitations.pendingForEmail(principal.email.toLowerCase());
    const orgs = new Map(
      (await this.organizations.listByIds([...new Set(rows.map((r) => r.organizationId))])).map((o) => [
        o.id,
        o.slug,
      ]),
    );
    return rows.map((i) => ({ ...i, organizationSlug: orgs.get(i.organizationId) ?? '' }));
  }

  /**
   * Accepts an invitation. A logged-in user accepts one addressed to their email (by id or
   * token); a person without an account accepts with the token, a name and a password, which
   * creates the account and logs it in.
   */
  async acceptInvitation(
    principal: Principal | undefined,
    input: { id?: string | null; token?: string | null; name?: string | null; password?: string | null },
  ): Promise<AcceptedInvitation> {
    if (principal?.kind === 'apiKey')
      throw new TokenledgerError(ErrorCode.Forbidden, 'An API key cannot accept an invitation; log in');
    const notFound = () =>
      new TokenledgerError(ErrorCode.NotFound, 'No pending invitation with this id or token for you');
    if (principal) {
      const email = principal.email.toLowerCase();
      const invitation = input.token
        ? await this.invitations.findPendingByToken(input.token)
        : input.id && isUuid(input.id)
          ? await this.invitations.findPendingForEmail(input.id, email)
          : null;
      if (!invitation || invitation.email !== email) throw notFound();
      if (!(await this.invitations.accept(invitation, principal.userId))) throw notFound();
      return {
        organization: await this.organizationFor(principal.userId, invitation.organizationId),
        login: null,
      };
    }
    if (!input.token)
      throw new TokenledgerError(
        ErrorCode.Unauthenticated,
        'token: give the invitation token, or log in and accept by id',
      );
    const name = input.name?.trim() ?? '';
    if (!name) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    const password = input.password ?? '';
    if (password.length < MIN_PASSWORD_LENGTH)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `password: at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    const invitation = await this.invitations.findPendingByToken(input.token);
    if (!invitation) throw notFound();
    const user = await this.invitations.acceptAsNewUser(invitation, {
      name,
      passwordHash: await hashPassword(password),
    });
    if (!user)
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        'This invitation is for an existing account: log in as its invitee and accept it there',
      );
    const login = await this.sessions.login(user.email, password);
    return {
      organization: await this.organizationFor(user.id, invitation.organizationId),
      login: { token: login.token, expiresAt: login.expiresAt, user },
    };
  }

  private async organizationFor(userId: string, organizationId: string): Promise<Organization> {
    const org = (await this.organizations.ofUser(userId)).find((o) => o.id === organizationId);
    if (!org) throw new TokenledgerError(ErrorCode.NotFound, 'org: the organization no longer exists');
    return org;
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
