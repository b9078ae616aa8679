import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { PrismaClient } from '../prisma';
import type { OrgScope } from './scope';

export interface ProjectRecord {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  createdAt: Date;
}

/** Projects: the unit an ingest key writes to and every read can be narrowed to. */
export class ProjectsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The organization's projects by slug, narrowed to a project key's own. */
  list(scope: Pick<OrgScope, 'organizationId' | 'projectId'>): Promise<ProjectRecord[]> {
    return this.prisma.project.findMany({
      where: { organizationId: scope.organizationId, ...(scope.projectId ? { id: scope.projectId } : {}) },
      orderBy: { slug: 'asc' },
    });
  }

  /** Project id → slug for every project of the organization. */
  async slugsById(organizationId: string): Promise<Map<string, string>> {
    const projects = await this.prisma.project.findMany({
      where: { organizationId },
      select: { id: true, slug: true },
    });
    return new Map(projects.map((p) => [p.id, p.slug]));
  }

  findBySlug(organizationId: string, slug: string): Promise<ProjectRecord | null> {
    return this.prisma.project.findUnique({ where: { organizationId_slug: { organizationId, slug } } });
  }

  findById(id: string): Promise<ProjectRecord | null> {
    return this.prisma.project.findUnique({ where: { id } });
  }

  /** A project of the organization by slug; project-bound keys see only their own. */
  async visible(scope: OrgScope, slug: string): Promise<ProjectRecord> {
    const project = await this.findBySlug(scope.organizationId, slug);
    if (!project || (scope.projectId && project.id !== scope.projectId)) {
      throw new TokenledgerError(ErrorCode.NotFound, `project: no project "${slug}" in "${scope.slug}"`);
    }
    return project;
  }

  /**
   * The project ids a read is limited to: the filter's slugs (each must exist), narrowed for
   * project keys; null when nothing limits it.
   */
  async idsForFilter(scope: OrgScope, slugs: readonly string[] | null | undefined): Promise<string[] | null> {
    if (!slugs || slugs.length === 0) return scope.projectId ? [scope.projectId] : null;
    const found = await this.prisma.project.findMany({
      where: { organizationId: scope.organizationId, slug: { in: [...slugs] } },
      select: { id: true, slug: true },
    });
    const missing = slugs.filter((s) => !found.some((p) => p.slug === s));
    if (missing.length > 0)
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `filter.projects: no project ${missing.map((s) => `"${s}"`).join(', ')} in "${scope.slug}"`,
      );
    const ids = found.map((p) => p.id).filter((id) => !scope.projectId || id === scope.projectId);
    if (ids.length === 0)
      throw new TokenledgerError(ErrorCode.NotFound, 'filter.projects: not visible to this key');
    return ids;
  }

  /** Creates a project; a slug already taken in the organization is a CONFLICT. */
  async create(
    scope: Pick<OrgScope, 'organizationId' | 'slug'>,
    slug: string,
    name: string,
  ): Promise<ProjectRecord> {
    if (await this.findBySlug(scope.organizationId, slug))
      throw new TokenledgerError(
        ErrorCode.Conflict,
        `slug: project "${slug}" already exists in "${scope.slug}"`,
      );
    return this.prisma.project.create({ data: { organizationId: scope.organizationId, slug, name } });
  }

  /** The project, created when missing (demo loads). */
  ensure(organizationId: string, slug: string, name: string): Promise<ProjectRecord> {
    return this.prisma.project.upsert({
      where: { organizationId_slug: { organizationId, slug } },
      update: {},
      create: { organizationId, slug, name },
    });
  }

  /** Every project with this slug, in any organization (with the organization's slug). */
  withSlug(slug: string, orgSlug?: string) {
    return this.prisma.project.findMany({
      where: { slug, ...(orgSlug ? { organization: { slug: orgSlug } } : {}) },
      include: { organization: { select: { id: true, slug: true } } },
    });
  }

  /** Batch loads for GraphQL data loaders. */
  byIds(ids: readonly string[]): Promise<ProjectRecord[]> {
    return this.prisma.project.findMany({ where: { id: { in: [...ids] } } });
  }

  ofOrganizations(organizationIds: readonly string[]): Promise<ProjectRecord[]> {
    return this.prisma.project.findMany({
      where: { organizationId: { in: [...organizationIds] } },
      orderBy: { slug: 'asc' },
    });
  }
}
