import { Field, Float, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum AnomalyDimension {
  PROJECT = 'PROJECT',
  FEATURE = 'FEATURE',
  CUSTOMER = 'CUSTOMER',
  MODEL = 'MODEL',
}
registerEnumType(AnomalyDimension, { name: 'AnomalyDimension' });

export enum AnomalyGranularity {
  DAY = 'DAY',
  HOUR = 'HOUR',
}
registerEnumType(AnomalyGranularity, { name: 'AnomalyGranularity', description: 'UTC days or hours.' });

@InputType()
export class AnomalyFilter {
  @Field(() => AnomalyDimension) dimension!: AnomalyDimension;
  @Field(() => AnomalyGranularity, { defaultValue: AnomalyGranularity.DAY }) granularity!: AnomalyGranularity;
  @Field({ description: 'Examine buckets from here on (DAY: last 92 days; HOUR: last 14 days).' })
  since!: Date;
}

@ObjectType({ description: 'What a bucket held, or its seasonal baseline.' })
export class AnomalyFacts {
  @Field(() => Float) costUsd!: number;
  @Field(() => Float) requests!: number;
  @Field(() => Float) tokensPerRequest!: number;
  @Field(() => Float) unpricedRequests!: number;
}

@ObjectType()
export class ModelShare {
  @Field() model!: string;
  @Field(() => Float, { description: 'Share of the bucket’s cost.' }) shareNow!: number;
  @Field(() => Float, { description: 'Share in the same bucket one season (week) earlier.' })
  shareBefore!: number;
}

@ObjectType({
  description:
    'Unusual spend: a bucket far above its seasonal baseline (same weekday or hour of the week), or unpriced usage appearing; with what changed.',
})
export class SpendAnomaly {
  @Field(() => AnomalyDimension) dimension!: string;
  @Field({ description: 'Project slug, feature, customer id or model ("" for usage without one).' })
  value!: string;
  @Field(() => AnomalyGranularity) granularity!: string;
  @Field() bucketStart!: Date;
  @Field({ description: 'spike or unpriced.' }) kind!: string;
  @Field(() => Float, { description: 'Robust score (spike) or unpriced requests (unpriced).' })
  score!: number;
  @Field(() => AnomalyFacts) actual!: AnomalyFacts;
  @Field(() => AnomalyFacts) baseline!: AnomalyFacts;
  @Field(() => [ModelShare]) modelMix!: ModelShare[];
}
