import { ErrorCode, TokenledgerError, type FieldError, type UsageEvent } from '@tokenledger/contracts';
import type { Pricer } from '@tokenledger/pricing';
import {
  calibrate,
  calibrationKey,
  daysOf,
  filterErrors,
  mixLayout,
  pricePeriodStarts,
  recommend,
  scenarioErrors,
  simulate,
  type Calibration,
  type ModelProfile,
  type PriceBasis,
  type Recommendation,
  type Scenario,
  type Score,
  type SimulationResult,
  type TrafficFilter,
} from '@tokenledger/simulation';
import type { OrgScope } from '../accounts/scope';
import type { CachedPricer } from '../rates/cached-pricer';
import type { ModelFactRecord, ModelFactsRepository } from '../rates/model-facts.repository';
import type { RateTableRepository } from '../rates/rate-table.repository';
import type { AnalyticsStore } from '../store/analytics-store';

const FACTS_TTL_MS = 10_000;

export interface RecommendationRequest {
  filter: TrafficFilter;
  benchmark: string;
  tolerance: number;
  prices: PriceBasis;
}

function invalid(errors: FieldError[]): TokenledgerError {
  return new TokenledgerError(
    ErrorCode.ValidationFailed,
    errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    errors,
  );
}

function profileOf(f: ModelFactRecord): ModelProfile {
  const benchmarks: Record<string, Score | null> = {};
  const raw = (f.benchmarks ?? {}) as Record<
    string,
    { score?: number; unit?: string; approximate?: boolean } | null
  >;
  for (const [name, s] of Object.entries(raw))
    benchmarks[name] =
      s && typeof s.score === 'number'
        ? { score: s.score, unit: s.unit ?? '%', ...(s.approximate ? { approximate: true } : {}) }
        : null;
  return {
    provider: f.provider,
    model: f.model,
    contextWindow: f.contextWindow,
    maxOutputTokens: f.maxOutputTokens,
    inputModalities: f.inputModalities,
    capabilities: f.capabilities,
    benchmarks,
  };
}

/**
 * What-if simulation over the stored data: the traffic mix of a filter (AnalyticsStore), the
 * catalog's model facts, the pricer of the stored rate tables, calibrations from the daily
 * rollups — handed to libs/simulation's pure functions. The API, the worker and the CLI all run this.
 */
export class SimulationRunner {
  private facts?: { at: number; profiles: Promise<ModelProfile[]>; ready: boolean };
  private periods?: { at: number; starts: Promise<string[]>; ready: boolean };

  constructor(
    private readonly analytics: AnalyticsStore,
    private readonly modelFacts: ModelFactsRepository,
    private readonly rates: RateTableRepository,
    private readonly pricer: CachedPricer,
  ) {}

  /**
   * The catalog's model facts, cached: a value older than the TTL is still answered at once while
   * a fresh one loads (a simulation never waits for the catalog once it has been read).
   */
  private profiles(): Promise<ModelProfile[]> {
    if (!this.facts || Date.now() - this.facts.at > FACTS_TTL_MS) {
      const previous = this.facts;
      const loading = this.modelFacts.all().then((rows) => rows.map(profileOf));
      this.facts = {
        at: Date.now(),
        profiles: previous && previous.ready ? previous.profiles : loading,
        ready: false,
      };
      const entry = this.facts;
      loading.then(
        (profiles) => Object.assign(entry, { profiles: Promise.resolve(profiles), ready: true }),
        () => (this.facts = previous),
      );
    }
    return this.facts.profiles;
  }

  /** Days a price may change on, from the stored rate tables (cached like the facts). */
  private periodStarts(): Promise<string[]> {
    if (!this.periods || Date.now() - this.periods.at > FACTS_TTL_MS) {
      const previous = this.periods;
      const loading = this.rates.loadSnapshot().then((snapshot) =>
        pricePeriodStarts(
          snapshot.tables.flatMap((t) =>
            t.versions.map((v) => ({
              effectiveFrom: v.effectiveFrom,
              cards: v.rates.map((r) => r.prices),
            })),
          ),
        ),
      );
      this.periods = {
        at: Date.now(),
        starts: previous && previous.ready ? previous.starts : loading,
        ready: false,
      };
      const entry = this.periods;
      loading.then(
        (starts) => Object.assign(entry, { starts: Promise.resolve(starts), ready: true }),
        () => (this.periods = previous),
      );
    }
    return this.periods.starts;
  }

