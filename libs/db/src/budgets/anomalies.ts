import {
  DAILY_ANOMALY_OPTIONS,
  detectAnomalies,
  HOURLY_ANOMALY_OPTIONS,
  materialUsd,
  seasonalBaseline,
  type AnomalyOptions,
} from '@tokenledger/budgeting';
import { ErrorCode, TOKEN_KINDS, TokenledgerError } from '@tokenledger/contracts';
import type { OrgScope } from '../accounts/scope';
import type { SpendRequest, SpendTotals } from '../spend/spend.repository';
import type { AnalyticsStore } from '../store/analytics-store';

export type AnomalyDimension = 'PROJECT' | 'FEATURE' | 'CUSTOMER' | 'MODEL';
export type AnomalyGranularity = 'DAY' | 'HOUR';

export interface AnomalyQuery {
  dimension: AnomalyDimension;
  granularity: AnomalyGranularity;
  /** Buckets starting at or after this are examined; earlier ones are history. */
  since: Date;
  limit: number;
}

/** What a bucket held, to compare with its baseline. */
export interface BucketFacts {
  costUsd: number;
  requests: number;
  tokensPerRequest: number;
  unpricedRequests: number;
}

export interface SpendAnomalyRecord {
  dimension: AnomalyDimension;
  /** The project slug, feature, customer id or model ("" for usage without one). */
  value: string;
  granularity: AnomalyGranularity;
  bucketStart: Date;
  /** spike: spend far above its seasonal baseline; unpriced: usage that could not be priced appeared. */
  kind: 'spike' | 'unpriced';
  score: number;
  actual: BucketFacts;
  baseline: BucketFacts;
  /** Cost share by model in the bucket and in the same bucket a season earlier. */
  modelMix: { model: string; shareNow: number; shareBefore: number }[];
}

const DIM_FIELD = { PROJECT: 'project', FEATURE: 'feature', CUSTOMER: 'customer', MODEL: 'model' } as const;
const HOUR = 3_600_000;

function bucketMs(g: AnomalyGranularity): number {
  return g === 'DAY' ? 24 * HOUR : HOUR;
}

function facts(rows: readonly SpendTotals[]): BucketFacts & { tokens: number } {
  const cost = rows.reduce((s, r) => s + r.costUsd.toNumber(), 0);
  const requests = rows.reduce((s, r) => s + r.requests, 0);
  const tokens = rows.reduce(
    (s, r) => s + TOKEN_KINDS.filter((k) => k.total === null).reduce((n, k) => n + r[k.field], 0),
    0,
  );
  const unpriced = rows.reduce((s, r) => s + r.unpricedRequests, 0);
  return {
    costUsd: cost,
    requests,
    tokens,
    tokensPerRequest: requests ? tokens / requests : 0,
    unpricedRequests: unpriced,
  };
}

/**
 * Unusual spend per project, feature, customer or model, by UTC day or hour, from the rollups: each
 * series against its seasonal baseline (libs/budgeting detectAnomalies), each anomaly explained by
 * requests, tokens per request, unpriced usage and the model mix against the season before.
 */
export class AnomalyFinder {
  constructor(private readonly analytics: AnalyticsStore) {}

