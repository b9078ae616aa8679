import { generateSecret, hashSecret } from '../api-key';
import type { PrismaClient } from '../prisma';
import type { MemberRole, MembershipRecord } from './organizations.repository';
import type { UserRecord } from './users.repository';

export interface InvitationRecord {
  id: string;
  organizationId: string;
  email: string;
  role: MemberRole;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

const SELECT = {
  id: true,
  organizationId: true,
  email: true,
  role: true,
  invitedBy: true,
  createdAt: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
} as const;

/** Pending: neither accepted nor revoked, and not expired. */
const pending = (now: Date) => ({ acceptedAt: null, revokedAt: null, expiresAt: { gt: now } });

/**
 * Invitations to join an organization. Nobody becomes a member without accepting: an existing
 * user accepts while logged in, a new person accepts with the token and creates an account.
 * Only a SHA-256 of the token is stored.
 */
export class InvitationsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** A new pending invitation (replacing a pending one to the same email), with its token shown once. */
  async create(input: {
    organizationId: string;
    email: string;
    role: MemberRole;
    invitedById: string | null;
    invitedBy: string;
    expiresAt: Date;
  }): Promise<{ token: string; invitation: InvitationRecord }> {
    const { secret, secretHash } = generateSecret('tli');
    const now = new Date();
    const invitation = await this.prisma.$transaction(async (tx) => {
      await tx.invitation.updateMany({
        where: { organizationId: input.organizationId, email: input.email, ...pending(now) },
        data: { revokedAt: now },
      });
      return tx.invitation.create({ data: { ...input, tokenHash: secretHash }, select: SELECT });
    });
    return { token: secret, invitation };
  }

  /** The pending invitation a token belongs to, or null. */
  findPendingByToken(token: string, now = new Date()): Promise<InvitationRecord | null> {
    return this.prisma.invitation.findFirst({
      where: { tokenHash: hashSecret(token), ...pending(now) },
      select: SELECT,
    });
  }

  /** A pending invitation addressed to `email`, or null. */
  findPendingForEmail(id: string, email: string, now = new Date()): Promise<InvitationRecord | null> {
    return this.prisma.invitation.findFirst({ where: { id, email, ...pending(now) }, select: SELECT });
  }

  /** The pending invitations addressed to `email`, newest first. */
  pendingForEmail(email: string, now = new Date()): Promise<InvitationRecord[]> {
    return this.prisma.invitation.findMany({
      where: { email, ...pending(now) },
      select: SELECT,
      orderBy: { createdAt: 'desc' },
    });
  }

  /** An organization's pending invitations, newest first. */
  pendingOfOrganization(organizationId: string, now = new Date()): Promise<InvitationRecord[]> {
    return this.prisma.invitation.findMany({
      where: { organizationId, ...pending(now) },
      select: SELECT,
      orderBy: { createdAt: 'desc' },
    });
  }

  /** Revokes a pending invitation of the organization; false when there is none with this id. */
  async revoke(organizationId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.invitation.updateMany({
      where: { id, organizationId, ...pending(new Date()) },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  }

  /**
   * Accepts for an existing user: marks the invitation accepted and adds the membership (a
   * member already keeps their role). Null when the invitation was no longer pending.
   */
  accept(invitation: InvitationRecord, userId: string): Promise<MembershipRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const { count } = await tx.invitation.updateMany({
        where: { id: invitation.id, ...pending(now) },
        data: { acceptedAt: now },
      });
      if (count === 0) return null;
      return tx.membership.upsert({
        where: { userId_organizationId: { userId, organizationId: invitation.organizationId } },
        update: {},
        create: { userId, organizationId: invitation.organizationId, role: invitation.role, lastUsedAt: now },
      });
    });
  }

  /**
   * Accepts by creating the invitee's account. Null when the invitation was no longer pending or
   * the email meanwhile has an account (nothing is written then).
   */
  acceptAsNewUser(
    invitation: InvitationRecord,
    user: { name: string; passwordHash: string },
  ): Promise<UserRecord | null> {
    return this.prisma.$transaction(async (tx) => {
      const now = new Date();
      if (await tx.user.findUnique({ where: { email: invitation.email }, select: { id: true } })) return null;
      const { count } = await tx.invitation.updateMany({
        where: { id: invitation.id, ...pending(now) },
        data: { acceptedAt: now },
      });
      if (count === 0) return null;
      const created = await tx.user.create({
        data: { email: invitation.email, name: user.name, passwordHash: user.passwordHash },
        select: { id: true, email: true, name: true, createdAt: true },
      });
      await tx.membership.create({
        data: {
          userId: created.id,
          organizationId: invitation.organizationId,
          role: invitation.role,
          lastUsedAt: now,
        },
      });
      return created;
    });
  }
}
