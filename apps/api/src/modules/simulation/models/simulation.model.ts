import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { STAY_REASONS } from '@tokenledger/simulation';
import { DecimalScalar, JSONScalar } from '../../../graphql/scalars';
import { EfficiencyMode, PriceBasis } from '../dto/scenario.input';

export const StayReason = Object.fromEntries(STAY_REASONS.map((r) => [r, r])) as Record<string, string>;
registerEnumType(StayReason, {
  name: 'StayReason',
  description:
    "Why traffic a move selected stays: CONTEXT_WINDOW, OUTPUT_LIMIT, MODALITY, CAPABILITY (eligibility), SOURCE_UNPRICED (no recorded cost to compare), TARGET_UNPRICED, and the scenario's own PROMPT_ROUTING and SHARE.",
});

@ObjectType()
export class BenchmarkScoreValue {
  @Field(() => Float) score!: number;
  @Field() unit!: string;
  @Field() approximate!: boolean;
}

@ObjectType({
  description: 'The quality side of a switch and its basis. A missing score is never treated as equal.',
})
export class QualityBasis {
  @Field() benchmark!: string;
  @Field() sourceProvider!: string;
  @Field() sourceModel!: string;
  @Field() targetProvider!: string;
  @Field() targetModel!: string;
  @Field(() => BenchmarkScoreValue, { nullable: true }) sourceScore!: BenchmarkScoreValue | null;
  @Field(() => BenchmarkScoreValue, { nullable: true }) targetScore!: BenchmarkScoreValue | null;
  @Field(() => Float, { nullable: true, description: 'target − source; null when either score is missing.' })
  delta!: number | null;
  @Field() note!: string;
}

@ObjectType({
  description: 'Traffic that stays on its model, by reason. Counts are fractional only with a share.',
})
export class StayedAmount {
  @Field(() => StayReason) reason!: string;
  @Field(() => Float) requests!: number;
  @Field(() => Float) tokens!: number;
  @Field(() => DecimalScalar) costUsd!: string;
}

@ObjectType({ description: 'Totals of one feature or source model.' })
export class SimulationBreakdown {
  @Field({ description: 'The feature ("" for none) or provider/model.' }) key!: string;
  @Field(() => Float) requests!: number;
  @Field(() => Float) tokens!: number;
  @Field(() => DecimalScalar) baselineUsd!: string;
  @Field(() => DecimalScalar) projectedUsd!: string;
  @Field(() => DecimalScalar) savingsUsd!: string;
  @Field(() => DecimalScalar) projectedLowUsd!: string;
  @Field(() => DecimalScalar) projectedHighUsd!: string;
  @Field(() => Float) movedRequests!: number;
  @Field(() => Float) movedTokens!: number;
  @Field(() => DecimalScalar) movedBaselineUsd!: string;
  @Field(() => [StayedAmount]) stayed!: StayedAmount[];
  @Field(() => [QualityBasis]) quality!: QualityBasis[];
}

@ObjectType()
export class CalibrationResult {
  @Field() feature!: string;
  @Field() sourceProvider!: string;
  @Field() sourceModel!: string;
  @Field() targetProvider!: string;
  @Field() targetModel!: string;
  @Field(() => Float) inputRatio!: number;
  @Field(() => Float) inputLow!: number;
  @Field(() => Float) inputHigh!: number;
  @Field(() => Float) outputRatio!: number;
  @Field(() => Float) outputLow!: number;
  @Field(() => Float) outputHigh!: number;
  @Field(() => Int) sourceDays!: number;
  @Field(() => Int) targetDays!: number;
  @Field(() => Float) sourceRequests!: number;
  @Field(() => Float) targetRequests!: number;
  @Field() method!: string;
}

@ObjectType({ description: 'The token-efficiency assumption a move used, with its interval.' })
export class EfficiencyAssumption {
  @Field(() => EfficiencyMode) mode!: string;
  @Field(() => Float) ratio!: number;
  @Field(() => Float) low!: number;
  @Field(() => Float) high!: number;
  @Field() method!: string;
  @Field(() => [CalibrationResult]) calibrations!: CalibrationResult[];
}

@ObjectType()
export class SimulationMove {
  @Field(() => Int) index!: number;
  @Field(() => String, { nullable: true }) fromProvider!: string | null;
  @Field(() => String, { nullable: true }) fromModel!: string | null;
  @Field() toProvider!: string;
  @Field() toModel!: string;
  @Field(() => EfficiencyAssumption) inputEfficiency!: EfficiencyAssumption;
  @Field(() => EfficiencyAssumption) outputEfficiency!: EfficiencyAssumption;
  @Field(() => Float) movedRequests!: number;
  @Field(() => DecimalScalar) movedBaselineUsd!: string;
  @Field(() => DecimalScalar, { description: 'What the moved traffic costs on the target.' })
  projectedUsd!: string;
}

