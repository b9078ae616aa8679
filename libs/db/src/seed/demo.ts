import { randomBytes } from 'node:crypto';
import { ApiKeyRepository } from '../accounts/api-key.repository';
import { hashPassword } from '../accounts/password';
import type { PrismaClient } from '../prisma';

export const DEMO_ORG_SLUG = 'demo';
export const DEMO_PROJECT_SLUG = 'demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.local';

export interface DemoCredentials {
  email: string;
  password: string;
  ingestKey: string;
}

/**
 * Creates the organization `demo` with the project `demo`, an owner login and an ingest+read key.
 * Returns the credentials when it created them (they are shown once), null when demo existed.
 */
export async function seedDemoOrganization(prisma: PrismaClient): Promise<DemoCredentials | null> {
  const existing = await prisma.organization.findUnique({ where: { slug: DEMO_ORG_SLUG } });
  if (existing) return null;
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const { org, project, user } = await prisma.$transaction(async (tx) => {
    const org = await tx.organization.create({ data: { slug: DEMO_ORG_SLUG, name: 'Demo Company' } });
    const project = await tx.project.create({
      data: { organizationId: org.id, slug: DEMO_PROJECT_SLUG, name: 'Demo' },
    });
    const user = await tx.user.upsert({
      where: { email: DEMO_ADMIN_EMAIL },
      update: { passwordHash },
      create: { email: DEMO_ADMIN_EMAIL, name: 'Demo Admin', passwordHash },
    });
    await tx.membership.create({ data: { userId: user.id, organizationId: org.id, role: 'owner' } });
    return { org, project, user };
  });
  const { secret } = await new ApiKeyRepository(prisma).create({
    organizationId: org.id,
    projectId: project.id,
    name: 'demo ingest key',
    scopes: ['ingest', 'read'],
    createdById: user.id,
  });
  return { email: DEMO_ADMIN_EMAIL, password, ingestKey: secret };
}
