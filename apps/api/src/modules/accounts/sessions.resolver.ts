import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { ApiKeyRepository, UsersRepository } from '@tokenledger/db';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { Policy } from '../../graphql/policy';
import type { Principal } from '../access/principal';
import { AccountsService } from './accounts.service';
import { LoginResult, Viewer } from './models/accounts.model';
import { SessionService } from '../auth/session.service';

/** Logging in and out, and who is calling. */
@Resolver()
export class SessionsResolver {
  constructor(
    private readonly sessions: SessionService,
    private readonly accounts: AccountsService,
    private readonly users: UsersRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  @Mutation(() => LoginResult, {
    description: 'Log in with email and password; send the token as a bearer token.',
  })
  @Policy('public')
  async login(@Args('email') email: string, @Args('password') password: string): Promise<LoginResult> {
    const { token, expiresAt, userId } = await this.sessions.login(email, password);
    return { token, expiresAt, user: await this.users.requireById(userId) };
  }

  @Mutation(() => Boolean, { description: 'End this session (API keys do not log out: revoke them).' })
  @Policy('session')
  async logout(@CurrentPrincipal() principal: Principal): Promise<boolean> {
    if (principal.kind === 'user') await this.sessions.logout(principal.sessionId);
    return true;
  }

  @Query(() => Viewer, { description: 'Who is calling, and in which organizations.' })
  @Policy('principal')
  async me(@CurrentPrincipal() principal: Principal): Promise<Viewer> {
    const p = principal;
    const organizations = await this.accounts.organizationsOf(p);
    if (p.kind === 'user')
      return { user: await this.users.requireById(p.userId), apiKey: null, organizations };
    const key = await this.apiKeys.findById(p.keyId);
    if (!key) throw new TokenledgerError(ErrorCode.Unauthenticated, 'Unknown or revoked API key');
    return { user: null, apiKey: key, organizations };
  }
}
