import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoadersService } from '../../graphql/loaders.service';
import { PrincipalGuard } from '../../graphql/principal.guard';
import { AuthModule } from '../auth/auth.module';
import {
  AccountsResolver,
  ApiKeyFieldsResolver,
  MemberFieldsResolver,
  OrganizationFieldsResolver,
} from './accounts.resolver';
import { AccountsService } from './accounts.service';
import { SessionService } from './session.service';

@Module({
  imports: [AuthModule],
  providers: [
    SessionService,
    AccountsService,
    LoadersService,
    AccountsResolver,
    OrganizationFieldsResolver,
    ApiKeyFieldsResolver,
    MemberFieldsResolver,
    { provide: APP_GUARD, useClass: PrincipalGuard },
  ],
  exports: [SessionService, LoadersService],
})
export class AccountsModule {}
