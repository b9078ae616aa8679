import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { Access, OrgRead, OrgWrite } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { AccountsService } from './accounts.service';
import { CreateApiKeyInput } from './dto/accounts.input';
import { ApiKey, CreatedApiKey, Project } from './models/accounts.model';
import { ORG_ARG } from './org-arg';

/** API keys: listed by prefix, created with the secret shown once, revoked. A project key sees and manages its project's keys only. */
@Resolver(() => ApiKey)
export class ApiKeysResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly loaders: LoadersService,
  ) {}

  @Query(() => [ApiKey], { description: 'Keys by prefix; secrets are never stored.' })
  @OrgRead()
  async apiKeys(@Access() access: OrgAccess, @Args(ORG_ARG) _org?: string): Promise<ApiKey[]> {
    return this.accounts.apiKeys(access);
  }

  @Mutation(() => CreatedApiKey)
  @OrgWrite()
  async createApiKey(
    @Access() access: OrgAccess,
    @Args('input') input: CreateApiKeyInput,
    @Args(ORG_ARG) _org?: string,
  ): Promise<CreatedApiKey> {
    const { secret, key } = await this.accounts.createApiKey(access, input.name, input.project, input.scopes);
    return { secret, apiKey: key };
  }

  @Mutation(() => ApiKey)
  @OrgWrite()
  async revokeApiKey(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ApiKey> {
    return this.accounts.revokeApiKey(access, id);
  }

  @ResolveField(() => Project, {
    nullable: true,
    description: 'The project a key is limited to; null for an organization key.',
  })
  project(@Parent() key: ApiKey, @Context('req') req: GraphQLRequest) {
    return key.projectId ? this.loaders.of(req).project.load(key.projectId) : null;
  }
}
