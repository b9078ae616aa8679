import { Args, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { RepriceRunsRepository } from '@tokenledger/db';
import { Access, OrgWideRead } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { RepriceChangeRecord, RepriceRun } from './reprice-runs.model';

@Resolver(() => RepriceRun)
export class RepriceRunsResolver {
  constructor(private readonly runs: RepriceRunsRepository) {}

  @Query(() => [RepriceRun], { description: "This organization's re-pricing runs, newest first." })
  @OrgWideRead()
  async repriceRuns(
    @Access() access: OrgAccess,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<RepriceRun[]> {
    if (first < 1 || first > 200)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be between 1 and 200');
    return this.runs.list(access.organizationId, first);
  }

  @Query(() => RepriceRun, { nullable: true })
  @OrgWideRead()
  async repriceRun(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<RepriceRun | null> {
    return this.runs.find(access.organizationId, id);
  }

  @ResolveField(() => [RepriceChangeRecord], {
    description: 'The events it changed, with before and after.',
    complexity: 20,
  })
  async changes(
    @Parent() run: RepriceRun,
    @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
  ): Promise<RepriceChangeRecord[]> {
    if (first < 1 || first > 1000)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be between 1 and 1000');
    return this.runs.changes(run.id, first);
  }
}
