import { Field, Float, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { SpendFilter } from '../../spend/dto/spend.input';

export enum PriceBasis {
  EVENT_TIME = 'EVENT_TIME',
  TODAY = 'TODAY',
}
registerEnumType(PriceBasis, {
  name: 'PriceBasis',
  description:
    "EVENT_TIME: the rate versions in force at each day's traffic; TODAY: today's rates (your overrides included), for the baseline too.",
});

export enum EfficiencyMode {
  FIXED = 'FIXED',
  CALIBRATED = 'CALIBRATED',
}
registerEnumType(EfficiencyMode, { name: 'EfficiencyMode' });

export enum CacheMode {
  KEEP = 'KEEP',
  NONE = 'NONE',
  SHARE = 'SHARE',
}
registerEnumType(CacheMode, {
  name: 'CacheMode',
  description:
    'KEEP the observed cache reads, NONE (all input uncached), or a given SHARE of input read from cache.',
});

export enum ServiceTierName {
  STANDARD = 'STANDARD',
  BATCH = 'BATCH',
  FLEX = 'FLEX',
  PRIORITY = 'PRIORITY',
}
registerEnumType(ServiceTierName, { name: 'ServiceTierName' });

@InputType({ description: "The target's tokens per request ÷ the source's." })
export class EfficiencyInput {
  @Field(() => EfficiencyMode) mode!: EfficiencyMode;
  @Field(() => Float, { nullable: true, description: 'The ratio, for FIXED (1.0 = same tokens).' })
  value?: number | null;
}

@InputType()
export class CacheInput {
  @Field(() => CacheMode) mode!: CacheMode;
  @Field(() => Float, { nullable: true, description: 'For SHARE: 0–1 of input tokens read from cache.' })
  share?: number | null;
}

@InputType({
  description:
    'Traffic of one model (every model the filter selects when fromModel is left out) moves to a target.',
})
export class MoveInput {
  @Field(() => String, { nullable: true }) fromProvider?: string | null;
  @Field(() => String, { nullable: true, description: 'Source model as reported; all models when null.' })
  fromModel?: string | null;
  @Field() toProvider!: string;
  @Field() toModel!: string;
  @Field(() => Int, {
    nullable: true,
    description: 'Only prompts of at most this many tokens move (routing by size).',
  })
  maxPromptTokens?: number | null;
  @Field(() => Float, { nullable: true, description: 'Only this share (0–1] of the requests moves.' })
  share?: number | null;
  @Field(() => ServiceTierName, {
    nullable: true,
    description: "The target's service tier; default each request's own.",
  })
  serviceTier?: ServiceTierName | null;
  @Field(() => EfficiencyInput, { nullable: true, description: 'Input tokens; default FIXED 1.0.' })
  inputEfficiency?: EfficiencyInput | null;
  @Field(() => EfficiencyInput, { nullable: true, description: 'Output tokens; default FIXED 1.0.' })
  outputEfficiency?: EfficiencyInput | null;
  @Field(() => CacheInput, { nullable: true, description: 'Default KEEP.' }) cache?: CacheInput | null;
  @Field(() => [String], {
    nullable: true,
    description: 'Capabilities the traffic needs, e.g. computer-use.',
  })
  requiredCapabilities?: string[] | null;
}

@InputType()
export class FeatureBenchmarkInput {
  @Field() feature!: string;
  @Field() benchmark!: string;
}

@InputType({
  description:
    'A what-if: which traffic, and where it moves. Time counts by UTC day (a day counts when it starts in [from, to)).',
})
export class ScenarioInput {
  @Field(() => SpendFilter) filter!: SpendFilter;
  @Field(() => [MoveInput]) moves!: MoveInput[];
  @Field(() => PriceBasis, { nullable: true, defaultValue: PriceBasis.EVENT_TIME })
  prices?: PriceBasis | null;
  @Field(() => String, {
    nullable: true,
    description: 'Benchmark quality is judged on; default swe-bench-pro.',
  })
  benchmark?: string | null;
  @Field(() => [FeatureBenchmarkInput], {
    nullable: true,
    description: 'The benchmark that matters per feature.',
  })
  featureBenchmarks?: FeatureBenchmarkInput[] | null;
}
