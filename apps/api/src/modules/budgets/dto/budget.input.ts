import { Field, InputType, Int } from '@nestjs/graphql';

@InputType({
  description:
    'What a budget covers: the organization, or one project, feature, customer, environment, model, tag or API key.',
})
export class BudgetScopeInput {
  @Field({
    description: 'organization | project | feature | customer | environment | model | tag | api_key',
  })
  kind!: string;
  @Field(() => String, { nullable: true, description: 'Project slug (kind project).' })
  project?: string | null;
  @Field(() => String, { nullable: true, description: 'Tag key (kind tag).' })
  key?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Feature, customer id, environment, model or tag value; for api_key, the key's id (apiKeys { id }): the usage that key sends.",
  })
  value?: string | null;
}

@InputType()
export class BudgetInput {
  @Field() name!: string;
  @Field(() => BudgetScopeInput) scope!: BudgetScopeInput;
  @Field({ description: 'USD per period, as a decimal string ("500" or "499.99").' }) amountUsd!: string;
  @Field({ description: 'month | week | day (calendar, in timeZone) | custom (periodDays from startsAt).' })
  period!: string;
  @Field(() => Int, { nullable: true, description: 'Length of a custom period in days.' })
  periodDays?: number | null;
  @Field(() => Date, { nullable: true, description: 'Custom periods count from this date (default: now).' })
  startsAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'IANA zone of calendar periods (default UTC).' })
  timeZone?: string | null;
  @Field(() => [Int], { nullable: true, description: 'Percentages that alert (default 50, 80, 100).' })
  thresholds?: number[] | null;
  @Field(() => String, {
    nullable: true,
    description: 'soft (alerts only, the default) or hard (GET /v1/budgets/check and the SDK refuse).',
  })
  kind?: string | null;
}

@InputType()
export class AlertDestinationInput {
  @Field() name!: string;
  @Field({ description: 'http(s) URL receiving a POST per alert.' }) url!: string;
  @Field(() => String, {
    nullable: true,
    description: 'json (signed Tokenledger payload, the default) or slack (incoming-webhook `text`).',
  })
  format?: string | null;
}
