import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar, LongScalar } from '../../graphql/scalars';

export enum ReconcileProviderEnum {
  OPENAI = 'openai',
  ANTHROPIC = 'anthropic',
}
registerEnumType(ReconcileProviderEnum, {
  name: 'ReconcileProvider',
  description: 'A provider whose organization usage and cost reports Tokenledger reconciles against.',
});

export enum ProviderMappingKindEnum {
  PROJECT = 'project',
  WORKSPACE = 'workspace',
  API_KEY = 'api_key',
}
registerEnumType(ProviderMappingKindEnum, {
  name: 'ProviderMappingKind',
  description:
    'An OpenAI project, an Anthropic workspace ("default" for the default one), or an API key of either.',
});

export enum ReconcileExplanationEnum {
  UNMAPPED = 'unmapped',
  NOT_RECEIVED = 'not_received',
  NOT_REPORTED = 'not_reported',
  PRICE_DIFFERENCE = 'price_difference',
  CREDIT = 'credit',
  EXCLUDED_TIER = 'excluded_tier',
  OTHER_CHARGES = 'other_charges',
}
registerEnumType(ReconcileExplanationEnum, {
  name: 'ReconcileExplanationKind',
  description: 'A named cause of a difference (docs/RECONCILIATION.md).',
});

@ObjectType({
  description:
    'A provider admin API connected for reconciliation. The admin key is write-only: never returned.',
})
export class ProviderConnection {
  @Field(() => ReconcileProviderEnum) provider!: ReconcileProviderEnum;
  @Field() baseUrl!: string;
  @Field(() => Date, { nullable: true }) lastImportAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'ok or failed' }) lastImportStatus!: string | null;
  @Field(() => String, { nullable: true }) lastImportError!: string | null;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({ description: "Which Tokenledger project a provider's project, workspace or API key is." })
export class ProviderMapping {
  @Field(() => ReconcileProviderEnum) provider!: ReconcileProviderEnum;
  @Field(() => ProviderMappingKindEnum) kind!: ProviderMappingKindEnum;
  @Field() externalId!: string;
  @Field({ description: 'The Tokenledger project slug.' }) project!: string;
}

@ObjectType({
  description:
    'Token counts by kind (input includes cache reads and writes; cacheWriteTokens are 5-minute writes).',
})
export class ReconcileTokens {
  @Field(() => LongScalar) inputTokens!: number;
  @Field(() => LongScalar) outputTokens!: number;
  @Field(() => LongScalar) cacheReadTokens!: number;
  @Field(() => LongScalar) cacheWriteTokens!: number;
  @Field(() => LongScalar) cacheWrite1hTokens!: number;
  @Field(() => LongScalar) inputAudioTokens!: number;
  @Field(() => LongScalar) outputAudioTokens!: number;
}

@ObjectType()
export class ReconcileExplanation {
  @Field(() => ReconcileExplanationEnum) kind!: ReconcileExplanationEnum;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Its part of provider − Tokenledger (USD); null when the cost is unknown.',
  })
  amountUsd!: Decimal | null;
  @Field() detail!: string;
}

@ObjectType({ description: 'One UTC day × model × project: the provider against Tokenledger.' })
export class ReconciliationLine {
  @Field() day!: string;
  @Field() model!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Null when the provider project/workspace/key is not mapped.',
  })
  project!: string | null;
  @Field(() => String, { nullable: true, description: 'The unmapped provider project/workspace/key.' })
  external!: string | null;
  @Field(() => ReconcileTokens) providerTokens!: ReconcileTokens;
  @Field(() => ReconcileTokens) ourTokens!: ReconcileTokens;
  @Field(() => DecimalScalar, { nullable: true, description: 'Null when no cost report covers the day.' })
  providerCostUsd!: Decimal | null;
  @Field(() => DecimalScalar) ourCostUsd!: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'provider − Tokenledger (USD).' })
  differenceUsd!: Decimal | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: "Of Tokenledger's cost; null when ours is zero.",
  })
  differencePercent!: Decimal | null;
  @Field(() => [ReconcileExplanation]) explanations!: ReconcileExplanation[];
  @Field(() => DecimalScalar, { nullable: true }) unexplainedUsd!: Decimal | null;
}

@ObjectType()
export class ReconcileExplanationTotal {
  @Field(() => ReconcileExplanationEnum) kind!: ReconcileExplanationEnum;
  @Field(() => DecimalScalar) amountUsd!: Decimal;
  @Field(() => Int) lines!: number;
}

@ObjectType()
export class ReconciliationTotals {
  @Field(() => LongScalar) providerTokens!: number;
  @Field(() => LongScalar) ourTokens!: number;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Provider tokens Tokenledger also saw, in percent.',
  })
  coveragePercent!: Decimal | null;
  @Field(() => DecimalScalar) providerCostUsd!: Decimal;
  @Field(() => DecimalScalar, { description: 'Over the days the provider reported costs for.' })
  ourCostUsd!: Decimal;
  @Field(() => DecimalScalar) differenceUsd!: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) differencePercent!: Decimal | null;
  @Field(() => [ReconcileExplanationTotal]) byExplanation!: ReconcileExplanationTotal[];
  @Field(() => DecimalScalar) unexplainedUsd!: Decimal;
}

@ObjectType({
  description: "A month of a provider's usage and cost reports lined up against what Tokenledger priced.",
})
export class Reconciliation {
  @Field(() => ReconcileProviderEnum) provider!: ReconcileProviderEnum;
  @Field() month!: string;
  @Field(() => [String], { description: 'Days the imported usage report covers.' }) usageDays!: string[];
  @Field(() => [String], { description: 'Days the imported cost report covers.' }) costDays!: string[];
  @Field(() => [ReconciliationLine]) lines!: ReconciliationLine[];
  @Field(() => ReconciliationTotals) totals!: ReconciliationTotals;
  @Field({ description: '"Tokenledger saw 97.4% of your OpenAI tokens in 2026-10."' }) coverage!: string;
}

@ObjectType({
  description: "How much of a provider's reported tokens Tokenledger saw in a month (the dashboard figure).",
})
export class ProviderCoverage {
  @Field(() => ReconcileProviderEnum) provider!: ReconcileProviderEnum;
  @Field() month!: string;
  @Field(() => DecimalScalar, { nullable: true }) coveragePercent!: Decimal | null;
  @Field(() => LongScalar) providerTokens!: number;
  @Field(() => LongScalar) ourTokens!: number;
  @Field() sentence!: string;
}

@ObjectType()
export class ReconcileImport {
  @Field(() => ReconcileProviderEnum) provider!: ReconcileProviderEnum;
  @Field(() => Int) usageDays!: number;
  @Field(() => Int) costDays!: number;
  @Field(() => Int) usageRows!: number;
  @Field(() => Int) costRows!: number;
}
