import { randomBytes } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from '@tokenledger/db';
import { inject } from 'vitest';

export function testPrisma(): PrismaClient {
  return createPrismaClient(inject('databaseUrl'), { poolSize: 4 });
}

/** A fresh organization with one project, so tests never see each other's data. */
export async function createTenant(prisma: PrismaClient, label = 'org') {
  const suffix = randomBytes(4).toString('hex');
  const org = await prisma.organization.create({
    data: { slug: `${label}-${suffix}`, name: `Test ${label} ${suffix}` },
  });
  const project = await prisma.project.create({
    data: { organizationId: org.id, slug: `proj-${suffix}`, name: 'Test project' },
  });
  return { org, project };
}
