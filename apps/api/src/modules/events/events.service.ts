import { Inject, Injectable } from '@nestjs/common';
import { ANALYTICS_STORE, MAX_EVENT_PAGE, type AnalyticsStore } from '@tokenledger/db';
import type { OrgAccess } from '../access/principal';
import type { EventConnection, EventFilter } from './events.model';

export const MAX_PAGE = MAX_EVENT_PAGE;

/** Raw events for drill-down only (never for totals), from the analytics store. */
@Injectable()
export class EventsService {
  constructor(@Inject(ANALYTICS_STORE) private readonly store: AnalyticsStore) {}

  events(
    access: OrgAccess,
    filter: EventFilter,
    first: number,
    after: string | null | undefined,
  ): Promise<EventConnection> {
    return this.store.events(access, filter, first, after);
  }
}
