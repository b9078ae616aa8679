import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { PrismaClient } from '@tokenledger/db';
import { CurrentPrincipal, type GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { AccessService } from '../access/access.service';
import type { Principal, Role } from '../access/principal';
import { AccountsService } from './accounts.service';
import {
  CreateApiKeyInput,
  CreateOrganizationInput,
  CreateProjectInput,
  InviteMemberInput,
} from './dto/accounts.input';
import {
  ApiKey,
  CreatedApiKey,
  InvitedMember,
  LoginResult,
  Member,
  Organization,
  Project,
  RoleEnum,
  User,
  Viewer,
} from './models/accounts.model';
import { SessionService } from './session.service';

const ORG_ARG = {
  name: 'org',
  type: () => String,
  nullable: true,
  description: 'Organization slug; may be omitted when the caller has one.',
} as const;

@Resolver()
export class AccountsResolver {
  constructor(
    private readonly sessions: SessionService,
    private readonly accounts: AccountsService,
    private readonly access: AccessService,
    private readonly prisma: PrismaClient,
  ) {}

  @Mutation(() => LoginResult, {
    description: 'Log in with email and password; send the token as a bearer token.',
  })
  async login(@Args('email') email: string, @Args('password') password: string): Promise<LoginResult> {
    const { token, expiresAt, userId } = await this.sessions.login(email, password);
    const user = await this.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    return { token, expiresAt, user };
  }

  @Mutation(() => Boolean, { description: 'End this session.' })
  async logout(@CurrentPrincipal() principal: Principal | undefined): Promise<boolean> {
    const p = this.access.requirePrincipal(principal);
    if (p.kind !== 'user')
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        'API keys do not log out; revoke the key instead',
      );
    await this.sessions.logout(p.sessionId);
    return true;
  }

  @Query(() => Viewer, { description: 'Who is calling, and in which organizations.' })
  async me(@CurrentPrincipal() principal: Principal | undefined): Promise<Viewer> {
    const p = this.access.requirePrincipal(principal);
    const organizations = await this.accounts.organizationsOf(p);
    if (p.kind === 'user') {
      return {
        user: await this.prisma.user.findUniqueOrThrow({ where: { id: p.userId } }),
        apiKey: null,
        organizations,
      };
    }
    const key = await this.prisma.apiKey.findUniqueOrThrow({ where: { id: p.keyId } });
    return { user: null, apiKey: key, organizations };
  }

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

  @Query(() => [Member])
  async members(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args(ORG_ARG) org?: string,
  ): Promise<Member[]> {
    return this.accounts.members(await this.access.forOrg(principal, org, 'read'));
  }

  @Mutation(() => InvitedMember, {
    description: 'Add a member; creates the user with a one-time password when new.',
  })
  async inviteMember(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('input') input: InviteMemberInput,
    @Args(ORG_ARG) org?: string,
  ): Promise<InvitedMember> {
    return this.accounts.inviteMember(
      await this.access.forOrg(principal, org, 'write'),
      input.email,
      input.name,
      input.role,
    );
  }

  @Mutation(() => Member)
  async updateMemberRole(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('userId', { type: () => ID }) userId: string,
    @Args('role', { type: () => RoleEnum }) role: Role,
    @Args(ORG_ARG) org?: string,
  ): Promise<Member> {
    return this.accounts.updateMemberRole(await this.access.forOrg(principal, org, 'write'), userId, role);
  }

  @Mutation(() => Boolean)
  async removeMember(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('userId', { type: () => ID }) userId: string,
    @Args(ORG_ARG) org?: string,
  ): Promise<boolean> {
    return this.accounts.removeMember(await this.access.forOrg(principal, org, 'write'), userId);
  }

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
}

@Resolver(() => Organization)
export class OrganizationFieldsResolver {
  constructor(private readonly loaders: LoadersService) {}

  @ResolveField(() => [Project])
  projects(@Parent() org: Organization, @Context('req') req: GraphQLRequest) {
    return this.loaders.of(req).projectsOfOrg.load(org.id);
  }
}

@Resolver(() => ApiKey)
export class ApiKeyFieldsResolver {
  constructor(private readonly loaders: LoadersService) {}

  @ResolveField(() => Project, {
    nullable: true,
    description: 'The project a key is limited to; null for an organization key.',
  })
  project(@Parent() key: ApiKey, @Context('req') req: GraphQLRequest) {
    return key.projectId ? this.loaders.of(req).project.load(key.projectId) : null;
  }
}

@Resolver(() => Member)
export class MemberFieldsResolver {
  constructor(private readonly loaders: LoadersService) {}

  @ResolveField(() => User)
  user(@Parent() member: Member, @Context('req') req: GraphQLRequest) {
    return this.loaders.of(req).user.load(member.userId);
  }
}
