import { hashSecret } from '../api-key';
import type { PrismaClient } from '../prisma';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

const PUBLIC = { id: true, email: true, name: true, createdAt: true } as const;

/** Dashboard users and their login sessions (only a session token's SHA-256 is stored). */
export class UsersRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(id: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { id }, select: PUBLIC });
  }

  async requireById(id: string): Promise<UserRecord> {
    return this.prisma.user.findUniqueOrThrow({ where: { id }, select: PUBLIC });
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { email }, select: PUBLIC });
  }

  /** What a login checks: the user's id and password hash. */
  credentials(email: string): Promise<{ id: string; passwordHash: string } | null> {
    return this.prisma.user.findUnique({ where: { email }, select: { id: true, passwordHash: true } });
  }

  create(input: { email: string; name: string; passwordHash: string }): Promise<UserRecord> {
    return this.prisma.user.create({ data: input, select: PUBLIC });
  }

  /** Batch load for GraphQL data loaders. */
  byIds(ids: readonly string[]): Promise<UserRecord[]> {
    return this.prisma.user.findMany({ where: { id: { in: [...ids] } }, select: PUBLIC });
  }

  async createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.prisma.session.create({ data: { userId, tokenHash, expiresAt } });
  }

  /** The session a bearer token belongs to, with its user, whatever its state. */
  sessionByToken(token: string) {
    return this.prisma.session.findUnique({
      where: { tokenHash: hashSecret(token) },
      select: { id: true, expiresAt: true, revokedAt: true, user: { select: { id: true, email: true } } },
    });
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.prisma.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() } });
  }
}
