import { Usd, type Pricer } from '@tokenledger/pricing';
import type Decimal from 'decimal.js';
import type { Calibration, Ratio } from './calibration';
import { qualityBasis, type ModelProfile, type QualityBasis } from './quality';
import { daysOf, type Efficiency, type Move, type Scenario } from './scenario';
import { SlicePricer, type SliceUsage } from './slice-pricer';
import { TOKEN_FIELDS, totalTokens, type MixLayout, type TrafficSlice } from './traffic';

/** Why traffic a move selected stays where it is. The last two are the scenario's own choice. */
export const STAY_REASONS = [
  'CONTEXT_WINDOW',
  'OUTPUT_LIMIT',
  'MODALITY',
  'CAPABILITY',
  'SOURCE_UNPRICED',
  'TARGET_UNPRICED',
  'PROMPT_ROUTING',
  'SHARE',
] as const;
export type StayReason = (typeof STAY_REASONS)[number];

export interface Amounts {
  requests: Decimal;
  tokens: Decimal;
  costUsd: Decimal;
}

export interface SliceTotals {
  requests: Decimal;
  tokens: Decimal;
  baselineUsd: Decimal;
  projectedUsd: Decimal;
  projectedLowUsd: Decimal;
  projectedHighUsd: Decimal;
  movedRequests: Decimal;
  movedTokens: Decimal;
  movedBaselineUsd: Decimal;
  stayed: Map<StayReason, Amounts>;
}

export interface BreakdownRow extends SliceTotals {
  key: string;
  quality: QualityBasis[];
}

export interface MoveReport {
  index: number;
  source: { provider: string | null; model: string } | null;
  target: { provider: string; model: string };
  inputEfficiency: EfficiencyReport;
  outputEfficiency: EfficiencyReport;
  movedRequests: Decimal;
  movedBaselineUsd: Decimal;
  projectedUsd: Decimal;
}

export interface EfficiencyReport {
  mode: 'fixed' | 'calibrated';
  ratio: number;
  low: number;
  high: number;
  /** Per feature, where calibrated. */
  calibrations: Calibration[];
  method: string;
}

export interface SimulationResult {
  days: number;
  firstDay: string;
  lastDay: string;
  prices: Scenario['prices'];
  totals: SliceTotals;
  baselineUsd: Decimal;
  projectedUsd: Decimal;
  savingsUsd: Decimal;
  savingsPercent: Decimal | null;
  projectedLowUsd: Decimal;
  projectedHighUsd: Decimal;
  /** Per 30 days at the range's daily average. */
  monthlyBaselineUsd: Decimal;
  monthlyProjectedUsd: Decimal;
  monthlySavingsUsd: Decimal;
  unpricedRequests: Decimal;
  byFeature: BreakdownRow[];
  bySourceModel: BreakdownRow[];
  moves: MoveReport[];
  quality: QualityBasis[];
  warnings: string[];
}

export interface SimulationInput {
  scenario: Scenario;
  slices: readonly TrafficSlice[];
  layout: MixLayout;
  pricer: Pricer;
  organizationId: string | null;
  /** The catalog's facts for a model (provider null: any provider's row of that model). */
  profile: (ref: { provider: string | null; model: string }) => ModelProfile | null;
  /** Calibrations by `calibrationKey`, for moves with calibrated efficiency. */
  calibrations?: ReadonlyMap<string, Calibration>;
  now: Date;
}

export function calibrationKey(
  feature: string,
  source: { provider: string; model: string },
  target: { provider: string; model: string },
): string {
  return [feature, source.provider, source.model, target.provider, target.model].join('\u001f');
}

const ZERO = new Usd(0);
const DAY_MS = 86_400_000;

function emptyTotals(): SliceTotals {
  return {
    requests: ZERO,
    tokens: ZERO,
    baselineUsd: ZERO,
    projectedUsd: ZERO,
    projectedLowUsd: ZERO,
    projectedHighUsd: ZERO,
    movedRequests: ZERO,
    movedTokens: ZERO,
    movedBaselineUsd: ZERO,
    stayed: new Map(),
  };
}

