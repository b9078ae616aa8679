import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import {
  CatalogModel,
  PublishRateVersionInput,
  PublishRateVersionResult,
  Quote,
  QuoteInput,
  RateTableInfo,
} from './rates.model';
import { RatesService } from './rates.service';

const ORG = { name: 'org', type: () => String, nullable: true } as const;

@Resolver()
export class RatesResolver {
  constructor(
    private readonly rates: RatesService,
    private readonly access: AccessService,
  ) {}

  /** The organization whose overrides apply: the caller's, or none (catalog only) for anonymous callers. */
  private async pricingOrg(
    principal: Principal | undefined,
    org: string | undefined,
  ): Promise<string | null> {
    if (!principal && !org) return null;
    return (await this.access.forOrg(principal, org, 'read')).organizationId;
  }

  @Query(() => Quote, {
    description:
      'The price of one hypothetical usage, with its breakdown and the rate version used. Nothing is stored.',
  })
  async quote(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('input') input: QuoteInput,
    @Args(ORG) org?: string,
  ): Promise<Quote> {
    return this.rates.quote(await this.pricingOrg(principal, org), input);
  }

  @Query(() => [CatalogModel], {
    description:
      'The catalog: prices in force and their history, context window, modalities, capabilities, benchmarks.',
    complexity: 20,
  })
  async models(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('search', {
      type: () => String,
      nullable: true,
      description: 'Part of a model, display or provider name.',
    })
    search: string | null,
    @Args('provider', { type: () => String, nullable: true }) provider: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args(ORG) org?: string,
  ): Promise<CatalogModel[]> {
    return this.rates.models(await this.pricingOrg(principal, org), search, provider, first);
  }

  @Query(() => [RateTableInfo], {
    description: "The global catalog tables and this organization's overrides, with every version.",
  })
  async rateTables(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args(ORG) org?: string,
  ): Promise<RateTableInfo[]> {
    return this.rates.rateTables(await this.access.forOrg(principal, org, 'read'));
  }

  @Mutation(() => PublishRateVersionResult, {
    description:
      'Publish a new version of one of your rate tables (negotiated prices, discounts). Starting in the past re-prices the events it covers.',
  })
  async publishRateVersion(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('input') input: PublishRateVersionInput,
    @Args(ORG) org?: string,
  ): Promise<PublishRateVersionResult> {
    const access = await this.access.forOrg(principal, org, 'write');
    const by =
      access.principal.kind === 'user' ? access.principal.email : `api key ${access.principal.prefix}`;
    return this.rates.publish(access, input, by);
  }
}
