import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { Policy } from '../../graphql/policy';
import type { Principal } from '../access/principal';
import { AccountsService } from './accounts.service';
import { CreateOrganizationInput } from './dto/accounts.input';
import { Organization, Project } from './models/accounts.model';

/** The organizations a caller belongs to, and creating one. */
@Resolver(() => Organization)
export class OrganizationsResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly loaders: LoadersService,
  ) {}

  @Query(() => [Organization], { description: 'The organizations the caller belongs to.' })
  @Policy('principal')
  async organizations(@CurrentPrincipal() principal: Principal): Promise<Organization[]> {
    return this.accounts.organizationsOf(principal);
  }

  @Mutation(() => Organization, { description: 'Create an organization; the caller becomes its owner.' })
  @Policy('session')
  async createOrganization(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateOrganizationInput,
  ): Promise<Organization> {
    return this.accounts.createOrganization(principal, input.slug, input.name);
  }

  @ResolveField(() => [Project], { description: 'The projects the caller can see (a project key: its own).' })
  async projects(@Parent() org: Organization, @Context('req') req: GraphQLRequest) {
    const projects = await this.loaders.of(req).projectsOfOrg.load(org.id);
    // Organizations are built for their caller (organizationsOf): a project key's carries its project.
    return org.onlyProjectId ? projects.filter((p) => p.id === org.onlyProjectId) : projects;
  }
}
