import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { AnomalyFinder } from '@tokenledger/db';
import { Access, OrgRead } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { ORG_ARG } from '../accounts/org-arg';
import { AnomalyFilter, SpendAnomaly } from './models/anomaly.model';

@Resolver(() => SpendAnomaly)
export class AnomaliesResolver {
  constructor(private readonly finder: AnomalyFinder) {}

  @Query(() => [SpendAnomaly], {
    description: 'Unusual spend, from the rollups, strongest first.',
    complexity: 20,
  })
  @OrgRead()
  anomalies(
    @Access() access: OrgAccess,
    @Args('filter') filter: AnomalyFilter,
    @Args('limit', { type: () => Int, defaultValue: 50 }) limit: number,
    @Args(ORG_ARG) _org?: string,
  ): Promise<SpendAnomaly[]> {
    return this.finder.find(access, { ...filter, limit }, new Date());
  }
}
