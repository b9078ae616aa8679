import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { AccessService } from '../access/access.service';
import type { Principal, Role } from '../access/principal';
import { AccountsService } from './accounts.service';
import { InviteMemberInput } from './dto/accounts.input';
import { InvitedMember, Member, RoleEnum, User } from './models/accounts.model';
import { ORG_ARG } from './org-arg';

/** Who belongs to an organization, with which role. */
@Resolver(() => Member)
export class MembersResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly access: AccessService,
    private readonly loaders: LoadersService,
  ) {}

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

  @ResolveField(() => User)
  user(@Parent() member: Member, @Context('req') req: GraphQLRequest) {
    return this.loaders.of(req).user.load(member.userId);
  }
}