function addStay(
  t: SliceTotals,
  reason: StayReason,
  requests: Decimal,
  tokens: Decimal,
  cost: Decimal,
): void {
  const s = t.stayed.get(reason) ?? { requests: ZERO, tokens: ZERO, costUsd: ZERO };
  t.stayed.set(reason, {
    requests: s.requests.plus(requests),
    tokens: s.tokens.plus(tokens),
    costUsd: s.costUsd.plus(cost),
  });
}

/** What one slice contributes, added to several totals at once. */
interface Contribution {
  requests: Decimal;
  tokens: Decimal;
  baseline: Decimal;
  projected: Decimal;
  low: Decimal;
  high: Decimal;
  movedRequests: Decimal;
  movedTokens: Decimal;
  movedBaseline: Decimal;
  stays: { reason: StayReason; requests: Decimal; tokens: Decimal; cost: Decimal }[];
}

function add(t: SliceTotals, c: Contribution): void {
  t.requests = t.requests.plus(c.requests);
  t.tokens = t.tokens.plus(c.tokens);
  t.baselineUsd = t.baselineUsd.plus(c.baseline);
  t.projectedUsd = t.projectedUsd.plus(c.projected);
  t.projectedLowUsd = t.projectedLowUsd.plus(c.low);
  t.projectedHighUsd = t.projectedHighUsd.plus(c.high);
  if (!c.movedRequests.isZero()) {
    t.movedRequests = t.movedRequests.plus(c.movedRequests);
    t.movedTokens = t.movedTokens.plus(c.movedTokens);
    t.movedBaselineUsd = t.movedBaselineUsd.plus(c.movedBaseline);
  }
  for (const s of c.stays) addStay(t, s.reason, s.requests, s.tokens, s.cost);
}

/** Adds one set of totals into another. */
function merge(t: SliceTotals, g: SliceTotals): void {
  t.requests = t.requests.plus(g.requests);
  t.tokens = t.tokens.plus(g.tokens);
  t.baselineUsd = t.baselineUsd.plus(g.baselineUsd);
  t.projectedUsd = t.projectedUsd.plus(g.projectedUsd);
  t.projectedLowUsd = t.projectedLowUsd.plus(g.projectedLowUsd);
  t.projectedHighUsd = t.projectedHighUsd.plus(g.projectedHighUsd);
  t.movedRequests = t.movedRequests.plus(g.movedRequests);
  t.movedTokens = t.movedTokens.plus(g.movedTokens);
  t.movedBaselineUsd = t.movedBaselineUsd.plus(g.movedBaselineUsd);
  for (const [reason, a] of g.stayed) addStay(t, reason, a.requests, a.tokens, a.costUsd);
}

function matches(move: Move, slice: TrafficSlice): boolean {
  if (slice.provider === move.target.provider && slice.model === move.target.model) return false;
  if (!move.source) return true;
  if (move.source.model !== slice.model) return false;
  return !move.source.provider || move.source.provider === slice.provider;
}

/** Input modalities a slice needs, from its modality set and its media tokens. */
function neededModalities(slice: TrafficSlice): Set<string> {
  const need = new Set(slice.modalities.length > 0 ? slice.modalities : ['text']);
  if (slice.inputImageTokens > 0) need.add('image');
  if (slice.inputAudioTokens > 0) need.add('audio');
  return need;
}