  private lookup(profiles: ModelProfile[]) {
    const byKey = new Map<string, ModelProfile>();
    const byModel = new Map<string, ModelProfile>();
    for (const p of profiles) {
      byKey.set(`${p.provider}/${p.model}`, p);
      if (!byModel.has(p.model)) byModel.set(p.model, p);
    }
    return (ref: { provider: string | null; model: string }) =>
      (ref.provider ? byKey.get(`${ref.provider}/${ref.model}`) : undefined) ??
      (ref.provider ? null : (byModel.get(ref.model) ?? null));
  }

  /** Runs a scenario for one organization. Throws VALIDATION_FAILED naming the field. */
  async simulate(scope: OrgScope, scenario: Scenario, now: Date): Promise<SimulationResult> {
    const [pricer, profiles] = await Promise.all([this.pricer.current(), this.profiles()]);
    const profile = this.lookup(profiles);
    const errors = scenarioErrors(scenario, (ref) => known(pricer, profile, scope.organizationId, ref, now));
    errors.push(...customerErrors(scenario.filter, 'scenario.filter'));
    if (errors.length > 0) throw invalid(errors);
    const range = daysOf(scenario.filter);
    const [slices, layout] = await Promise.all([
      this.analytics.trafficMix(scope, {
        ...scenario.filter,
        firstDay: range.first,
        lastDay: range.last,
        periodStarts: await this.periodStarts(),
      }),
      this.analytics.trafficMixLayout(),
    ]);
    const calibrations = await this.calibrations(scope, scenario, slices, range);
    const result = simulate({
      scenario,
      slices,
      layout,
      pricer,
      organizationId: scope.organizationId,
      profile,
      calibrations,
      now,
    });
    const missing = missingCuts(layout, scenario, profile);
    if (missing.length > 0)
      result.warnings.push(
        `the traffic mix has no bucket edge at ${missing.join(', ')} tokens (the catalog changed since it was built): run \`tokenledger simulate rebuild\` for exact eligibility`,
      );
    return result;
  }

  private async calibrations(
    scope: OrgScope,
    scenario: Scenario,
    slices: Awaited<ReturnType<AnalyticsStore['trafficMix']>>,
    range: { first: string; last: string },
  ): Promise<Map<string, Calibration>> {
    const out = new Map<string, Calibration>();
    for (const move of scenario.moves) {
      if (move.inputEfficiency?.mode !== 'calibrated' && move.outputEfficiency?.mode !== 'calibrated')
        continue;
      const pairs = new Map<string, { feature: string; provider: string; model: string }>();
      for (const s of slices) {
        if (s.model === move.target.model && s.provider === move.target.provider) continue;
        if (
          move.source &&
          (move.source.model !== s.model || (move.source.provider && move.source.provider !== s.provider))
        )
          continue;
        pairs.set(`${s.feature}\u001f${s.provider}\u001f${s.model}`, {
          feature: s.feature,
          provider: s.provider,
          model: s.model,
        });
      }
      if (pairs.size === 0) continue;
      const features = [...new Set([...pairs.values()].map((p) => p.feature))];
      const models = [...new Set([...[...pairs.values()].map((p) => p.model), move.target.model])];
      const days = await this.analytics.dailyUsage(scope, {
        firstDay: range.first,
        lastDay: range.last,
        projects: scenario.filter.projects,
        features,
        models,
      });
      for (const p of pairs.values()) {
        const source = days.filter(
          (d) => d.feature === p.feature && d.model === p.model && d.provider === p.provider,
        );
        const target = days.filter(
          (d) =>
            d.feature === p.feature && d.model === move.target.model && d.provider === move.target.provider,
        );
        const c = calibrate(source, target, seedOf(`${p.feature}|${p.model}|${move.target.model}`));
        if (c)
          out.set(calibrationKey(p.feature, p, move.target), {
            ...c,
            feature: p.feature,
            source: { provider: p.provider, model: p.model },
            target: move.target,
          });
      }
    }
    return out;
  }

