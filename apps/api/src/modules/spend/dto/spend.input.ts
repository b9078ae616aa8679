import { Field, InputType, registerEnumType } from '@nestjs/graphql';

export enum SpendDimension {
  PROJECT = 'PROJECT',
  PROVIDER = 'PROVIDER',
  MODEL = 'MODEL',
  FEATURE = 'FEATURE',
  CUSTOMER = 'CUSTOMER',
  ENVIRONMENT = 'ENVIRONMENT',
  TAG = 'TAG',
  HOUR = 'HOUR',
  DAY = 'DAY',
  MONTH = 'MONTH',
}
registerEnumType(SpendDimension, {
  name: 'SpendDimension',
  description:
    'What to group spend by; TAG groups by the values of `tagKey`; HOUR, DAY and MONTH are time buckets (at most one).',
});

@InputType({
  description: 'Which usage to count. Time is bucketed by hour: an hour counts when it starts in [from, to).',
})
export class SpendFilter {
  @Field({ description: 'Start, inclusive.' }) from!: Date;
  @Field({ description: 'End, exclusive.' }) to!: Date;
  @Field(() => [String], { nullable: true, description: 'Project slugs.' }) projects?: string[] | null;
  @Field(() => [String], { nullable: true }) providers?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Model names as reported by the provider.' })
  models?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Feature labels; "" selects usage without one.' })
  features?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'End-customer ids; "" selects usage without one.' })
  customers?: string[] | null;
  @Field(() => [String], { nullable: true }) environments?: string[] | null;
  @Field(() => [TagFilter], {
    nullable: true,
    description:
      'Usage carrying one of these tags (all of one key). Tag questions combine with projects and time buckets only.',
  })
  tags?: TagFilter[] | null;
}

@InputType({ description: 'One tag an event carried, e.g. {key: "team", value: "growth"}.' })
export class TagFilter {
  @Field() key!: string;
  @Field() value!: string;
}