/** Why a slice cannot move to the target (eligibility only; routing and share are judged apart). */
export function ineligibility(
  slice: TrafficSlice,
  target: ModelProfile | null,
  requiredCapabilities: readonly string[] = [],
): StayReason | null {
  if (slice.pricedRequests < slice.requests) return 'SOURCE_UNPRICED';
  const supported = new Set(target && target.inputModalities.length > 0 ? target.inputModalities : ['text']);
  for (const m of neededModalities(slice)) if (!supported.has(m)) return 'MODALITY';
  const caps = new Set(target?.capabilities ?? []);
  for (const c of requiredCapabilities) if (!caps.has(c)) return 'CAPABILITY';
  if (target?.contextWindow && slice.inputMin > target.contextWindow) return 'CONTEXT_WINDOW';
  if (target?.maxOutputTokens && slice.outputMin > target.maxOutputTokens) return 'OUTPUT_LIMIT';
  return null;
}

interface Efficiencies {
  input: Ratio;
  output: Ratio;
}

function dec(n: number): Decimal {
  return new Usd(n);
}

/** The slice's usage as the target would see it, at one pair of efficiency ratios. */
function targetUsage(
  slice: TrafficSlice,
  share: Decimal,
  eff: { input: number; output: number },
  move: Move,
): SliceUsage {
  const inScale = share.times(eff.input);
  const outScale = share.times(eff.output);
  const scaled = (n: number, scale: Decimal) => (n === 0 ? ZERO : scale.times(n));
  const input = scaled(slice.inputTokens, inScale);
  let cacheRead = scaled(slice.cacheReadTokens, inScale);
  const cache = move.cache ?? { mode: 'keep' };
  if (cache.mode === 'none') cacheRead = ZERO;
  else if (cache.mode === 'share') cacheRead = input.times(cache.share);
  return {
    requests: share.times(slice.requests),
    inputTokens: input,
    outputTokens: scaled(slice.outputTokens, outScale),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: scaled(slice.cacheWriteTokens, inScale),
    cacheWrite1hTokens: scaled(slice.cacheWrite1hTokens, inScale),
    reasoningTokens: scaled(slice.reasoningTokens, outScale),
    inputAudioTokens: scaled(slice.inputAudioTokens, inScale),
    outputAudioTokens: scaled(slice.outputAudioTokens, outScale),
    inputImageTokens: scaled(slice.inputImageTokens, inScale),
  };
}

/** The slice's own usage (baseline re-priced at today's prices). */
function ownUsage(slice: TrafficSlice): SliceUsage {
  const u = { requests: dec(slice.requests) } as SliceUsage;
  for (const f of TOKEN_FIELDS) u[f] = dec(slice[f]);
  return u;
}

/** The instant a slice is priced at: its own day, or the latest same weekday up to `now`; its window minute. */
const INSTANTS = new Map<string, string>();

function pricingInstant(slice: TrafficSlice, prices: Scenario['prices'], now: Date): string {
  const key = `${slice.day}|${slice.windowMinute}|${prices}|${prices === 'today' ? now.getTime() : ''}`;
  let at = INSTANTS.get(key);
  if (at === undefined) {
    if (INSTANTS.size > 100_000) INSTANTS.clear();
    INSTANTS.set(key, (at = instantOf(slice, prices, now)));
  }
  return at;
}

function instantOf(slice: TrafficSlice, prices: Scenario['prices'], now: Date): string {
  let dayMs = Date.parse(`${slice.day}T00:00:00.000Z`);
  if (prices === 'today') {
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    const back = (((new Date(today).getUTCDay() - new Date(dayMs).getUTCDay()) % 7) + 7) % 7;
    dayMs = today - back * DAY_MS;
  }
  return new Date(dayMs + slice.windowMinute * 60_000).toISOString();
}

/**
 * What the scenario's traffic would have cost had its moves been made: from the traffic mix only
 * (no raw events), each moved slice priced by the Pricer at the target's rates.
 */
