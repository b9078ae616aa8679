import { EventConflictsRepository } from '@tokenledger/db';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { OptionalAccess, Policy } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { ReadinessService } from '../health/readiness.service';
import { ServiceStatus } from './status.model';

export const VERSION = '0.1.0';

@Resolver(() => ServiceStatus)
export class StatusResolver {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly conflicts: EventConflictsRepository,
  ) {}

  @Query(() => ServiceStatus, {
    description:
      "Health of this installation; needs no login. With credentials it also counts your organization's event conflicts.",
  })
  @Policy({ org: 'read', projectKeys: 'own', anonymous: 'catalog' })
  async status(
    @OptionalAccess() access: OrgAccess | null,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<ServiceStatus> {
    const [health, eventConflicts] = await Promise.all([
      this.readiness.check(),
      access ? this.conflicts.count(access) : Promise.resolve(null),
    ]);
    return { version: VERSION, ...health, eventConflicts };
  }
}
