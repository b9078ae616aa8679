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
    description: 'The rate that prices it now (your overrides first).',
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
  @Field(() => Int, { description: 'Lower is consulted first.' }) priority!: number;
  @Field(() => [RateTableVersionInfo]) versions!: RateTableVersionInfo[];
}

@InputType()
export class RateKeyInput {
  @Field() provider!: string;
  @Field() model!: string;
}

@InputType({ description: "A new version of one of your organization's rate tables (created on first use)." })
export class PublishRateVersionInput {
  @Field({ description: 'Table slug, e.g. "negotiated".' }) table!: string;
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
