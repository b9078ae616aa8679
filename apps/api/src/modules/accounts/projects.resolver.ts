import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { AccountsService } from './accounts.service';
import { CreateProjectInput } from './dto/accounts.input';
import { Project } from './models/accounts.model';
import { ORG_ARG } from './org-arg';

/** An organization's projects. */
@Resolver(() => Project)
export class ProjectsResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly access: AccessService,
  ) {}

  @Query(() => [Project])
  async projects(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args(ORG_ARG) org?: string,
  ): Promise<Project[]> {
    return this.accounts.projects(await this.access.forOrg(principal, org, 'read'));
  }

  @Mutation(() => Project)
  async createProject(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('input') input: CreateProjectInput,
    @Args(ORG_ARG) org?: string,
  ): Promise<Project> {
    return this.accounts.createProject(
      await this.access.forOrg(principal, org, 'write'),
      input.slug,
      input.name,
    );
  }
}
