import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type GraphQLRequest } from '../../graphql/graphql-context';
import { LoadersService } from '../../graphql/loaders.service';
import { Access, OrgWideRead, OrgWideWrite, Policy } from '../../graphql/policy';
import type { OrgAccess, Principal, Role } from '../access/principal';
import { AccountsService } from './accounts.service';
import { InviteMemberInput } from './dto/accounts.input';
import {
  AcceptedInvitation,
  Invitation,
  InvitedMember,
  Member,
  RoleEnum,
  User,
} from './models/accounts.model';
import { ORG_ARG } from './org-arg';

/**
 * Who belongs to an organization, with which role, and invitations to join it. All of it is
 * organization-wide: project keys are refused.
 */
@Resolver(() => Member)
export class MembersResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly loaders: LoadersService,
  ) {}

  @Query(() => [Member])
  @OrgWideRead()
  async members(@Access() access: OrgAccess, @Args(ORG_ARG) _org?: string): Promise<Member[]> {
    return this.accounts.members(access);
  }

  @Mutation(() => InvitedMember, {
    description:
      'Invite an email to join: a pending invitation the invitee accepts (acceptInvitation). The answer is the same whether or not the email has an account.',
  })
  @OrgWideWrite()
  async inviteMember(
    @Access() access: OrgAccess,
    @Args('input') input: InviteMemberInput,
    @Args(ORG_ARG) _org?: string,
  ): Promise<InvitedMember> {
    return this.accounts.inviteMember(access, input.email, input.role);
  }

  @Query(() => [Invitation], { description: "The organization's pending invitations." })
  @OrgWideRead()
  async invitations(@Access() access: OrgAccess, @Args(ORG_ARG) _org?: string): Promise<Invitation[]> {
    return this.accounts.invitationsOf(access);
  }

  @Mutation(() => Boolean, { description: 'Withdraw a pending invitation.' })
  @OrgWideWrite()
  async revokeInvitation(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.accounts.revokeInvitation(access, id);
  }

  @Query(() => [Invitation], { description: 'The pending invitations addressed to you (logged in).' })
  @Policy('session')
  async myInvitations(@CurrentPrincipal() principal: Principal): Promise<Invitation[]> {
    return this.accounts.myInvitations(principal);
  }

  @Mutation(() => AcceptedInvitation, {
    description:
      'Join an organization you were invited to. Logged in: by id (myInvitations) or token, for your own email. Without an account: with the token, your name and a password (at least 10 characters); the account is created and logged in.',
  })
  @Policy('public')
  async acceptInvitation(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('id', { type: () => ID, nullable: true }) id: string | null,
    @Args('token', { type: () => String, nullable: true }) token: string | null,
    @Args('name', { type: () => String, nullable: true }) name: string | null,
    @Args('password', { type: () => String, nullable: true }) password: string | null,
  ): Promise<AcceptedInvitation> {
    return this.accounts.acceptInvitation(principal, { id, token, name, password });
  }

  @Mutation(() => Member)
  @OrgWideWrite()
  async updateMemberRole(
    @Access() access: OrgAccess,
    @Args('userId', { type: () => ID }) userId: string,
    @Args('role', { type: () => RoleEnum }) role: Role,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Member> {
    return this.accounts.updateMemberRole(access, userId, role);
  }

  @Mutation(() => Boolean)
  @OrgWideWrite()
  async removeMember(
    @Access() access: OrgAccess,
    @Args('userId', { type: () => ID }) userId: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.accounts.removeMember(access, userId);
  }

  @ResolveField(() => User)
  user(@Parent() member: Member, @Context('req') req: GraphQLRequest) {
    return this.loaders.of(req).user.load(member.userId);
  }
}
