import { existsSync, readFileSync } from 'node:fs';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { DEMO_PROJECTS } from '@tokenledger/demo';
import type { ApiKeyRecord, Store } from '@tokenledger/db';

export interface DemoTarget {
  organization: { id: string; slug: string };
  /** Project slug → id. */
  projectIds: Map<string, string>;
  /** Projects this load created. */
  created: string[];
}

export async function findOrganization(store: Store, slug: string) {
  const org = await store.organizations.findBySlug(slug);
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
  store: Store,
  orgSlug: string,
  projects: readonly string[],
  single: string | undefined,
): Promise<DemoTarget> {
  const org = await findOrganization(store, orgSlug);
  const organization = { id: org.id, slug: org.slug };
  const projectIds = new Map<string, string>();
  const created: string[] = [];
  for (const slug of projects) {
    const existing = await store.projects.findBySlug(organization.id, slug);
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
    const project = await store.projects.ensure(organization.id, slug, name);
    projectIds.set(slug, project.id);
    created.push(slug);
  }
  return { organization, projectIds, created };
}

/** True when the organization holds any usage event (npm start seeds demo data only once). */
export function organizationHasEvents(store: Store, organizationId: string): Promise<boolean> {
  return store.analytics.organizationHasEvents(organizationId);
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
export async function resolveKey(store: Store, secret: string): Promise<ResolvedKey> {
  const record = await store.apiKeys.findActiveBySecret(secret);
  if (!record)
    throw new TokenledgerError(
      ErrorCode.Unauthenticated,
      'key: unknown or revoked API key (the CLI checks it in the database the API uses: DATABASE_URL)',
    );
  if (!record.scopes.includes('ingest'))
    throw new TokenledgerError(ErrorCode.Forbidden, `key: ${record.prefix} lacks the "ingest" scope`);
  const organization = await store.organizations.findById(record.organizationId);
  const project = record.projectId ? await store.projects.findById(record.projectId) : null;
  if (!organization || (record.projectId && !project))
    throw new TokenledgerError(
      ErrorCode.NotFound,
      `key: ${record.prefix} belongs to a deleted organization or project`,
    );
  return { record, organizationSlug: organization.slug, projectSlug: project?.slug ?? null };
}
