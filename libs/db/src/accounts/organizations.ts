import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { PrismaClient } from '../prisma';

export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertSlug(field: string, slug: string): void {
  if (!SLUG.test(slug)) {
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `${field}: "${slug}" must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit`,
    );
  }
}

/** The project `projectSlug` of organization `orgSlug`, or a NOT_FOUND error naming what is missing. */
export async function findProjectBySlugs(prisma: PrismaClient, orgSlug: string, projectSlug: string) {
  const org = await prisma.organization.findUnique({ where: { slug: orgSlug } });
  if (!org) throw new TokenledgerError(ErrorCode.NotFound, `org: no organization "${orgSlug}"`);
  const project = await prisma.project.findUnique({
    where: { organizationId_slug: { organizationId: org.id, slug: projectSlug } },
  });
  if (!project)
    throw new TokenledgerError(
      ErrorCode.NotFound,
      `project: no project "${projectSlug}" in organization "${orgSlug}"`,
    );
  return { org, project };
}
