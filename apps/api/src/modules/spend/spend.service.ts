import { Inject, Injectable } from '@nestjs/common';
import { ANALYTICS_STORE, type AnalyticsStore, type SpendPlan, type SpendRequest } from '@tokenledger/db';
import type { OrgAccess } from '../access/principal';
import type { SpendDimension, SpendFilter } from './dto/spend.input';
import type { SpendRow } from './models/spend-row.model';

export type { SpendPlan } from '@tokenledger/db';
export { MAX_SPEND_ROWS } from '@tokenledger/db';

/** GraphQL `spend` over the analytics store: rollups only, planned in libs/db (spend-plan.ts). */
@Injectable()
export class SpendService {
  constructor(@Inject(ANALYTICS_STORE) private readonly store: AnalyticsStore) {}

  spend(
    access: OrgAccess,
    filter: SpendFilter,
    groupBy: SpendDimension[],
    timeZone: string,
    limit: number,
    tagKey: string | null = null,
    fields: ReadonlySet<string> | null = null,
  ): Promise<SpendRow[]> {
    return this.store.spend(access, { ...request(filter, groupBy, timeZone, limit, tagKey), fields });
  }

  /** The plan `spend` would run (tests and benchmarks). */
  plan(
    access: OrgAccess,
    filter: SpendFilter,
    groupBy: SpendDimension[],
    timeZone: string,
    limit: number,
    tagKey: string | null = null,
  ): Promise<SpendPlan> {
    return this.store.planSpend(access, request(filter, groupBy, timeZone, limit, tagKey));
  }
}

function request(
  filter: SpendFilter,
  groupBy: SpendDimension[],
  timeZone: string,
  limit: number,
  tagKey: string | null,
): SpendRequest {
  return {
    from: filter.from,
    to: filter.to,
    groupBy,
    timeZone,
    limit,
    projects: filter.projects,
    tags: filter.tags,
    tagKey,
    values: {
      provider: filter.providers,
      model: filter.models,
      feature: filter.features,
      customer: filter.customers,
      environment: filter.environments,
    },
  };
}
