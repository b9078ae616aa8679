import { Inject, Injectable } from '@nestjs/common';
import {
  ANALYTICS_STORE,
  EventConflictsRepository,
  MAX_EVENT_PAGE,
  ProjectsRepository,
  type AnalyticsStore,
} from '@tokenledger/db';
import type { OrgAccess } from '../access/principal';
import type {
  EventConflictConnection,
  EventConflictFilter,
  EventConnection,
  EventFilter,
} from './events.model';

export const MAX_PAGE = MAX_EVENT_PAGE;

/** Raw events for drill-down only (never for totals), from the analytics store; and resends that conflicted. */
@Injectable()
export class EventsService {
  constructor(
    @Inject(ANALYTICS_STORE) private readonly store: AnalyticsStore,
    private readonly conflictsRepo: EventConflictsRepository,
    private readonly projects: ProjectsRepository,
  ) {}

  events(
    access: OrgAccess,
    filter: EventFilter,
    first: number,
    after: string | null | undefined,
  ): Promise<EventConnection> {
    return this.store.events(access, filter, first, after);
  }

  async conflicts(
    access: OrgAccess,
    filter: EventConflictFilter,
    first: number,
    after: string | null | undefined,
  ): Promise<EventConflictConnection> {
    const page = await this.conflictsRepo.list(access, filter, first, after);
    const slugs = await this.projects.slugsById(access.organizationId);
    return {
      nodes: page.nodes.map((c) => ({
        project: slugs.get(c.projectId) ?? '',
        eventId: c.eventId,
        receivedAt: c.receivedAt,
        existingContentHash: c.existingContentHash,
        receivedContentHash: c.receivedContentHash,
        payload: c.payload,
      })),
      pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
    };
  }
}