  async find(scope: OrgScope, q: AnomalyQuery, now: Date): Promise<SpendAnomalyRecord[]> {
    const o: AnomalyOptions = q.granularity === 'DAY' ? DAILY_ANOMALY_OPTIONS : HOURLY_ANOMALY_OPTIONS;
    const step = bucketMs(q.granularity);
    const maxLookback = q.granularity === 'DAY' ? 92 : 14;
    if (!(q.since < now) || now.getTime() - q.since.getTime() > maxLookback * 24 * HOUR)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `filter.since: must be in the last ${maxLookback} days for ${q.granularity}`,
      );
    if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 200)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'limit: must be from 1 to 200');
    const since = Math.floor(q.since.getTime() / step) * step;
    // History: the seasons the baselines of the examined buckets come from and, by day, as many
    // again before them, so the series' usual spread is measured on buckets with full baselines.
    const from = since - (q.granularity === 'DAY' ? 2 : 1) * o.season * o.seasons * step;
    const to = Math.ceil(now.getTime() / step) * step;
    const field = DIM_FIELD[q.dimension];
    // Read in slices of time (14 days by day, one day by hour): each within the spend query's limit.
    const slice = (q.granularity === 'DAY' ? 14 : 1) * 24 * HOUR;
    const rows: SpendTotals[] = [];
    for (let start = from; start < to; start += slice) {
      const part = await this.analytics.spend(scope, {
        from: new Date(start),
        to: new Date(Math.min(to, start + slice)),
        groupBy: [q.dimension, q.granularity],
        timeZone: 'UTC',
        limit: 10_000,
      });
      if (part.length >= 10_000)
        throw new TokenledgerError(
          ErrorCode.ValidationFailed,
          `filter: too many ${q.dimension.toLowerCase()} × ${q.granularity.toLowerCase()} cells; shorten the range`,
        );
      rows.push(...part);
    }
    const n = Math.round((to - from) / step);
    const byValue = new Map<string, SpendTotals[][]>();
    for (const r of rows) {
      const value = r[field] ?? '';
      let series = byValue.get(value);
      if (!series) byValue.set(value, (series = Array.from({ length: n }, () => [])));
      const i = Math.round((r.period!.getTime() - from) / step);
      if (i >= 0 && i < n) series[i]!.push(r);
    }
    const first = Math.round((since - from) / step);
    // What counts as material: a share of the organization's usual spend per bucket (before `since`).
    const totals = new Array<number>(first).fill(0);
    for (const buckets of byValue.values())
      buckets.slice(0, first).forEach((cell, i) => cell.forEach((r) => (totals[i]! += r.costUsd.toNumber())));
    const material = materialUsd(totals, o);
    const found: Omit<SpendAnomalyRecord, 'modelMix'>[] = [];
    for (const [value, buckets] of byValue) {
      const all = buckets.map(facts);
      const baselineOf = (t: number): BucketFacts => {
        const pick = (k: keyof BucketFacts) =>
          seasonalBaseline(
            all.map((f) => f[k]),
            t,
            o,
          ) ?? 0;
        return {
          costUsd: pick('costUsd'),
          requests: pick('requests'),
          tokensPerRequest: pick('tokensPerRequest'),
          unpricedRequests: pick('unpricedRequests'),
        };
      };
      const strip = ({ tokens: _tokens, ...f }: BucketFacts & { tokens: number }): BucketFacts => f;
      for (const a of detectAnomalies(all, first, o, material))
        found.push({
          dimension: q.dimension,
          value,
          granularity: q.granularity,
          bucketStart: new Date(from + a.index * step),
          kind: a.kind,
          score: a.score,
          actual: strip(all[a.index]!),
          baseline: baselineOf(a.index),
        });
    }
    found.sort((a, b) => (a.kind === b.kind ? b.score - a.score : a.kind === 'spike' ? -1 : 1));
    const top = found.slice(0, q.limit);
    return Promise.all(
      top.map(async (a) => ({ ...a, modelMix: await this.modelMix(scope, a, step, o.season) })),
    );
  }

  private async modelMix(
    scope: OrgScope,
    a: Omit<SpendAnomalyRecord, 'modelMix'>,
    step: number,
    season: number,
  ): Promise<SpendAnomalyRecord['modelMix']> {
    const filter: Pick<SpendRequest, 'projects' | 'values'> =
      a.dimension === 'PROJECT'
        ? { projects: [a.value] }
        : { values: { [DIM_FIELD[a.dimension]]: [a.value] } };
    const mix = async (start: number) => {
      const rows = await this.analytics.spend(scope, {
        from: new Date(start),
        to: new Date(start + step),
        groupBy: ['MODEL'],
        timeZone: 'UTC',
        limit: 50,
        ...filter,
      });
      const total = rows.reduce((s, r) => s + r.costUsd.toNumber(), 0);
      return new Map(rows.map((r) => [r.model ?? '', total > 0 ? r.costUsd.toNumber() / total : 0]));
    };
    const now = await mix(a.bucketStart.getTime());
    const before = await mix(a.bucketStart.getTime() - season * step);
    return [...new Set([...now.keys(), ...before.keys()])]
      .map((model) => ({ model, shareNow: now.get(model) ?? 0, shareBefore: before.get(model) ?? 0 }))
      .sort((x, y) => y.shareNow - x.shareNow)
      .slice(0, 10);
  }
}
