import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { PrismaClient } from '../prisma';

export type MemberRole = 'owner' | 'admin' | 'viewer';

export interface OrganizationRecord {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
}

export interface MembershipRecord {
  userId: string;
  organizationId: string;
  role: MemberRole;
  createdAt: Date;
}

/** Organizations and who belongs to them with which role. */
export class OrganizationsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(id: string): Promise<OrganizationRecord | null> {
    return this.prisma.organization.findUnique({ where: { id } });
  }

  findBySlug(slug: string): Promise<OrganizationRecord | null> {
    return this.prisma.organization.findUnique({ where: { slug } });
  }

  /** The organization with this slug, or NOT_FOUND naming `field` (a CLI flag or an argument). */
  async requireBySlug(slug: string, field = 'org'): Promise<OrganizationRecord> {
    const org = await this.findBySlug(slug);
    if (!org) throw new TokenledgerError(ErrorCode.NotFound, `${field}: no organization "${slug}"`);
    return org;
  }

  /** Organizations by slug, in slug order. */
  listByIds(ids: readonly string[]): Promise<OrganizationRecord[]> {
    return this.prisma.organization.findMany({ where: { id: { in: [...ids] } }, orderBy: { slug: 'asc' } });
  }

  /** Creates an organization with its first owner; a slug already taken is a CONFLICT. */
  async createWithOwner(slug: string, name: string, ownerId: string): Promise<OrganizationRecord> {
    if (await this.findBySlug(slug))
      throw new TokenledgerError(ErrorCode.Conflict, `slug: an organization "${slug}" already exists`);
    return this.prisma.organization.create({
      data: { slug, name, memberships: { create: { userId: ownerId, role: 'owner' } } },
    });
  }

  /** A user's organizations with their role, by slug. */
  async ofUser(userId: string): Promise<(OrganizationRecord & { role: MemberRole })[]> {
    const memberships = await this.prisma.membership.findMany({
      where: { userId },
      include: { organization: true },
      orderBy: { organization: { slug: 'asc' } },
    });
    return memberships.map((m) => ({ ...m.organization, role: m.role }));
  }

  /**
   * A user's memberships, optionally in the organization `orgSlug` only; at most `take` of them.
   * The default organization comes first: the one last named, else the first joined.
   */
  membershipsOf(userId: string, orgSlug: string | null | undefined, take: number) {
    return this.prisma.membership.findMany({
      where: { userId, ...(orgSlug ? { organization: { slug: orgSlug } } : {}) },
      select: { role: true, organization: { select: { id: true, slug: true } } },
      orderBy: [{ lastUsedAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'asc' }],
      take,
    });
  }

  /** Records that the user named this organization: it becomes their default. */
  async markUsed(userId: string, organizationId: string, at: Date): Promise<void> {
    await this.prisma.membership.updateMany({ where: { userId, organizationId }, data: { lastUsedAt: at } });
  }

  members(organizationId: string): Promise<MembershipRecord[]> {
    return this.prisma.membership.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
  }

  membership(organizationId: string, userId: string): Promise<MembershipRecord | null> {
    return this.prisma.membership.findUnique({
      where: { userId_organizationId: { userId, organizationId } },
    });
  }

  addMember(organizationId: string, userId: string, role: MemberRole): Promise<MembershipRecord> {
    return this.prisma.membership.create({ data: { userId, organizationId, role } });
  }

  setRole(organizationId: string, userId: string, role: MemberRole): Promise<MembershipRecord> {
    return this.prisma.membership.update({
      where: { userId_organizationId: { userId, organizationId } },
      data: { role },
    });
  }

  async removeMember(organizationId: string, userId: string): Promise<void> {
    await this.prisma.membership.delete({ where: { userId_organizationId: { userId, organizationId } } });
  }

  /** Whether someone with this email is a member of the organization. */
  async hasMemberWithEmail(organizationId: string, email: string): Promise<boolean> {
    return (await this.prisma.membership.count({ where: { organizationId, user: { email } } })) > 0;
  }

  countOwners(organizationId: string): Promise<number> {
    return this.prisma.membership.count({ where: { organizationId, role: 'owner' } });
  }
}
