/**
 * Unusual spend in a series of buckets (days or hours). Pure.
 *
 * - Seasonal baseline: the median of the same bucket (same weekday, or the same hour of the week)
 *   in the previous `seasons` seasons, so weekends and nights are compared with weekends and nights.
 * - Robust score: the log ratio of the bucket to its baseline, both plus a materiality amount
 *   (so a few cents doubling is not an alarm), in units of the series' own spread of that ratio
 *   over its recent history (1.4826 × median absolute deviation, with a floor): a noisy small
 *   series needs a larger jump than a steady large one.
 * - Minimum volume: a spike needs a material excess in USD (a share of the organization's usual
 *   spend per bucket), enough requests, and a baseline (a series that had no traffic in most of
 *   its previous seasons is new, not unusual).
 * - Unpriced usage appearing where there was none in the previous seasons is its own kind.
 * Spikes only: a drop in spend is not an alarm.
 */

export interface AnomalyOptions {
  /** Buckets per season: 7 for days (weekly rhythm), 168 for hours (hour of the week). */
  season: number;
  /** Previous seasons the baseline is the median of. */
  seasons: number;
  /** Robust score above which a bucket is unusual. */
  threshold: number;
  /** Floor of the log-ratio spread (a perfectly steady series still varies by this much). */
  minSpread: number;
  /** Material excess: at least this share of the organization's median spend per bucket. */
  materialShare: number;
  /** At least this many requests in the bucket. */
  minRequests: number;
}

export const DAILY_ANOMALY_OPTIONS: AnomalyOptions = {
  season: 7,
  seasons: 4,
  threshold: 4,
  minSpread: 0.12,
  materialShare: 0.01,
  minRequests: 5,
};
export const HOURLY_ANOMALY_OPTIONS: AnomalyOptions = {
  season: 168,
  seasons: 4,
  threshold: 4.5,
  minSpread: 0.2,
  materialShare: 0.5,
  minRequests: 10,
};

/** What a bucket held. */
export interface BucketFacts {
  costUsd: number;
  requests: number;
  /** Input plus output tokens. */
  tokens: number;
  unpricedRequests: number;
}

export interface Anomaly {
  index: number;
  kind: 'spike' | 'unpriced';
  /** Robust score (spike) or unpriced requests (unpriced). */
  score: number;
  /** Cost of the bucket and its seasonal baseline (USD). */
  value: number;
  baseline: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The previous seasons' values of bucket `t`, nearest first. */
function pastValues(series: readonly number[], t: number, o: AnomalyOptions): number[] {
  const past: number[] = [];
  for (let k = 1; k <= o.seasons; k++) if (t - k * o.season >= 0) past.push(series[t - k * o.season]!);
  return past;
}

/** The seasonal baseline of bucket `t`: median of the same bucket in up to `seasons` previous seasons. */
export function seasonalBaseline(series: readonly number[], t: number, o: AnomalyOptions): number | null {
  const past = pastValues(series, t, o);
  return past.length >= Math.min(2, o.seasons) ? median(past) : null;
}

/** The material amount for a set of series: `materialShare` of the median total per bucket. */
export function materialUsd(totalPerBucket: readonly number[], o: AnomalyOptions): number {
  return Math.max(1e-6, o.materialShare * median(totalPerBucket.filter((x) => x > 0)));
}

/**
 * Unusual buckets among those from index `from` on (earlier ones are history only). `material` is
 * the smallest excess over the baseline worth an alarm (USD; see materialUsd).
 */
export function detectAnomalies(
  buckets: readonly BucketFacts[],
  from: number,
  o: AnomalyOptions,
  material: number,
): Anomaly[] {
  const cost = buckets.map((b) => b.costUsd);
  const requests = buckets.map((b) => b.requests);
  const n = buckets.length;
  // The level at t: mean spend of the season before it (prefix sums).
  const sums = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) sums[t + 1] = sums[t]! + cost[t]!;
  const level = (t: number) => (t >= o.season ? (sums[t]! - sums[t - o.season]!) / o.season : null);
  // Baseline: the same bucket of the previous seasons, each scaled to today's level, median. A level
  // shift (a planned model change, growth) is followed within a season instead of alarming on every
  // bucket until the old seasons leave the median.
  const baselineAt = (t: number): number | null => {
    const now = level(t);
    const scaled: number[] = [];
    for (let k = 1; k <= o.seasons; k++) {
      const then = level(t - k * o.season);
      if (t - k * o.season < 0 || now === null || then === null) continue;
      scaled.push(then > 0 ? (cost[t - k * o.season]! * now) / then : cost[t - k * o.season]!);
    }
    return scaled.length >= Math.min(2, o.seasons) ? median(scaled) : null;
  };
  // Log ratio to the baseline, both plus a quarter of the material amount: cents doubling is not news.
  const damp = material / 4;
  // A series new at t (or mostly idle in its previous seasons) has no baseline to be unusual
  // against: not examined, and not part of the history its spread is measured on.
  const established = (t: number) => {
    const past = pastValues(requests, t, o);
    return past.length >= Math.min(2, o.seasons) && past.filter((r) => r > 0).length >= past.length - 1;
  };
  const ratio: (number | null)[] = new Array<number | null>(n).fill(null);
  const baselines: (number | null)[] = new Array<number | null>(n).fill(null);
  for (let t = Math.max(0, from - o.season * o.seasons); t < n; t++) {
    const b = baselineAt(t);
    baselines[t] = b;
    if (b !== null && (cost[t]! > 0 || b > 0)) ratio[t] = Math.log((cost[t]! + damp) / (b + damp));
  }
  // The series' usual spread of that ratio over the seasons before `from`. Normal noise: 1.4826 ×
  // MAD; heavy-tailed series (a few very long requests now and then) also by their 90th percentile
  // deviation (1.645 σ for normal noise), so their usual tail is not news.
  const history: number[] = [];
  for (let t = Math.max(0, from - o.season * o.seasons); t < from; t++)
    if (ratio[t] !== null && established(t)) history.push(ratio[t]!);
  const center = median(history);
  const abs = history.map((r) => Math.abs(r - center)).sort((a, b) => a - b);
  const q90 = abs.length ? abs[Math.floor(0.9 * (abs.length - 1))]! : 0;
  // The tail counts up to 2.5 × the MAD's σ: a level shift inside the history (a week of buckets
  // against baselines from before it) must not make the series deaf.
  const sigma = 1.4826 * median(abs);
  const spread = Math.max(o.minSpread, sigma, Math.min(q90 / 1.645, 2.5 * Math.max(sigma, o.minSpread)));
  const found: Anomaly[] = [];
  for (let t = from; t < n; t++) {
    const b = buckets[t]!;
    const pastUnpriced = buckets
      .slice(Math.max(0, t - o.season * o.seasons), t)
      .some((x) => x.unpricedRequests > 0);
    if (b.unpricedRequests > 0 && !pastUnpriced)
      found.push({
        index: t,
        kind: 'unpriced',
        score: b.unpricedRequests,
        value: b.costUsd,
        baseline: baselines[t] ?? 0,
      });
    if (ratio[t] === null || !established(t)) continue;
    const baseline = baselines[t]!;
    const score = (ratio[t]! - center) / spread;
    if (score > o.threshold && b.costUsd - baseline >= material && b.requests >= o.minRequests)
      found.push({ index: t, kind: 'spike', score, value: b.costUsd, baseline });
  }
  return found;
}

