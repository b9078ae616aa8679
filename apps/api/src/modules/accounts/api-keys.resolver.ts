import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { AccountsService } from './accounts.service';
import { CreateApiKeyInput } from './dto/accounts.input';
import { ApiKey, CreatedApiKey, Project } from './models/accounts.model';
import { ORG_ARG } from './org-arg';

/** API keys: listed by prefix, created with the secret shown once, revoked. */
@Resolver(() => ApiKey)
export class ApiKeysResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly access: AccessService,
    private readonly loaders: LoadersService,
  ) {}

  @Query(() => [ApiKey], { description: 'Keys by prefix; secrets are never stored.' })
  async apiKeys(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args(ORG_ARG) org?: string,
  ): Promise<ApiKey[]> {
    return this.accounts.apiKeys(await this.access.forOrg(principal, org, 'read'));
  }

  @Mutation(() => CreatedApiKey)
  async createApiKey(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('input') input: CreateApiKeyInput,
    @Args(ORG_ARG) org?: string,
  ): Promise<CreatedApiKey> {
    const { secret, key } = await this.accounts.createApiKey(
      await this.access.forOrg(principal, org, 'write'),
      input.name,
      input.project,
      input.scopes,
    );
    return { secret, apiKey: key };
  }

  @Mutation(() => ApiKey)
  async revokeApiKey(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) org?: string,
  ): Promise<ApiKey> {
    return this.accounts.revokeApiKey(await this.access.forOrg(principal, org, 'write'), id);
  }

  @ResolveField(() => Project, {
    nullable: true,
    description: 'The project a key is limited to; null for an organization key.',
  })
  project(@Parent() key: ApiKey, @Context('req') req: GraphQLRequest) {
    return key.projectId ? this.loaders.of(req).project.load(key.projectId) : null;
  }
}
