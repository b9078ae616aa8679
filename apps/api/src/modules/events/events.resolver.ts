import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { EventConnection, EventFilter } from './events.model';
import { EventsService } from './events.service';

@Resolver()
export class EventsResolver {
  constructor(
    private readonly eventsService: EventsService,
    private readonly access: AccessService,
  ) {}

  @Query(() => EventConnection, {
    description: 'Raw events for drill-down, newest first (totals come from spend).',
  })
  async events(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('filter', { type: () => EventFilter, nullable: true }) filter: EventFilter | null,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'Page size, at most 500.' })
    first: number,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'pageInfo.endCursor of the previous page.',
    })
    after: string | null,
    @Args('org', { type: () => String, nullable: true }) org?: string,
  ): Promise<EventConnection> {
    return this.eventsService.events(
      await this.access.forOrg(principal, org, 'read'),
      filter ?? {},
      first,
      after,
    );
  }
}
