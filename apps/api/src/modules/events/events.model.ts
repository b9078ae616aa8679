import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar, JSONScalar } from '../../graphql/scalars';
import { TokenCountFields } from '../../graphql/token-fields';

export enum PricingStatusEnum {
  PRICED = 'priced',
  UNPRICED_MODEL = 'unpriced_model',
  UNPRICED_COMPONENT = 'unpriced_component',
  ERROR = 'error',
}
registerEnumType(PricingStatusEnum, {
  name: 'PricingStatus',
  description: 'How an event was priced; anything but PRICED is visible as unpriced, never as $0.',
});

@InputType()
export class EventFilter {
  @Field(() => Date, { nullable: true, description: 'occurredAt ≥ from' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'occurredAt < to' }) to?: Date | null;
  @Field(() => [String], { nullable: true, description: 'Project slugs.' }) projects?: string[] | null;
  @Field(() => [String], { nullable: true }) providers?: string[] | null;
  @Field(() => [String], { nullable: true }) models?: string[] | null;
  @Field(() => [String], { nullable: true }) features?: string[] | null;
  @Field(() => [String], { nullable: true }) customers?: string[] | null;
  @Field(() => [String], { nullable: true }) environments?: string[] | null;
  @Field(() => [PricingStatusEnum], { nullable: true }) pricingStatuses?: string[] | null;
  @Field(() => String, { nullable: true, description: 'One client eventId.' }) eventId?: string | null;
}

@ObjectType()
export class TokenUsage extends TokenCountFields('object') {}

@ObjectType()
export class Tag {
  @Field() key!: string;
  @Field() value!: string;
}

@ObjectType({ description: 'One priced component of an event, e.g. cacheRead.' })
export class CostComponent {
  @Field() component!: string;
  @Field(() => DecimalScalar) usd!: Decimal | string;
}

@ObjectType({ description: 'One model call as stored, with its pricing outcome.' })
export class UsageEventRecord {
  @Field() eventId!: string;
  @Field({ description: 'Project slug.' }) project!: string;
  @Field() occurredAt!: Date;
  @Field() receivedAt!: Date;
  @Field() provider!: string;
  @Field() model!: string;
  @Field(() => TokenUsage) usage!: TokenUsage;
  @Field() serviceTier!: string;
  @Field(() => String, { nullable: true }) feature!: string | null;
  @Field(() => String, { nullable: true }) customerId!: string | null;
  @Field() environment!: string;
  @Field(() => [String]) inputModalities!: string[];
  @Field(() => Int, { nullable: true }) latencyMs!: number | null;
  @Field() status!: string;
  @Field(() => [Tag]) tags!: Tag[];
  @Field() source!: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Null unless pricingStatus is PRICED.' })
  costUsd!: Decimal | string | null;
  @Field(() => [CostComponent]) costBreakdown!: CostComponent[];
  @Field(() => PricingStatusEnum) pricingStatus!: string;
  @Field(() => String, { nullable: true }) pricingReason!: string | null;
  @Field(() => [String], { description: 'How it was priced: tier applied, time window, fallbacks…' })
  pricingFlags!: string[];
  @Field(() => String, { nullable: true, description: 'The rate table version that priced it.' })
  rateVersionId!: string | null;
  @Field(() => String, { nullable: true, description: 'The catalog model that matched.' }) pricedModel!:
    string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

@ObjectType()
export class EventConnection {
  @Field(() => [UsageEventRecord]) nodes!: UsageEventRecord[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType()
export class EventConflictFilter {
  @Field(() => [String], { nullable: true, description: 'Project slugs.' }) projects?: string[] | null;
  @Field(() => String, { nullable: true, description: 'One client eventId.' }) eventId?: string | null;
}

@ObjectType({
  description:
    'An eventId resent with different content. The first version stays counted; this one was kept apart, never applied.',
})
export class EventConflict {
  @Field({ description: 'Project slug.' }) project!: string;
  @Field() eventId!: string;
  @Field({ description: 'When the conflicting resend arrived.' }) receivedAt!: Date;
  @Field({ description: 'Digest of the stored version.' }) existingContentHash!: string;
  @Field({ description: 'Digest of the resent version.' }) receivedContentHash!: string;
  @Field(() => JSONScalar, { description: 'The resent event as received.' }) payload!: unknown;
}

@ObjectType()
export class EventConflictConnection {
  @Field(() => [EventConflict]) nodes!: EventConflict[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
