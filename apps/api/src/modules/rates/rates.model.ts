import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar, JSONScalar } from '../../graphql/scalars';
import { TokenCountFields } from '../../graphql/token-fields';
import { CostComponent, PricingStatusEnum } from '../events/events.model';
import { RepriceRun } from './reprice-runs.model';

@ObjectType()
export class RateVersionRef {
  @Field(() => ID) id!: string;
  @Field({ description: 'The table slug, e.g. genai-prices or an override of yours.' }) table!: string;
  @Field({ description: 'The table name, for display.' }) tableName!: string;
  @Field(() => Int) version!: number;
  @Field() effectiveFrom!: Date;
}

@InputType()
export class QuoteUsageInput extends TokenCountFields('input', { describeTotals: true }) {}

@InputType({ description: 'One hypothetical model call, as API.md describes an event.' })
export class QuoteInput {
  @Field() provider!: string;
  @Field() model!: string;
  @Field(() => QuoteUsageInput) usage!: QuoteUsageInput;
  @Field(() => Date, { nullable: true, description: 'When it happens (prices in force then); default now.' })
  occurredAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'standard | batch | flex | priority' }) serviceTier?:
    string | null;
}

@ObjectType({ description: 'The price of one hypothetical usage; nothing is stored.' })
export class Quote {
  @Field(() => PricingStatusEnum) status!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'USD; null unless PRICED.' })
  totalUsd!: Decimal | null;
  @Field(() => [CostComponent]) breakdown!: CostComponent[];
  @Field(() => RateVersionRef, { nullable: true }) rateVersion!: RateVersionRef | null;
  @Field(() => String, { nullable: true }) pricedModel!: string | null;
  @Field(() => String, { nullable: true }) pricedProvider!: string | null;
  @Field(() => [String]) flags!: string[];
  @Field({
    description:
      'Whose prices were used: "catalog" (the global tables only: no credentials or no organization) or "organization <slug>" (its tables first, then the catalog).',
  })
  pricesFrom!: string;
}

@ObjectType({
  description: 'How a price in force was found: the rate that prices the model, and a discount above it.',
})
export class PriceDerivation {
  @Field(() => RateVersionRef, { description: 'The version whose price card prices the model.' })
  base!: RateVersionRef;
  @Field(() => JSONScalar, { description: 'The base card as that version states it.' }) basePrices!: unknown;
  @Field(() => RateVersionRef, {
    nullable: true,
    description: 'The override version holding a discount, if any.',
  })
  discount!: RateVersionRef | null;
  @Field(() => DecimalScalar, { nullable: true }) discountPercent!: Decimal | null;
  @Field({ description: 'In words, e.g. "genai-prices v3, less 20% (overrides v1)".' }) summary!: string;
}

@ObjectType({ description: 'A rate as one version of one table states it.' })
export class ModelPrice {
  @Field(() => RateVersionRef) rateVersion!: RateVersionRef;
  @Field() source!: string;
  @Field(() => JSONScalar, {
    description: 'The rate card: USD per million tokens by kind, tiers, time windows, service tiers.',
  })
  prices!: unknown;
  @Field(() => JSONScalar, { description: 'Which reported model names it prices.' }) match!: unknown;
  @Field(() => PriceDerivation, {
    nullable: true,
    description:
      'For the price in force: how it was found (base table, override, discount). prices is then the effective card, discount applied.',
  })
  derivation!: PriceDerivation | null;
}

@ObjectType({ description: 'A published benchmark score (MARKET.md), the quality side of a switch.' })
export class Benchmark {
  @Field({
    description: 'e.g. swe-bench-pro, terminal-bench-2.0, osworld-verified, codeforces, gpqa-diamond',
  })
  name!: string;
  @Field(() => Float, { nullable: true, description: 'Null when the model cannot take the benchmark (n/a).' })
  score!: number | null;
  @Field(() => String, { nullable: true, description: '"%" or "rating"' }) unit!: string | null;
  @Field({ description: 'True for figures published as approximate (~).' }) approximate!: boolean;
}

