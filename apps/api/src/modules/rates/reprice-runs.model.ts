import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar } from '../../graphql/scalars';

@ObjectType()
export class VersionUse {
  @Field(() => String, { nullable: true, description: 'Null for events that stayed unpriced.' })
  rateVersionId!: string | null;
  @Field(() => Int) events!: number;
}

@ObjectType({ description: 'One event whose price a reprice run changed.' })
export class RepriceChangeRecord {
  @Field() eventId!: string;
  @Field() occurredAt!: Date;
  @Field(() => DecimalScalar, { nullable: true }) costBefore!: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) costAfter!: Decimal | null;
  @Field() statusBefore!: string;
  @Field() statusAfter!: string;
  @Field(() => String, { nullable: true }) rateVersionBefore!: string | null;
  @Field(() => String, { nullable: true }) rateVersionAfter!: string | null;
}

@ObjectType({ description: 'A provider and model name as events report them.' })
export class ModelKeyRef {
  @Field() provider!: string;
  @Field() model!: string;
}

@ObjectType({ description: 'A re-pricing of a time range after rates changed: what it changed, audited.' })
export class RepriceRun {
  @Field(() => ID) id!: string;
  @Field() reason!: string;
  @Field() since!: Date;
  @Field(() => Date, { nullable: true }) until!: Date | null;
  @Field({ description: 'queued, running, succeeded or failed' }) status!: string;
  @Field(() => Int, { description: 'Events re-priced so far: progress is eventsScanned of eventsTotal.' })
  eventsScanned!: number;
  @Field(() => Int, {
    nullable: true,
    description: 'The events the run covers, counted when it starts (null while queued).',
  })
  eventsTotal!: number | null;
  @Field({
    description:
      'models: only the provider/model names the published version can price (listed in models); all: every event in range.',
  })
  scope!: string;
  @Field(() => [ModelKeyRef], { description: 'With scope models: the names it re-prices.' })
  models!: ModelKeyRef[];
  @Field(() => Int) eventsChanged!: number;
  @Field(() => DecimalScalar, { description: 'Cost of the scanned events before the run.' })
  totalBefore!: Decimal;
  @Field(() => DecimalScalar, { description: 'Cost of the same events after it.' }) totalAfter!: Decimal;
  @Field(() => [VersionUse]) versionsUsed!: VersionUse[];
  @Field(() => String, { nullable: true, description: 'The published version that triggered it.' })
  rateVersionId!: string | null;
  @Field(() => String, { nullable: true }) requestedBy!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}
