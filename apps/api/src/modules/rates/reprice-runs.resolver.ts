import { Args, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { PrismaClient } from '@tokenledger/db';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
import { isUuid, type Principal } from '../access/principal';
import { RepriceChangeRecord, RepriceRun, type VersionUse } from './reprice-runs.model';

@Resolver(() => RepriceRun)
export class RepriceRunsResolver {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly access: AccessService,
  ) {}

  @Query(() => [RepriceRun], { description: "This organization's re-pricing runs, newest first." })
  async repriceRuns(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('org', { type: () => String, nullable: true }) org?: string,
  ): Promise<RepriceRun[]> {
    const access = await this.access.forOrg(principal, org, 'read');
    if (first < 1 || first > 200)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be between 1 and 200');
    const runs = await this.prisma.repriceRun.findMany({
      where: { organizationId: access.organizationId },
      orderBy: { createdAt: 'desc' },
      take: first,
    });
    return runs.map((r) => ({ ...r, versionsUsed: r.versionsUsed as unknown as VersionUse[] }));
  }

  @Query(() => RepriceRun, { nullable: true })
  async repriceRun(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('id', { type: () => ID }) id: string,
    @Args('org', { type: () => String, nullable: true }) org?: string,
  ): Promise<RepriceRun | null> {
    const access = await this.access.forOrg(principal, org, 'read');
    if (!isUuid(id)) return null;
    const run = await this.prisma.repriceRun.findFirst({
      where: { id, organizationId: access.organizationId },
    });
    return run ? { ...run, versionsUsed: run.versionsUsed as unknown as VersionUse[] } : null;
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
    return this.prisma.repriceChange.findMany({
      where: { runId: run.id },
      orderBy: { id: 'asc' },
      take: first,
    });
  }
}
