import { existsSync, readFileSync } from 'node:fs';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { DEMO_PROJECTS } from '@tokenledger/demo';
import { ApiKeyRepository, type ApiKeyRecord, type PrismaClient } from '@tokenledger/db';

export interface DemoTarget {
  organization: { id: string; slug: string };
  /** Project slug → id. */
  projectIds: Map<string, string>;
  /** Projects this load created. */
  created: string[];
}

export async function findOrganization(prisma: PrismaClient, slug: string) {
  const org = await prisma.organization.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!org)
    throw new TokenledgerError(
      ErrorCode.NotFound,
      slug === 'demo'
        ? 'org: no organization "demo" yet: run `npm run tokenledger -- seed` first'
        : `org: no organization "${slug}"`,
    );
  return org;
}

/**
 * The organization and projects a load writes to. With `--project`, that one project, which must
 * exist; otherwise the demo company's projects, created when missing.
 */
export async function resolveTarget(
  prisma: PrismaClient,
  orgSlug: string,
  projects: readonly string[],
  single: string | undefined,
): Promise<DemoTarget> {
  const organization = await findOrganization(prisma, orgSlug);
  const projectIds = new Map<string, string>();
  const created: string[] = [];
  for (const slug of projects) {
    const existing = await prisma.project.findUnique({
      where: { organizationId_slug: { organizationId: organization.id, slug } },
      select: { id: true },
    });
    if (existing) {
      projectIds.set(slug, existing.id);
      continue;
    }
    if (single)
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `project: no project "${slug}" in organization "${orgSlug}" (leave out --project to use the demo company's projects)`,
      );
    const name = DEMO_PROJECTS.find((p) => p.slug === slug)?.name ?? slug;
    const project = await prisma.project.upsert({
      where: { organizationId_slug: { organizationId: organization.id, slug } },
      update: {},
      create: { organizationId: organization.id, slug, name },
      select: { id: true },
    });
    projectIds.set(slug, project.id);
    created.push(slug);
  }
  return { organization, projectIds, created };
}

/** True when the organization holds any usage event (npm start seeds demo data only once). */
export async function organizationHasEvents(prisma: PrismaClient, organizationId: string): Promise<boolean> {
  const event = await prisma.usageEvent.findFirst({ where: { organizationId }, select: { id: true } });
  return event !== null;
}

/** The ingest key `seed` saved for the demo organization, if this checkout has one. */
export function savedDemoKey(credentialsFile: string): string | undefined {
  if (!existsSync(credentialsFile)) return undefined;
  return /^ingest key:\s+(\S+)/m.exec(readFileSync(credentialsFile, 'utf8'))?.[1];
}

export interface ResolvedKey {
  record: ApiKeyRecord;
  organizationSlug: string;
  /** The project a project key writes to; null for an organization key. */
  projectSlug: string | null;
}

/** The key the API path sends with, checked against the database the API uses. */
export async function resolveKey(prisma: PrismaClient, secret: string): Promise<ResolvedKey> {
  const record = await new ApiKeyRepository(prisma).findActiveBySecret(secret);
  if (!record)
    throw new TokenledgerError(
      ErrorCode.Unauthenticated,
      'key: unknown or revoked API key (the CLI checks it in the database the API uses: DATABASE_URL)',
    );
  if (!record.scopes.includes('ingest'))
    throw new TokenledgerError(ErrorCode.Forbidden, `key: ${record.prefix} lacks the "ingest" scope`);
  const organization = await prisma.organization.findUniqueOrThrow({
    where: { id: record.organizationId },
    select: { slug: true },
  });
  const project = record.projectId
    ? await prisma.project.findUniqueOrThrow({ where: { id: record.projectId }, select: { slug: true } })
    : null;
  return { record, organizationSlug: organization.slug, projectSlug: project?.slug ?? null };
}
