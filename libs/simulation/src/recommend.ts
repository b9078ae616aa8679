import type { Pricer } from '@tokenledger/pricing';
import type Decimal from 'decimal.js';
import type { ModelProfile, QualityBasis } from './quality';
import type { PriceBasis, TrafficFilter } from './scenario';
import { simulate, type Amounts, type StayReason } from './simulate';
import type { MixLayout, TrafficSlice } from './traffic';

export interface RecommendInput {
  filter: TrafficFilter;
  slices: readonly TrafficSlice[];
  layout: MixLayout;
  pricer: Pricer;
  organizationId: string | null;
  profile: (ref: { provider: string | null; model: string }) => ModelProfile | null;
  /** Models that may be recommended (the catalog's models with facts). */
  candidates: readonly ModelProfile[];
  benchmark: string;
  /** How far below the current model's score a target may be, in the benchmark's unit. */
  tolerance: number;
  prices: PriceBasis;
  now: Date;
}

export interface Recommendation {
  feature: string;
  source: { provider: string; model: string };
  /** Null when nothing qualifies (`why` says why). */
  target: { provider: string; model: string } | null;
  why: string;
  baselineUsd: Decimal;
  projectedUsd: Decimal;
  savingsUsd: Decimal;
  savingsPercent: Decimal | null;
  monthlySavingsUsd: Decimal;
  /** Share of the group's requests that could move. */
  movableShare: Decimal;
  stayed: { reason: StayReason; amounts: Amounts }[];
  quality: QualityBasis | null;
  candidatesConsidered: number;
}

/**
 * For each (feature, current model): the cheapest eligible target whose score on the benchmark is
 * at least the current model's minus the tolerance, ranked by monthly savings. A model without a
 * score is never a candidate, and a current model without one gets no recommendation (a missing
 * score is never treated as equal quality).
 */
export function recommend(input: RecommendInput): Recommendation[] {
  const groups = new Map<string, TrafficSlice[]>();
  for (const s of input.slices) {
    const key = `${s.feature}\u001f${s.provider}\u001f${s.model}`;
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  const out: Recommendation[] = [];
  for (const slices of groups.values()) {
    const first = slices[0]!;
    const source = { provider: first.provider, model: first.model };
    const sourceProfile = input.profile(source) ?? input.profile({ provider: null, model: source.model });
    const sourceScore = sourceProfile?.benchmarks[input.benchmark] ?? null;
    let best: Recommendation | null = null;
    let considered = 0;
    let whyNone = sourceScore
      ? `no model scores within ${input.tolerance} of ${source.model} on ${input.benchmark} and is cheaper`
      : `the catalog has no ${input.benchmark} score for ${source.model}: no target can be judged`;
    if (sourceScore) {
      for (const candidate of input.candidates) {
        if (candidate.model === source.model) continue;
        const score = candidate.benchmarks[input.benchmark];
        if (!score || score.unit !== sourceScore.unit || score.score < sourceScore.score - input.tolerance)
          continue;
        considered++;
        const result = simulate({
          scenario: {
            filter: input.filter,
            moves: [{ source, target: { provider: candidate.provider, model: candidate.model } }],
            prices: input.prices,
            benchmark: input.benchmark,
          },
          slices,
          layout: input.layout,
          pricer: input.pricer,
          organizationId: input.organizationId,
          profile: input.profile,
          now: input.now,
        });
        if (
          result.totals.movedRequests.isZero() ||
          !result.savingsUsd.isPositive() ||
          result.savingsUsd.isZero()
        )
          continue;
        if (best && !result.projectedUsd.lessThan(best.projectedUsd)) continue;
        best = {
          feature: first.feature,
          source,
          target: { provider: candidate.provider, model: candidate.model },
          why: `cheapest target within ${input.tolerance} of ${source.model} on ${input.benchmark}`,
          baselineUsd: result.baselineUsd,
          projectedUsd: result.projectedUsd,
          savingsUsd: result.savingsUsd,
          savingsPercent: result.savingsPercent,
          monthlySavingsUsd: result.monthlySavingsUsd,
          movableShare: result.totals.requests.isZero()
            ? result.totals.requests
            : result.totals.movedRequests.div(result.totals.requests),
          stayed: [...result.totals.stayed.entries()].map(([reason, amounts]) => ({ reason, amounts })),
          quality: result.quality[0] ?? null,
          candidatesConsidered: 0,
        };
      }
    }
    if (best) out.push({ ...best, candidatesConsidered: considered });
    else {
      const zero = first.costUsd.minus(first.costUsd);
      let baseline = zero;
      for (const s of slices) baseline = baseline.plus(s.costUsd);
      out.push({
        feature: first.feature,
        source,
        target: null,
        why:
          considered > 0
            ? `none of ${considered} candidates within tolerance is cheaper for this traffic`
            : whyNone,
        baselineUsd: baseline,
        projectedUsd: baseline,
        savingsUsd: zero,
        savingsPercent: null,
        monthlySavingsUsd: zero,
        movableShare: zero,
        stayed: [],
        quality: null,
        candidatesConsidered: considered,
      });
    }
    whyNone = '';
  }
  return out.sort(
    (a, b) =>
      b.monthlySavingsUsd.comparedTo(a.monthlySavingsUsd) ||
      b.baselineUsd.comparedTo(a.baselineUsd) ||
      (a.feature + a.source.model < b.feature + b.source.model ? -1 : 1),
  );
}
