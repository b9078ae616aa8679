import { Args, Info, Int, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Access, OrgRead } from '../../graphql/policy';
import { selectedFields } from '../../graphql/selection';
import type { OrgAccess } from '../access/principal';
import { SpendDimension, SpendFilter } from './dto/spend.input';
import { SpendRow } from './models/spend-row.model';
import { SpendService } from './spend.service';

@Resolver(() => SpendRow)
export class SpendResolver {
  constructor(private readonly spendService: SpendService) {}

  @Query(() => [SpendRow], {
    description:
      'Cost, tokens by kind and requests for a time range, grouped by any dimensions. Read from rollups.',
    complexity: 10,
  })
  @OrgRead()
  async spend(
    @Access() access: OrgAccess,
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
    @Args('tagKey', {
      type: () => String,
      nullable: true,
      description: 'The tag key whose values TAG groups by.',
    })
    tagKey: string | null,
    @Info() info: GraphQLResolveInfo,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<SpendRow[]> {
    return this.spendService.spend(
      access,
      filter,
      groupBy ?? [],
      timeZone,
      limit,
      tagKey,
      selectedFields(info),
    );
  }
}
