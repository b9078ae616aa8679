import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AuthModule } from '../modules/auth/auth.module';
import { graphqlOptions } from './graphql.options';
import { LoadersService } from './loaders.service';
import { PolicyRegistry } from './policy-registry';
import { PrincipalGuard } from './principal.guard';

/**
 * GraphQL for the whole app: the Apollo server, the guard that authenticates the caller and
 * enforces every operation's policy, the registry that refuses to boot when an operation has
 * none, and the per-request data loaders the resolvers share.
 */
@Global()
@Module({
  imports: [GraphQLModule.forRoot<ApolloDriverConfig>(graphqlOptions()), AuthModule, DiscoveryModule],
  providers: [LoadersService, PolicyRegistry, { provide: APP_GUARD, useClass: PrincipalGuard }],
  exports: [LoadersService, PolicyRegistry],
})
export class GraphQLAppModule {}
