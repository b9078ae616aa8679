import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AuthModule } from '../modules/auth/auth.module';
import { graphqlOptions } from './graphql.options';
import { LoadersService } from './loaders.service';
import { PrincipalGuard } from './principal.guard';

/**
 * GraphQL for the whole app: the Apollo server, the guard that resolves the caller of every
 * operation, and the per-request data loaders the resolvers share.
 */
@Global()
@Module({
  imports: [GraphQLModule.forRoot<ApolloDriverConfig>(graphqlOptions()), AuthModule],
  providers: [LoadersService, { provide: APP_GUARD, useClass: PrincipalGuard }],
  exports: [LoadersService],
})
export class GraphQLAppModule {}