@ObjectType({ description: 'A model in the catalog: what it costs and what it can do.' })
export class CatalogModel {
  @Field() provider!: string;
  @Field() model!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Int, { nullable: true }) contextWindow!: number | null;
  @Field(() => Int, { nullable: true }) maxOutputTokens!: number | null;
  @Field(() => [String]) inputModalities!: string[];
  @Field(() => [String]) outputModalities!: string[];
  @Field(() => [String], { description: 'e.g. tools, computer-use, reasoning' }) capabilities!: string[];
  @Field(() => [Benchmark]) benchmarks!: Benchmark[];
  @Field(() => ModelPrice, {
    nullable: true,
    description:
      'The price that applies now, effective: your overrides first, a discount applied to every price (derivation says how).',
  })
  priceInForce!: ModelPrice | null;
  @Field(() => [ModelPrice], { description: 'Every version that stated a rate for it, oldest first.' })
  priceHistory!: ModelPrice[];
}

@ObjectType()
export class RateTableVersionInfo {
  @Field(() => ID) id!: string;
  @Field(() => Int) version!: number;
  @Field() effectiveFrom!: Date;
  @Field() publishedAt!: Date;
  @Field(() => String, { nullable: true }) publishedBy!: string | null;
  @Field() source!: string;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => Int) rateCount!: number;
}

@ObjectType({ description: "The global catalog tables and your organization's overrides." })
export class RateTableInfo {
  @Field(() => ID) id!: string;
  @Field() slug!: string;
  @Field() name!: string;
  @Field({ description: 'catalog (global) or override (yours)' }) kind!: string;
  @Field({ description: "True for your organization's tables." }) own!: boolean;
  @Field(() => Int, {
    description: 'Lower is consulted first; equal priorities go by slug (alphabetical). Yours before global.',
  })
  priority!: number;
  @Field(() => Int, {
    description:
      'Where the pricer consults this table for your events: 1 first. The first table with a price for a model wins (a discount applies to the price found below it).',
  })
  position!: number;
  @Field(() => [RateTableVersionInfo]) versions!: RateTableVersionInfo[];
}

@InputType()
export class RateKeyInput {
  @Field() provider!: string;
  @Field() model!: string;
}

@InputType({ description: "A new version of one of your organization's rate tables (created on first use)." })
export class PublishRateVersionInput {
  @Field({
    defaultValue: 'overrides',
    description:
      'Table slug; default "overrides", the organization\'s table for negotiated prices and discounts.',
  })
  table!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field({ description: 'When it starts to price events (their own time). In the past: re-prices them.' })
  effectiveFrom!: Date;
  @Field(() => [JSONScalar], {
    description: 'Rates: {provider, model, match, prices, source?} (docs/PRICING.md).',
  })
  rates!: unknown[];
  @Field({
    defaultValue: false,
    description: "Start from the table's latest version and add or replace these rates.",
  })
  merge!: boolean;
  @Field(() => [RateKeyInput], { nullable: true, description: 'With merge: rates to drop.' }) remove?:
    RateKeyInput[] | null;
  @Field({
    defaultValue: false,
    description:
      "Without merge, the rates given are the whole new version. A publication that would leave out rates of the table's latest version is refused (naming them) unless replace is true.",
  })
  replace!: boolean;
  @Field(() => Int, {
    nullable: true,
    description:
      "Sets the table's priority: your tables are consulted before the global ones, lower priority first, equal priorities by slug (alphabetical).",
  })
  priority?: number | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@ObjectType()
export class RateChanges {
  @Field(() => Int) added!: number;
  @Field(() => Int) changed!: number;
  @Field(() => Int) removed!: number;
  @Field(() => Int) unchanged!: number;
}

@ObjectType()
export class PublishRateVersionResult {
  @Field(() => RateTableVersionInfo) version!: RateTableVersionInfo;
  @Field() published!: boolean;
  @Field(() => RateChanges) changes!: RateChanges;
  @Field(() => RepriceRun, { nullable: true, description: 'Queued when the version starts in the past.' })
  repriceRun!: RepriceRun | null;
}
