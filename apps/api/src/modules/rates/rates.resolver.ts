import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, OptionalAccess, OrgWideRead, OrgWideWrite, Policy } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
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

/** The public catalog: anyone; a caller with credentials sees their organization's overrides too. */
const Catalog = () => Policy({ org: 'read', projectKeys: 'own', anonymous: 'catalog' });

@Resolver()
export class RatesResolver {
  constructor(private readonly rates: RatesService) {}

  @Query(() => Quote, {
    description:
      'The price of one hypothetical usage, with its breakdown and the rate version used. Nothing is stored.',
  })
  @Catalog()
  async quote(
    @OptionalAccess() access: OrgAccess | null,
    @Args('input') input: QuoteInput,
    @Args(ORG) _org?: string,
  ): Promise<Quote> {
    return this.rates.quote(access ? { id: access.organizationId, slug: access.slug } : null, input);
  }

  @Query(() => [CatalogModel], {
    description:
      'The catalog: prices in force and their history, context window, modalities, capabilities, benchmarks.',
    complexity: 20,
  })
  @Catalog()
  async models(
    @OptionalAccess() access: OrgAccess | null,
    @Args('search', {
      type: () => String,
      nullable: true,
      description: 'Part of a model, display or provider name.',
    })
    search: string | null,
    @Args('provider', { type: () => String, nullable: true }) provider: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args(ORG) _org?: string,
  ): Promise<CatalogModel[]> {
    return this.rates.models(access?.organizationId ?? null, search, provider, first);
  }

  @Query(() => [RateTableInfo], {
    description: "The global catalog tables and this organization's overrides, with every version.",
  })
  @OrgWideRead()
  async rateTables(@Access() access: OrgAccess, @Args(ORG) _org?: string): Promise<RateTableInfo[]> {
    return this.rates.rateTables(access);
  }

  @Mutation(() => PublishRateVersionResult, {
    description:
      'Publish a new version of one of your rate tables (negotiated prices, discounts). Starting in the past re-prices the events it covers.',
  })
  @OrgWideWrite()
  async publishRateVersion(
    @Access() access: OrgAccess,
    @Args('input') input: PublishRateVersionInput,
    @Args(ORG) _org?: string,
  ): Promise<PublishRateVersionResult> {
    const by =
      access.principal.kind === 'user' ? access.principal.email : `api key ${access.principal.prefix}`;
    return this.rates.publish(access, input, by);
  }
}
