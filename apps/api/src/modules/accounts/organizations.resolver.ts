import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { AccountsService } from './accounts.service';
import { CreateOrganizationInput } from './dto/accounts.input';
import { Organization, Project } from './models/accounts.model';

/** The organizations a caller belongs to, and creating one. */
@Resolver(() => Organization)
export class OrganizationsResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly access: AccessService,
    private readonly loaders: LoadersService,
  ) {}

  @Query(() => [Organization], { description: 'The organizations the caller belongs to.' })
  async organizations(@CurrentPrincipal() principal: Principal | undefined): Promise<Organization[]> {
    return this.accounts.organizationsOf(this.access.requirePrincipal(principal));
  }

  @Mutation(() => Organization, { description: 'Create an organization; the caller becomes its owner.' })
  async createOrganization(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('input') input: CreateOrganizationInput,
  ): Promise<Organization> {
    return this.accounts.createOrganization(this.access.requirePrincipal(principal), input.slug, input.name);
  }

  @ResolveField(() => [Project])
  projects(@Parent() org: Organization, @Context('req') req: GraphQLRequest) {
    return this.loaders.of(req).projectsOfOrg.load(org.id);
  }
}