export function simulate(input: SimulationInput): SimulationResult {
  const { scenario, slices, layout, now } = input;
  const range = daysOf(scenario.filter);
  const pricer = new SlicePricer(input.pricer, input.organizationId, layout.inputFloors);
  const warnings = new Set<string>();
  const totals = emptyTotals();
  const byFeature = new Map<string, BreakdownRow>();
  const bySource = new Map<string, BreakdownRow>();
  const qualityPairs = new Map<string, QualityBasis>();
  const featureQuality = new Map<string, Map<string, QualityBasis>>();
  const sourceQuality = new Map<string, Map<string, QualityBasis>>();
  let unpriced = ZERO;
  const qualityCache = new Map<string, QualityBasis>();
  /** Per (feature, source model): slices add here, and each group once to the breakdowns. */
  const groups = new Map<string, { feature: string; source: string; totals: SliceTotals }>();

  const moves = scenario.moves.map((move, index) => {
    const profile = input.profile(move.target);
    if (profile && profile.inputModalities.length === 0)
      warnings.add(`${move.target.model}: the catalog gives no input modalities; only text is assumed`);
    if (profile && profile.contextWindow === null)
      warnings.add(`${move.target.model}: the catalog gives no context window; prompt sizes are not checked`);
    return {
      move,
      profile,
      report: {
        index,
        source: move.source ? { provider: move.source.provider ?? null, model: move.source.model } : null,
        target: move.target,
        inputEfficiency: efficiencyReport(move.inputEfficiency),
        outputEfficiency: efficiencyReport(move.outputEfficiency),
        movedRequests: ZERO,
        movedBaselineUsd: ZERO,
        projectedUsd: ZERO,
      } satisfies MoveReport,
      calibrationsUsed: new Map<string, Calibration>(),
    };
  });

  const baselineOf = (slice: TrafficSlice): Decimal => {
    if (scenario.prices === 'event-time') return slice.costUsd;
    const today = pricer.price(
      slice,
      slice.serviceTier,
      pricingInstant(slice, 'today', now),
      slice.inputMin,
      ownUsage(slice),
    );
    if (today.ok) return today.usd;
    warnings.add(
      `${slice.provider}/${slice.model} has no price today: its recorded cost is used as its baseline`,
    );
    return slice.costUsd;
  };

  for (const slice of slices) {
    const requests = dec(slice.requests);
    const tokens = dec(totalTokens(slice));
    if (slice.pricedRequests < slice.requests)
      unpriced = unpriced.plus(slice.requests - slice.pricedRequests);
    const baseline = baselineOf(slice);
    const c: Contribution = {
      requests,
      tokens,
      baseline,
      projected: baseline,
      low: baseline,
      high: baseline,
      movedRequests: ZERO,
      movedTokens: ZERO,
      movedBaseline: ZERO,
      stays: [],
    };
    const chosen = moves.find((m) => matches(m.move, slice));
    let quality: QualityBasis | null = null;
    if (chosen) {
      const { move, profile } = chosen;
      const benchmark = scenario.featureBenchmarks?.[slice.feature] ?? scenario.benchmark;
      const qualityKey = `${benchmark}\u001f${slice.provider}\u001f${slice.model}\u001f${chosen.report.index}`;
      quality = qualityCache.get(qualityKey) ?? null;
      if (!quality) {
        quality = qualityBasis(
          benchmark,
          { provider: slice.provider, model: slice.model },
          input.profile({ provider: slice.provider, model: slice.model }) ??
            input.profile({ provider: null, model: slice.model }),
          move.target,
          profile,
        );
        qualityCache.set(qualityKey, quality);
      }
      let reason: StayReason | null = ineligibility(slice, profile, move.requiredCapabilities);
      if (!reason && move.maxPromptTokens && slice.inputMin > move.maxPromptTokens) reason = 'PROMPT_ROUTING';
      if (reason) c.stays.push({ reason, requests, tokens, cost: baseline });
      else {
        const share = dec(move.share ?? 1);
        const eff = efficienciesFor(chosen, slice, input.calibrations, warnings);
        const at = pricingInstant(slice, scenario.prices, now);
        const tier = move.serviceTier ?? slice.serviceTier;
        const mid = pricer.price(
          move.target,
          tier,
          at,
          slice.inputMin,
          targetUsage(slice, share, { input: eff.input.ratio, output: eff.output.ratio }, move),
        );
        if (!mid.ok) {
          c.stays.push({ reason: 'TARGET_UNPRICED', requests, tokens, cost: baseline });
          warnings.add(`${move.target.provider}/${move.target.model}: ${mid.reason}`);
        } else {
          const fixed =
            eff.input.low === eff.input.ratio &&
            eff.input.high === eff.input.ratio &&
            eff.output.low === eff.output.ratio &&
            eff.output.high === eff.output.ratio;
          const low = fixed
            ? mid
            : pricer.price(
                move.target,
                tier,
                at,
                slice.inputMin,
                targetUsage(slice, share, { input: eff.input.low, output: eff.output.low }, move),
              );
          const high = fixed
            ? mid
            : pricer.price(
                move.target,
                tier,
                at,
                slice.inputMin,
                targetUsage(slice, share, { input: eff.input.high, output: eff.output.high }, move),
              );
          const kept = new Usd(1).minus(share);
          const keptCost = baseline.times(kept);
          c.projected = mid.usd.plus(keptCost);
          c.low = (low.ok ? low.usd : mid.usd).plus(keptCost);
          c.high = (high.ok ? high.usd : mid.usd).plus(keptCost);
          c.movedRequests = requests.times(share);
          c.movedTokens = tokens.times(share);
          c.movedBaseline = baseline.times(share);
          if (!kept.isZero())
            c.stays.push({
              reason: 'SHARE',
              requests: requests.times(kept),
              tokens: tokens.times(kept),
              cost: keptCost,
            });
          chosen.report.movedRequests = chosen.report.movedRequests.plus(c.movedRequests);
          chosen.report.movedBaselineUsd = chosen.report.movedBaselineUsd.plus(c.movedBaseline);
          chosen.report.projectedUsd = chosen.report.projectedUsd.plus(mid.usd);
        }
      }
    }
    const source = `${slice.provider}/${slice.model}`;
    const groupKey = `${slice.feature}\u001f${source}`;
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = { feature: slice.feature, source, totals: emptyTotals() }));
    add(group.totals, c);
    if (quality) {
      const pair = `${quality.benchmark}|${quality.source.provider}/${quality.source.model}>${quality.target.provider}/${quality.target.model}`;
      if (quality.benchmark === scenario.benchmark) qualityPairs.set(pair, quality);
      remember(featureQuality, slice.feature, pair, quality);
      remember(sourceQuality, `${slice.provider}/${slice.model}`, pair, quality);
    }
  }

  for (const g of groups.values()) {
    merge(totals, g.totals);
    merge(row(byFeature, g.feature), g.totals);
    merge(row(bySource, g.source), g.totals);
  }

  for (const m of moves) {
    for (const [which, eff] of [
      ['input', m.move.inputEfficiency],
      ['output', m.move.outputEfficiency],
    ] as const) {
      if (eff?.mode !== 'calibrated') continue;
      const report = which === 'input' ? m.report.inputEfficiency : m.report.outputEfficiency;
      report.calibrations = [...m.calibrationsUsed.values()];
      const pooled = pool(report.calibrations, which);
      if (pooled) Object.assign(report, pooled);
    }
  }

  const baselineUsd = totals.baselineUsd;
  const projectedUsd = totals.projectedUsd;
  const savingsUsd = baselineUsd.minus(projectedUsd);
  const perMonth = (x: Decimal) => (range.count > 0 ? x.div(range.count).times(30) : ZERO);
  const finish = (rows: Map<string, BreakdownRow>, quality: Map<string, Map<string, QualityBasis>>) =>
    [...rows.values()]
      .map((r) => ({ ...r, quality: [...(quality.get(r.key)?.values() ?? [])] }))
      .sort(
        (a, b) =>
          b.baselineUsd.minus(b.projectedUsd).comparedTo(a.baselineUsd.minus(a.projectedUsd)) ||
          (a.key < b.key ? -1 : 1),
      );
  return {
    days: range.count,
    firstDay: range.first,
    lastDay: range.last,
    prices: scenario.prices,
    totals,
    baselineUsd,
    projectedUsd,
    savingsUsd,
    savingsPercent: baselineUsd.isZero() ? null : savingsUsd.div(baselineUsd).times(100),
    projectedLowUsd: totals.projectedLowUsd,
    projectedHighUsd: totals.projectedHighUsd,
    monthlyBaselineUsd: perMonth(baselineUsd),
    monthlyProjectedUsd: perMonth(projectedUsd),
    monthlySavingsUsd: perMonth(savingsUsd),
    unpricedRequests: unpriced,
    byFeature: finish(byFeature, featureQuality),
    bySourceModel: finish(bySource, sourceQuality),
    moves: moves.map((m) => m.report),
    quality: [...qualityPairs.values()],
    warnings: [...warnings].sort(),
  };
}

