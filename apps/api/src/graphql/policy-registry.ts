import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { POLICY_METADATA, type OperationPolicy } from './policy';

// @nestjs/graphql's own metadata keys (graphql.constants): what @Query/@Mutation record on a method.
const RESOLVER_TYPE_METADATA = 'graphql:resolver_type';
const RESOLVER_NAME_METADATA = 'graphql:resolver_name';
const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'];

/**
 * Every root operation's policy, read from the resolvers at boot. The application refuses to
 * start when an operation of the served schema has none: a new operation cannot forget it.
 */
@Injectable()
export class PolicyRegistry implements OnApplicationBootstrap {
  private readonly policies = new Map<string, OperationPolicy | undefined>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly schemaHost: GraphQLSchemaHost,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = prototype[method];
        if (typeof fn !== 'function') continue;
        const type = Reflect.getMetadata(RESOLVER_TYPE_METADATA, fn) as string | undefined;
        if (!type || !ROOT_TYPES.includes(type)) continue;
        const name = (Reflect.getMetadata(RESOLVER_NAME_METADATA, fn) as string | undefined) ?? method;
        this.policies.set(
          `${type}.${name}`,
          Reflect.getMetadata(POLICY_METADATA, fn) as OperationPolicy | undefined,
        );
      }
    }
    const missing = this.operations().filter((op) => !this.policies.get(op));
    if (missing.length > 0)
      throw new Error(
        `GraphQL operations without an authorization policy (@Policy, docs/SECURITY.md): ${missing.join(', ')}`,
      );
  }

  /** `Query.spend`, `Mutation.inviteMember`, … of the served schema. */
  operations(): string[] {
    const { schema } = this.schemaHost;
    return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) =>
      t ? Object.keys(t.getFields()).map((f) => `${t.name}.${f}`) : [],
    );
  }

  policyOf(operation: string): OperationPolicy | undefined {
    return this.policies.get(operation);
  }
}
