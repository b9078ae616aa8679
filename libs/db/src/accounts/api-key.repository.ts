import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { generateSecret, hashSecret } from '../api-key';
import type { PrismaClient } from '../prisma';

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  projectId: string | null;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiKey {
  /** The whole secret: shown once, never stored. */
  secret: string;
  key: ApiKeyRecord;
}

export function parseScopes(input: string | readonly string[]): ApiKeyScope[] {
  const items = (typeof input === 'string' ? input.split(',') : [...input])
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      'scopes: give at least one of ingest, read, admin',
    );
  for (const item of items) {
    if (!(API_KEY_SCOPES as readonly string[]).includes(item)) {
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `scopes: "${item}" is not one of ingest, read, admin`,
      );
    }
  }
  return [...new Set(items)] as ApiKeyScope[];
}

const SELECT = {
  id: true,
  organizationId: true,
  projectId: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: {
    organizationId: string;
    projectId: string | null;
    name: string;
    scopes: ApiKeyScope[];
    createdById?: string | null;
  }): Promise<CreatedApiKey> {
    const { secret, prefix, secretHash } = generateSecret('tlk');
    const key = await this.prisma.apiKey.create({
      data: {
        organizationId: input.organizationId,
        projectId: input.projectId,
        name: input.name,
        scopes: input.scopes,
        prefix,
        secretHash,
        createdById: input.createdById ?? null,
      },
      select: SELECT,
    });
    return { secret, key };
  }

  /** The key a bearer secret belongs to, if it exists and is not revoked. */
  async findActiveBySecret(secret: string): Promise<ApiKeyRecord | null> {
    const key = await this.prisma.apiKey.findUnique({
      where: { secretHash: hashSecret(secret) },
      select: SELECT,
    });
    return key && !key.revokedAt ? key : null;
  }

  /** The key whose secret hashes to `secretHash`, revoked or not (authentication caches both). */
  findBySecretHash(secretHash: string): Promise<ApiKeyRecord | null> {
    return this.prisma.apiKey.findUnique({ where: { secretHash }, select: SELECT });
  }

  findById(id: string): Promise<ApiKeyRecord | null> {
    return this.prisma.apiKey.findUnique({ where: { id }, select: SELECT });
  }

  /** A key of this organization, or null (another organization's key is simply not found). */
  findInOrganization(organizationId: string, id: string): Promise<ApiKeyRecord | null> {
    return this.prisma.apiKey.findFirst({ where: { id, organizationId }, select: SELECT });
  }

  /** Records when a key was last used (best effort, off the request path). */
  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: at } });
  }

  list(organizationId: string): Promise<ApiKeyRecord[]> {
    return this.prisma.apiKey.findMany({
      where: { organizationId },
      select: SELECT,
      orderBy: { createdAt: 'desc' },
    });
  }

  async revoke(organizationId: string, id: string): Promise<ApiKeyRecord> {
    const existing = await this.prisma.apiKey.findFirst({ where: { id, organizationId }, select: SELECT });
    if (!existing) throw new TokenledgerError(ErrorCode.NotFound, `No API key ${id} in this organization`);
    if (existing.revokedAt) return existing;
    return this.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: SELECT });
  }
}