  /** For each (feature, current model) of the filter: the cheapest target within the tolerance. */
  async recommend(scope: OrgScope, request: RecommendationRequest, now: Date): Promise<Recommendation[]> {
    const errors = [...filterErrors(request.filter), ...customerErrors(request.filter, 'filter')];
    if (!(Number.isFinite(request.tolerance) && request.tolerance >= 0))
      errors.push({ path: 'tolerance', message: 'must be zero or more (points of the benchmark)' });
    if (!request.benchmark) errors.push({ path: 'benchmark', message: 'is required' });
    const [pricer, profiles] = await Promise.all([this.pricer.current(), this.profiles()]);
    if (request.benchmark && !profiles.some((p) => p.benchmarks[request.benchmark]))
      errors.push({
        path: 'benchmark',
        message: `no model in the catalog has a "${request.benchmark}" score`,
      });
    if (errors.length > 0) throw invalid(errors);
    const range = daysOf(request.filter);
    const [slices, layout] = await Promise.all([
      this.analytics.trafficMix(scope, {
        ...request.filter,
        firstDay: range.first,
        lastDay: range.last,
        periodStarts: await this.periodStarts(),
      }),
      this.analytics.trafficMixLayout(),
    ]);
    const candidates = profiles.filter(
      (p) => p.benchmarks[request.benchmark] && known(pricer, () => p, scope.organizationId, p, now),
    );
    return recommend({
      filter: request.filter,
      slices,
      layout,
      pricer,
      organizationId: scope.organizationId,
      profile: this.lookup(profiles),
      candidates,
      benchmark: request.benchmark,
      tolerance: request.tolerance,
      prices: request.prices,
      now,
    });
  }

  /** The layout the catalog in the database calls for, and the mix rebuilt to it from the events. */
  async rebuild(
    onProgress?: (p: { day: string; done: number; total: number; rows: number }) => void,
  ): Promise<{ days: number; rows: number; inputEdges: number; outputEdges: number }> {
    const [facts, snapshot] = await Promise.all([this.modelFacts.all(), this.rates.loadSnapshot()]);
    const cards = snapshot.tables.flatMap((t) => t.versions.flatMap((v) => v.rates.map((r) => r.prices)));
    const layout = mixLayout(facts, cards);
    const done = await this.analytics.rebuildTrafficMix(layout, onProgress);
    return {
      ...done,
      inputEdges: layout.inputFloors.length - 1,
      outputEdges: layout.outputFloors.length - 1,
    };
  }
}

/** The traffic mix keeps no end-customer dimension (it is per daily rollup cell): say so by field. */
function customerErrors(filter: TrafficFilter, prefix: string): FieldError[] {
  return filter.customers && filter.customers.length > 0
    ? [
        {
          path: `${prefix}.customers`,
          message:
            'simulation cannot select end customers (the traffic mix is kept per project, model, feature and environment); filter by those',
        },
      ]
    : [];
}

/** A model the catalog knows: it has facts, or the pricer has a rate for it now. */
function known(
  pricer: Pricer,
  profile: (ref: { provider: string | null; model: string }) => ModelProfile | null,
  organizationId: string,
  ref: { provider?: string | null; model: string },
  now: Date,
): boolean {
  if (profile({ provider: ref.provider ?? null, model: ref.model })) return true;
  if (!ref.provider) return false;
  const probe: UsageEvent = {
    eventId: 'known',
    occurredAt: now.toISOString(),
    provider: ref.provider,
    model: ref.model,
    usage: {
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      inputImageTokens: 0,
    },
    serviceTier: 'standard',
    feature: null,
    customerId: null,
    environment: 'production',
    inputModalities: ['text'],
    latencyMs: null,
    status: 'success',
    tags: {},
  };
  return pricer.price(probe, organizationId).status !== 'unpriced_model';
}

/** Context windows and output limits of the moves' targets that the stored layout does not cut at. */
function missingCuts(
  layout: { inputFloors: number[]; outputFloors: number[] },
  scenario: Scenario,
  profile: (ref: { provider: string | null; model: string }) => ModelProfile | null,
): number[] {
  const missing = new Set<number>();
  for (const m of scenario.moves) {
    const p = profile(m.target);
    if (p?.contextWindow && !layout.inputFloors.includes(p.contextWindow + 1)) missing.add(p.contextWindow);
    if (p?.maxOutputTokens && !layout.outputFloors.includes(p.maxOutputTokens + 1))
      missing.add(p.maxOutputTokens);
  }
  return [...missing];
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