@ObjectType({
  description:
    'What the filtered traffic would have cost with the moves made. From the traffic mix, never raw events.',
})
export class SimulationResult {
  @Field() firstDay!: string;
  @Field() lastDay!: string;
  @Field(() => Int) days!: number;
  @Field(() => PriceBasis) prices!: string;
  @Field(() => Float) requests!: number;
  @Field(() => Float) tokens!: number;
  @Field(() => DecimalScalar) baselineUsd!: string;
  @Field(() => DecimalScalar) projectedUsd!: string;
  @Field(() => DecimalScalar) savingsUsd!: string;
  @Field(() => DecimalScalar, { nullable: true }) savingsPercent!: string | null;
  @Field(() => DecimalScalar, { description: 'Projected at the low end of the efficiency interval.' })
  projectedLowUsd!: string;
  @Field(() => DecimalScalar) projectedHighUsd!: string;
  @Field(() => DecimalScalar) savingsLowUsd!: string;
  @Field(() => DecimalScalar) savingsHighUsd!: string;
  @Field(() => DecimalScalar, { description: 'Per 30 days at the range’s daily average.' })
  monthlyBaselineUsd!: string;
  @Field(() => DecimalScalar) monthlyProjectedUsd!: string;
  @Field(() => DecimalScalar) monthlySavingsUsd!: string;
  @Field(() => Float) movedRequests!: number;
  @Field(() => Float) movedTokens!: number;
  @Field(() => DecimalScalar) movedBaselineUsd!: string;
  @Field(() => Float) movedShareOfRequests!: number;
  @Field(() => Float) movedShareOfTokens!: number;
  @Field(() => Float) movedShareOfCost!: number;
  @Field(() => Float) unpricedRequests!: number;
  @Field(() => [StayedAmount]) stayed!: StayedAmount[];
  @Field(() => [SimulationBreakdown]) byFeature!: SimulationBreakdown[];
  @Field(() => [SimulationBreakdown]) bySourceModel!: SimulationBreakdown[];
  @Field(() => [SimulationMove]) moves!: SimulationMove[];
  @Field(() => [QualityBasis], { description: "On the scenario's benchmark, per source model and target." })
  quality!: QualityBasis[];
  @Field(() => [String]) warnings!: string[];
}

@ObjectType({ description: 'A saved what-if scenario.' })
export class SavedScenario {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => JSONScalar, { description: 'The ScenarioInput as saved.' }) definition!: unknown;
  @Field(() => String, { nullable: true }) createdBy!: string | null;
  @Field() createdAt!: Date;
}

@ObjectType({ description: 'A simulation run in the background (simulate queue).' })
export class SimulationRun {
  @Field(() => ID) id!: string;
  @Field(() => ID) scenarioId!: string;
  @Field({ description: 'queued | running | succeeded | failed' }) status!: string;
  @Field() periodStart!: Date;
  @Field() periodEnd!: Date;
  @Field(() => DecimalScalar, { nullable: true }) baselineUsd!: unknown;
  @Field(() => DecimalScalar, { nullable: true }) simulatedUsd!: unknown;
  @Field(() => SimulationResult, { nullable: true }) result!: unknown;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType({
  description: 'For one (feature, current model): the cheapest eligible target within the quality tolerance.',
})
export class Recommendation {
  @Field() feature!: string;
  @Field() sourceProvider!: string;
  @Field() sourceModel!: string;
  @Field(() => String, { nullable: true }) targetProvider!: string | null;
  @Field(() => String, { nullable: true }) targetModel!: string | null;
  @Field() why!: string;
  @Field(() => DecimalScalar) baselineUsd!: string;
  @Field(() => DecimalScalar) projectedUsd!: string;
  @Field(() => DecimalScalar) savingsUsd!: string;
  @Field(() => DecimalScalar, { nullable: true }) savingsPercent!: string | null;
  @Field(() => DecimalScalar) monthlySavingsUsd!: string;
  @Field(() => Float, { description: "Share of the group's requests that could move." })
  movableShare!: number;
  @Field(() => [StayedAmount]) stayed!: StayedAmount[];
  @Field(() => QualityBasis, { nullable: true }) quality!: QualityBasis | null;
  @Field(() => Int) candidatesConsidered!: number;
}
