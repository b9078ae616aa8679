import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { SpendDimension, SpendFilter } from './dto/spend.input';
import { SpendRow } from './models/spend-row.model';
import { SpendService } from './spend.service';

@Resolver(() => SpendRow)
export class SpendResolver {
  constructor(
    private readonly spendService: SpendService,
    private readonly access: AccessService,
  ) {}

  @Query(() => [SpendRow], {
    description:
      'Cost, tokens by kind and requests for a time range, grouped by any dimensions. Read from rollups.',
    complexity: 10,
  })
  async spend(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('filter') filter: SpendFilter,
    @Args('groupBy', { type: () => [SpendDimension], nullable: true }) groupBy: SpendDimension[] | null,
    @Args('timeZone', { defaultValue: 'UTC', description: 'IANA zone for DAY and MONTH buckets.' })
    timeZone: string,
    @Args('limit', {
      type: () => Int,
      defaultValue: 1000,
      description: 'At most 10,000 rows; ordered by period, then cost.',
    })
    limit: number,
    @Args('org', { type: () => String, nullable: true }) org?: string,
  ): Promise<SpendRow[]> {
    const access = await this.access.forOrg(principal, org, 'read');
    return this.spendService.spend(access, filter, groupBy ?? [], timeZone, limit);
  }
}