function row(rows: Map<string, BreakdownRow>, key: string): BreakdownRow {
  let r = rows.get(key);
  if (!r) rows.set(key, (r = { ...emptyTotals(), key, quality: [] }));
  return r;
}

function remember(
  m: Map<string, Map<string, QualityBasis>>,
  key: string,
  pair: string,
  q: QualityBasis,
): void {
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map()));
  inner.set(pair, q);
}

function efficiencyReport(e: Efficiency | undefined): EfficiencyReport {
  if (e?.mode === 'calibrated')
    return {
      mode: 'calibrated',
      ratio: 1,
      low: 1,
      high: 1,
      calibrations: [],
      method: 'calibrated per feature',
    };
  const v = e?.mode === 'fixed' ? e.value : 1;
  return {
    mode: 'fixed',
    ratio: v,
    low: v,
    high: v,
    calibrations: [],
    method: e ? 'given' : 'default: same tokens per request',
  };
}

function efficienciesFor(
  chosen: { move: Move; calibrationsUsed: Map<string, Calibration> },
  slice: TrafficSlice,
  calibrations: ReadonlyMap<string, Calibration> | undefined,
  warnings: Set<string>,
): Efficiencies {
  const { move } = chosen;
  const fixed = (e: Efficiency | undefined): Ratio => {
    const v = e?.mode === 'fixed' ? e.value : 1;
    return { ratio: v, low: v, high: v };
  };
  let input = fixed(move.inputEfficiency);
  let output = fixed(move.outputEfficiency);
  if (move.inputEfficiency?.mode === 'calibrated' || move.outputEfficiency?.mode === 'calibrated') {
    const key = calibrationKey(slice.feature, slice, move.target);
    const cal = calibrations?.get(key);
    if (!cal)
      warnings.add(
        `no calibration for feature "${slice.feature}" from ${slice.model} to ${move.target.model} (both models need two days of traffic on it): efficiency 1.0 used`,
      );
    else {
      chosen.calibrationsUsed.set(key, cal);
      if (move.inputEfficiency?.mode === 'calibrated') input = cal.input;
      if (move.outputEfficiency?.mode === 'calibrated') output = cal.output;
    }
  }
  return { input, output };
}

/** A request-weighted summary of per-feature calibrations (what the move reports at the top). */
function pool(
  cals: Calibration[],
  which: 'input' | 'output',
): Pick<EfficiencyReport, 'ratio' | 'low' | 'high' | 'method'> | null {
  if (cals.length === 0) return null;
  let w = 0;
  let r = 0;
  let lo = 0;
  let hi = 0;
  for (const c of cals) {
    const weight = c.sourceRequests;
    w += weight;
    r += c[which].ratio * weight;
    lo += c[which].low * weight;
    hi += c[which].high * weight;
  }
  if (w === 0) return null;
  return { ratio: r / w, low: lo / w, high: hi / w, method: cals[0]!.method };
}
