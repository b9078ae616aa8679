import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Access, OrgRead } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { EventConflictConnection, EventConflictFilter, EventConnection, EventFilter } from './events.model';
import { EventsService } from './events.service';

@Resolver()
export class EventsResolver {
  constructor(private readonly eventsService: EventsService) {}

  @Query(() => EventConnection, {
    description: 'Raw events for drill-down, newest first (totals come from spend).',
  })
  @OrgRead()
  async events(
    @Access() access: OrgAccess,
    @Args('filter', { type: () => EventFilter, nullable: true }) filter: EventFilter | null,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'Page size, at most 500.' })
    first: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'pageInfo.endCursor of the previous page.',
    })
    after: string | null,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<EventConnection> {
    return this.eventsService.events(access, filter ?? {}, first, after);
  }

  @Query(() => EventConflictConnection, {
    description:
      'EventIds resent with different content, newest first: the first version is kept, each different resend is listed here and never applied.',
  })
  @OrgRead()
  async eventConflicts(
    @Access() access: OrgAccess,
    @Args('filter', { type: () => EventConflictFilter, nullable: true }) filter: EventConflictFilter | null,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'Page size, at most 500.' })
    first: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'pageInfo.endCursor of the previous page.',
    })
    after: string | null,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<EventConflictConnection> {
    return this.eventsService.conflicts(access, filter ?? {}, first, after);
  }
}
