import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, OrgRead, OrgWideWrite } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { AccountsService } from './accounts.service';
import { CreateProjectInput } from './dto/accounts.input';
import { Project } from './models/accounts.model';
import { ORG_ARG } from './org-arg';

/** An organization's projects (a project key sees its own only). */
@Resolver(() => Project)
export class ProjectsResolver {
  constructor(private readonly accounts: AccountsService) {}

  @Query(() => [Project])
  @OrgRead()
  async projects(@Access() access: OrgAccess, @Args(ORG_ARG) _org?: string): Promise<Project[]> {
    return this.accounts.projects(access);
  }

  @Mutation(() => Project)
  @OrgWideWrite()
  async createProject(
    @Access() access: OrgAccess,
    @Args('input') input: CreateProjectInput,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Project> {
    return this.accounts.createProject(access, input.slug, input.name);
  }
}
