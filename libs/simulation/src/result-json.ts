import type Decimal from 'decimal.js';
import type { Calibration } from './calibration';
import type { QualityBasis, Score } from './quality';
import type { Recommendation } from './recommend';
import type {
  Amounts,
  BreakdownRow,
  EfficiencyReport,
  SimulationResult,
  SliceTotals,
  StayReason,
} from './simulate';
import { STAY_REASONS } from './simulate';

/** Decimal places money is shown with (amounts are exact until here). */
export const MONEY_PLACES = 12;
const money = (d: Decimal) => d.toDecimalPlaces(MONEY_PLACES).toFixed();
const count = (d: Decimal) => d.toDecimalPlaces(6).toNumber();
const share = (part: Decimal, whole: Decimal) =>
  whole.isZero() ? 0 : part.div(whole).toDecimalPlaces(6).toNumber();

export interface StayedJson {
  reason: StayReason;
  requests: number;
  tokens: number;
  costUsd: string;
}

export interface QualityJson {
  benchmark: string;
  sourceProvider: string;
  sourceModel: string;
  targetProvider: string;
  targetModel: string;
  sourceScore: ScoreJson | null;
  targetScore: ScoreJson | null;
  delta: number | null;
  note: string;
}

export interface ScoreJson {
  score: number;
  unit: string;
  approximate: boolean;
}

export interface TotalsJson {
  requests: number;
  tokens: number;
  baselineUsd: string;
  projectedUsd: string;
  savingsUsd: string;
  projectedLowUsd: string;
  projectedHighUsd: string;
  movedRequests: number;
  movedTokens: number;
  movedBaselineUsd: string;
  stayed: StayedJson[];
}

const score = (s: Score | null): ScoreJson | null =>
  s ? { score: s.score, unit: s.unit, approximate: s.approximate === true } : null;

export function qualityJson(q: QualityBasis): QualityJson {
  return {
    benchmark: q.benchmark,
    sourceProvider: q.source.provider,
    sourceModel: q.source.model,
    targetProvider: q.target.provider,
    targetModel: q.target.model,
    sourceScore: score(q.sourceScore),
    targetScore: score(q.targetScore),
    delta: q.delta,
    note: q.note,
  };
}

export function stayedJson(stayed: ReadonlyMap<StayReason, Amounts>): StayedJson[] {
  return STAY_REASONS.filter((r) => stayed.has(r)).map((reason) => {
    const a = stayed.get(reason)!;
    return { reason, requests: count(a.requests), tokens: count(a.tokens), costUsd: money(a.costUsd) };
  });
}

function totalsJson(t: SliceTotals): TotalsJson {
  return {
    requests: count(t.requests),
    tokens: count(t.tokens),
    baselineUsd: money(t.baselineUsd),
    projectedUsd: money(t.projectedUsd),
    savingsUsd: money(t.baselineUsd.minus(t.projectedUsd)),
    projectedLowUsd: money(t.projectedLowUsd),
    projectedHighUsd: money(t.projectedHighUsd),
    movedRequests: count(t.movedRequests),
    movedTokens: count(t.movedTokens),
    movedBaselineUsd: money(t.movedBaselineUsd),
    stayed: stayedJson(t.stayed),
  };
}

function breakdownJson(r: BreakdownRow) {
  return { key: r.key, ...totalsJson(r), quality: r.quality.map(qualityJson) };
}

function calibrationJson(c: Calibration) {
  return {
    feature: c.feature,
    sourceProvider: c.source.provider,
    sourceModel: c.source.model,
    targetProvider: c.target.provider,
    targetModel: c.target.model,
    inputRatio: c.input.ratio,
    inputLow: c.input.low,
    inputHigh: c.input.high,
    outputRatio: c.output.ratio,
    outputLow: c.output.low,
    outputHigh: c.output.high,
    sourceDays: c.sourceDays,
    targetDays: c.targetDays,
    sourceRequests: c.sourceRequests,
    targetRequests: c.targetRequests,
    method: c.method,
  };
}

function efficiencyJson(e: EfficiencyReport) {
  return {
    mode: e.mode === 'fixed' ? 'FIXED' : 'CALIBRATED',
    ratio: e.ratio,
    low: e.low,
    high: e.high,
    method: e.method,
    calibrations: e.calibrations.map(calibrationJson),
  };
}

/** A simulation result as plain JSON (money as decimal strings): what GraphQL answers and runs store. */
export function simulationResultJson(r: SimulationResult) {
  const t = r.totals;
  return {
    firstDay: r.firstDay,
    lastDay: r.lastDay,
    days: r.days,
    prices: r.prices === 'today' ? 'TODAY' : 'EVENT_TIME',
    ...totalsJson(t),
    savingsPercent: r.savingsPercent ? r.savingsPercent.toDecimalPlaces(4).toFixed() : null,
    savingsLowUsd: money(r.baselineUsd.minus(r.projectedHighUsd)),
    savingsHighUsd: money(r.baselineUsd.minus(r.projectedLowUsd)),
    monthlyBaselineUsd: money(r.monthlyBaselineUsd),
    monthlyProjectedUsd: money(r.monthlyProjectedUsd),
    monthlySavingsUsd: money(r.monthlySavingsUsd),
    movedShareOfRequests: share(t.movedRequests, t.requests),
    movedShareOfTokens: share(t.movedTokens, t.tokens),
    movedShareOfCost: share(t.movedBaselineUsd, t.baselineUsd),
    unpricedRequests: count(r.unpricedRequests),
    byFeature: r.byFeature.map(breakdownJson),
    bySourceModel: r.bySourceModel.map(breakdownJson),
    moves: r.moves.map((m) => ({
      index: m.index,
      fromProvider: m.source?.provider ?? null,
      fromModel: m.source?.model ?? null,
      toProvider: m.target.provider,
      toModel: m.target.model,
      inputEfficiency: efficiencyJson(m.inputEfficiency),
      outputEfficiency: efficiencyJson(m.outputEfficiency),
      movedRequests: count(m.movedRequests),
      movedBaselineUsd: money(m.movedBaselineUsd),
      projectedUsd: money(m.projectedUsd),
    })),
    quality: r.quality.map(qualityJson),
    warnings: r.warnings,
  };
}
export type SimulationResultJson = ReturnType<typeof simulationResultJson>;

export function recommendationJson(r: Recommendation) {
  return {
    feature: r.feature,
    sourceProvider: r.source.provider,
    sourceModel: r.source.model,
    targetProvider: r.target?.provider ?? null,
    targetModel: r.target?.model ?? null,
    why: r.why,
    baselineUsd: money(r.baselineUsd),
    projectedUsd: money(r.projectedUsd),
    savingsUsd: money(r.savingsUsd),
    savingsPercent: r.savingsPercent ? r.savingsPercent.toDecimalPlaces(4).toFixed() : null,
    monthlySavingsUsd: money(r.monthlySavingsUsd),
    movableShare: r.movableShare.toDecimalPlaces(6).toNumber(),
    stayed: stayedJson(new Map(r.stayed.map((s) => [s.reason, s.amounts]))),
    quality: r.quality ? qualityJson(r.quality) : null,
    candidatesConsidered: r.candidatesConsidered,
  };
}
export type RecommendationJson = ReturnType<typeof recommendationJson>;