/** An anomaly placed in its series, as groupAnomalies needs it. */
export interface GroupableAnomaly {
  dimension: string;
  value: string;
  index: number;
  kind: 'spike' | 'unpriced';
  /** Cost of the bucket and its baseline (USD). */
  cost: number;
  baseline: number;
}

/**
 * Groups anomalies that are the same incident seen in several series: the same series in
 * adjacent buckets (a burst over several hours), or two series in the same or adjacent buckets
 * that `related` says share the traffic (e.g. a customer and the feature its excess went through);
 * unpriced anomalies are related across any distance (the same unpriced model appearing in one
 * customer after another). Returns the groups, each led by its primary: among the members whose
 * excess is at least half the largest, the one with the largest jump (the most specific cause).
 */
export function groupAnomalies<A extends GroupableAnomaly>(
  items: readonly A[],
  related: (a: A, b: A) => boolean,
  material: number,
  gap = 1,
): A[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      const near = Math.abs(a.index - b.index) <= gap;
      const same = a.dimension === b.dimension && a.value === b.value;
      const both = a.kind === 'unpriced' && b.kind === 'unpriced';
      if (
        (near && same && a.kind === b.kind) ||
        ((near || both) && !same && a.kind === b.kind && related(a, b))
      )
        parent[find(i)] = find(j);
    }
  const groups = new Map<number, A[]>();
  items.forEach((a, i) => {
    const root = find(i);
    const g = groups.get(root) ?? [];
    g.push(a);
    groups.set(root, g);
  });
  const excess = (a: A) => a.cost - a.baseline;
  const jump = (a: A) => (a.cost + material) / (a.baseline + material);
  return [...groups.values()].map((g) => {
    // Unpriced usage is about a model: led by the model that appeared, where one did.
    const model = g.find((a) => a.kind === 'unpriced' && a.dimension === 'MODEL');
    if (model) return [model, ...g.filter((a) => a !== model).sort((a, b) => a.index - b.index)];
    const most = Math.max(...g.map(excess));
    const lead = g
      .filter((a) => excess(a) >= most / 2)
      .reduce(
        (best, a) => (jump(a) > jump(best) ? a : best),
        g.reduce((x, y) => (excess(y) > excess(x) ? y : x)),
      );
    return [lead, ...g.filter((a) => a !== lead).sort((a, b) => a.index - b.index)];
  });
}
