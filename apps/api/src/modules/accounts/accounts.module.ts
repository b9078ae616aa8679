import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AccountsService } from './accounts.service';
import { ApiKeysResolver } from './api-keys.resolver';
import { MembersResolver } from './members.resolver';
import { OrganizationsResolver } from './organizations.resolver';
import { ProjectsResolver } from './projects.resolver';
import { SessionsResolver } from './sessions.resolver';

/** Organizations, projects, members, API keys and sessions. */
@Module({
  imports: [AuthModule],
  providers: [
    AccountsService,
    SessionsResolver,
    OrganizationsResolver,
    ProjectsResolver,
    MembersResolver,
    ApiKeysResolver,
  ],
})
export class AccountsModule {}
