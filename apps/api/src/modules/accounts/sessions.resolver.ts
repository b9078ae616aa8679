import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { ApiKeyRepository, UsersRepository } from '@tokenledger/db';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
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
    private readonly access: AccessService,
    private readonly users: UsersRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  @Mutation(() => LoginResult, {
    description: 'Log in with email and password; send the token as a bearer token.',
  })
  async login(@Args('email') email: string, @Args('password') password: string): Promise<LoginResult> {
    const { token, expiresAt, userId } = await this.sessions.login(email, password);
    return { token, expiresAt, user: await this.users.requireById(userId) };
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
    if (p.kind === 'user')
      return { user: await this.users.requireById(p.userId), apiKey: null, organizations };
    const key = await this.apiKeys.findById(p.keyId);
    if (!key) throw new TokenledgerError(ErrorCode.Unauthenticated, 'Unknown or revoked API key');
    return { user: null, apiKey: key, organizations };
  }
}
