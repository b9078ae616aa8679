import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar } from '../../../graphql/scalars';

@ObjectType()
export class BudgetScope {
  @Field() kind!: string;
  @Field(() => String, { nullable: true, description: 'Project slug.' }) project!: string | null;
  @Field(() => String, { nullable: true }) key!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Feature, customer id, environment, model or tag value; an API key's id (kind api_key).",
  })
  value!: string | null;
}

@ObjectType()
export class Budget {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => BudgetScope) scope!: BudgetScope;
  @Field(() => DecimalScalar) amountUsd!: Decimal;
  @Field() period!: string;
  @Field(() => Int, { nullable: true }) periodDays!: number | null;
  @Field() startsAt!: Date;
  @Field() timeZone!: string;
  @Field(() => [Int]) thresholds!: number[];
  @Field({ description: 'soft or hard.' }) kind!: string;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({ description: 'One past period of a budget.' })
export class BudgetPeriod {
  @Field() start!: Date;
  @Field() end!: Date;
  @Field(() => DecimalScalar, { description: 'Spend at the end of the period.' }) spentUsd!: Decimal;
  @Field({ description: 'Whether spend reached the amount.' }) crossed!: boolean;
}

@ObjectType({
  description:
    'Period-end spend from the weekly rhythm and recent trend of daily spend, with an 80% range, beside the naive run rate.',
})
export class SpendForecast {
  @Field(() => String, { nullable: true, description: 'The month forecast ("2026-11"), for `forecast`.' })
  month?: string | null;
  @Field() periodStart!: Date;
  @Field() periodEnd!: Date;
  @Field(() => DecimalScalar, { description: 'Spend so far in the period.' }) spentUsd!: Decimal;
  @Field(() => DecimalScalar) expectedUsd!: Decimal;
  @Field(() => DecimalScalar) lowUsd!: Decimal;
  @Field(() => DecimalScalar) highUsd!: Decimal;
  @Field(() => DecimalScalar, { description: 'Spend so far ÷ days elapsed × days in the period.' })
  runRateUsd!: Decimal;
}

@ObjectType({ description: 'Where a budget stands in its current period.' })
export class BudgetStatus {
  @Field(() => Budget) budget!: Budget;
  @Field() periodStart!: Date;
  @Field() periodEnd!: Date;
  @Field(() => DecimalScalar) spentUsd!: Decimal;
  @Field(() => DecimalScalar) remainingUsd!: Decimal;
  @Field(() => Float) percentUsed!: number;
  @Field() exceeded!: boolean;
  @Field(() => Int, { description: 'Whole days until the period resets, rounded up.' }) resetsInDays!: number;
  @Field(() => [Int], { description: 'Thresholds reached in this period.' }) crossedThresholds!: number[];
  @Field(() => [BudgetPeriod], { description: 'Past periods, most recent first.' }) history!: BudgetPeriod[];
  @Field(() => SpendForecast, { description: 'Where spend is heading by the end of this period.' })
  forecast!: SpendForecast;
  @Field(() => Date, {
    nullable: true,
    description:
      'The local day spend is forecast to reach the amount (now when it has); null when not this period.',
  })
  projectedCrossingAt!: Date | null;
}

@ObjectType()
export class BudgetAlert {
  @Field(() => ID) id!: string;
  @Field(() => ID) budgetId!: string;
  @Field() periodStart!: Date;
  @Field(() => Int) threshold!: number;
  @Field({ description: 'crossed, or forecast (projected to cross before the period ends).' }) kind!: string;
  @Field(() => DecimalScalar) spentUsd!: string;
  @Field(() => Date, { nullable: true }) projectedAt!: Date | null;
  @Field({ description: 'pending | sending | delivered | failed' }) status!: string;
  @Field(() => Int) attempts!: number;
  @Field() createdAt!: Date;
}

@ObjectType()
export class AlertDestination {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() url!: string;
  @Field() format!: string;
  @Field() createdAt!: Date;
}

@ObjectType()
export class CreatedAlertDestination {
  @Field(() => AlertDestination) destination!: AlertDestination;
  @Field({ description: 'The HMAC-SHA256 signing secret: shown now and never again.' }) secret!: string;
}

@ObjectType({ description: 'One attempt to deliver an alert or a test message.' })
export class AlertDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID) destinationId!: string;
  @Field(() => ID, { nullable: true }) alertId!: string | null;
  @Field() event!: string;
  @Field(() => Int) attempt!: number;
  @Field(() => Int, { nullable: true, description: 'HTTP status the receiver answered.' }) statusCode!:
    number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) durationMs!: number;
  @Field() createdAt!: Date;
}
