import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { ProjectsRepository } from '../accounts/projects.repository';
import type { OrgScope } from '../accounts/scope';
import type { PrismaClient } from '../prisma';

export interface EventConflictRecord {
  /** Position in the list, for cursors. */
  id: string;
  projectId: string;
  eventId: string;
  existingContentHash: string;
  receivedContentHash: string;
  /** The resent event as received (never applied). */
  payload: unknown;
  receivedAt: Date;
}

export interface EventConflictPage {
  nodes: EventConflictRecord[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export const MAX_CONFLICT_PAGE = 500;

/**
 * Resends of an eventId with different content: the first version stays, each resend is kept
 * here for the user to see (`eventConflicts`, and a count on `status`).
 */
export class EventConflictsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly projects: ProjectsRepository,
  ) {}

  /** The organization's conflicts (a project key's own project only), newest first. */
  async list(
    scope: OrgScope,
    filter: { projects?: readonly string[] | null; eventId?: string | null },
    first: number,
    after: string | null | undefined,
  ): Promise<EventConflictPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_CONFLICT_PAGE)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `first: must be between 1 and ${MAX_CONFLICT_PAGE}`,
      );
    if (after != null && !/^[1-9][0-9]{0,18}$/.test(after))
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'after: not a cursor this API returned');
    const projectIds = await this.projectIds(scope, filter.projects);
    const rows = await this.prisma.eventConflict.findMany({
      where: {
        projectId: { in: projectIds },
        ...(filter.eventId ? { eventId: filter.eventId } : {}),
        ...(after ? { id: { lt: BigInt(after) } } : {}),
      },
      orderBy: { id: 'desc' },
      take: first + 1,
    });
    const nodes = rows.slice(0, first).map((r) => ({ ...r, id: r.id.toString() }));
    return {
      nodes,
      hasNextPage: rows.length > first,
      endCursor: nodes.length > 0 ? nodes[nodes.length - 1]!.id : null,
    };
  }

  /** How many conflicts the caller can see. */
  async count(scope: OrgScope): Promise<number> {
    return this.prisma.eventConflict.count({
      where: { projectId: { in: await this.projectIds(scope, null) } },
    });
  }

  private async projectIds(scope: OrgScope, slugs: readonly string[] | null | undefined): Promise<string[]> {
    const ids = await this.projects.idsForFilter(scope, slugs);
    return ids ?? (await this.projects.list(scope)).map((p) => p.id);
  }
}
