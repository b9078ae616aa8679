import { Field, Float, ObjectType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar, LongScalar } from '../../../graphql/scalars';
import { TokenCountFields } from '../../../graphql/token-fields';

@ObjectType({ description: 'Totals for one group. Dimensions not grouped by are null.' })
export class SpendRow extends TokenCountFields('object', { describeTotals: true }) {
  @Field(() => String, { nullable: true, description: 'Project slug.' }) project!: string | null;
  @Field(() => String, { nullable: true }) provider!: string | null;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => String, { nullable: true, description: 'Null when grouped but the usage had no feature.' })
  feature!: string | null;
  @Field(() => String, { nullable: true }) customer!: string | null;
  @Field(() => String, { nullable: true }) environment!: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'Start of the HOUR, DAY or MONTH bucket (in the requested time zone).',
  })
  period!: Date | null;
  @Field(() => DecimalScalar, {
    description: 'USD of priced usage. Unpriced usage is counted apart, never as $0.',
  })
  costUsd!: Decimal;
  @Field(() => LongScalar) requests!: number;
  @Field(() => LongScalar) pricedRequests!: number;
  @Field(() => LongScalar, { description: 'Requests that could not be priced (unknown model…).' })
  unpricedRequests!: number;
  @Field(() => LongScalar) errorRequests!: number;
  @Field(() => LongScalar) unpricedInputTokens!: number;
  @Field(() => LongScalar) unpricedOutputTokens!: number;
  @Field(() => Float, { nullable: true }) avgLatencyMs!: number | null;
}
