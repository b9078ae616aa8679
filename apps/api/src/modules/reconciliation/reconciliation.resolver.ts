import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, OrgWideRead, OrgWideWrite } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { ORG_ARG } from '../accounts/org-arg';
import {
  ProviderConnection,
  ProviderCoverage,
  ProviderMapping,
  ProviderMappingKindEnum,
  ReconcileImport,
  Reconciliation,
  ReconcileProviderEnum,
} from './reconciliation.model';
import { ReconciliationService } from './reconciliation.service';

const PROVIDER = { name: 'provider', type: () => ReconcileProviderEnum } as const;
const MONTH = { name: 'month', type: () => String, description: '"2026-10" (UTC days)' } as const;

/**
 * Reconciliation against the providers' usage and cost reports covers the whole organization:
 * members and read keys see it, admins connect providers, map projects and import; project keys
 * are refused (docs/SECURITY.md). The admin key is an input only.
 */
@Resolver(() => Reconciliation)
export class ReconciliationResolver {
  constructor(private readonly service: ReconciliationService) {}

  @Query(() => Reconciliation, {
    description:
      "A month of a provider's imported usage and cost reports against what Tokenledger priced, per day × model × project, with named explanations.",
  })
  @OrgWideRead()
  async reconciliation(
    @Access() access: OrgAccess,
    @Args(MONTH) month: string,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Reconciliation> {
    return this.service.reconciliation(access, month, provider);
  }

  @Query(() => [ProviderCoverage], {
    description:
      'For each provider with imported usage: the share of its tokens Tokenledger saw in the month.',
  })
  @OrgWideRead()
  async reconciliationCoverage(
    @Access() access: OrgAccess,
    @Args(MONTH) month: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ProviderCoverage[]> {
    return this.service.coverage(access, month);
  }

  @Query(() => [ProviderConnection], { description: 'Connected provider admin APIs (never their keys).' })
  @OrgWideRead()
  async providerConnections(
    @Access() access: OrgAccess,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ProviderConnection[]> {
    return this.service.connections(access);
  }

  @Query(() => [ProviderMapping])
  @OrgWideRead()
  async providerMappings(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ProviderMapping[]> {
    return this.service.mappings(access, provider);
  }

  @Mutation(() => ProviderConnection, {
    description:
      "Connects (or reconnects) a provider's organization admin API (admins). The admin key is sealed at rest and never returned; changing the base URL needs the key again.",
  })
  @OrgWideWrite()
  async setProviderConnection(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args('adminKey', { description: 'Write-only.' }) adminKey: string,
    @Args('baseUrl', {
      type: () => String,
      nullable: true,
      description: "Default: the provider's public API.",
    })
    baseUrl?: string | null,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ProviderConnection> {
    return this.service.setConnection(access, provider, adminKey, baseUrl);
  }

  @Mutation(() => Boolean, {
    description: 'Removes a provider connection and its key (admins); imported data stays.',
  })
  @OrgWideWrite()
  async removeProviderConnection(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.service.removeConnection(access, provider);
  }

  @Mutation(() => ProviderMapping, {
    description: "Maps a provider's project, workspace or API key to a Tokenledger project (admins).",
  })
  @OrgWideWrite()
  async setProviderMapping(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args('kind', { type: () => ProviderMappingKindEnum }) kind: ProviderMappingKindEnum,
    @Args('externalId') externalId: string,
    @Args('project', { description: 'The Tokenledger project slug.' }) project: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ProviderMapping> {
    return this.service.setMapping(access, provider, kind, externalId, project);
  }

  @Mutation(() => Boolean)
  @OrgWideWrite()
  async removeProviderMapping(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args('kind', { type: () => ProviderMappingKindEnum }) kind: ProviderMappingKindEnum,
    @Args('externalId') externalId: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.service.removeMapping(access, provider, kind, externalId);
  }

  @Mutation(() => Boolean, {
    description:
      "Queues an import of a month of the provider's usage and cost reports through its API (admins).",
  })
  @OrgWideWrite()
  async requestReconciliationImport(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args(MONTH) month: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<boolean> {
    return this.service.requestImport(access, provider, month);
  }

  @Mutation(() => ReconcileImport, {
    description:
      'Imports usage and cost pages as the provider APIs return them (JSON array, JSON Lines, or {"usage": [...], "costs": [...]}) (admins). Days it covers replace earlier imports.',
  })
  @OrgWideWrite()
  async importReconciliationFile(
    @Access() access: OrgAccess,
    @Args(PROVIDER) provider: ReconcileProviderEnum,
    @Args('content') content: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<ReconcileImport> {
    return this.service.importFile(access, provider, content);
  }
}
