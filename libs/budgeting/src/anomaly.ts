/**
 * Unusual spend in a series of buckets (days or hours): each bucket against a seasonal baseline (the
 * median of the same weekday, or the same hour of the week, in the previous seasons) and a robust
 * score (the excess over the baseline in units of the series' median absolute deviation from its
 * baselines). Spikes only: a drop in spend is not an alarm. Pure.
 */

export interface AnomalyOptions {
  /** Buckets per season: 7 for days (weekly rhythm), 168 for hours (hour of the week). */
  season: number;
  /** Previous seasons the baseline is the median of. */
  seasons: number;
  /** Robust score above which a bucket is unusual. */
  threshold: number;
  /** Ignore excesses smaller than this share of the baseline (noise of tiny series). */
  minRelativeExcess: number;
  /** Ignore buckets whose value is below this (USD). */
  minValue: number;
}

export const DAILY_ANOMALY_OPTIONS: AnomalyOptions = {
  season: 7,
  seasons: 4,
  threshold: 5,
  minRelativeExcess: 0.5,
  minValue: 1,
};
export const HOURLY_ANOMALY_OPTIONS: AnomalyOptions = {
  season: 168,
  seasons: 3,
  threshold: 6,
  minRelativeExcess: 1,
  minValue: 0.5,
};

export interface Anomaly {
  index: number;
  value: number;
  baseline: number;
  score: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The seasonal baseline of bucket `t`: median of the same bucket in up to `seasons` previous seasons. */
export function seasonalBaseline(series: readonly number[], t: number, o: AnomalyOptions): number | null {
  const past: number[] = [];
  for (let k = 1; k <= o.seasons; k++) if (t - k * o.season >= 0) past.push(series[t - k * o.season]!);
  return past.length >= Math.min(2, o.seasons) ? median(past) : null;
}

/** Unusual buckets among those from index `from` on (earlier ones are history only). */
export function detectAnomalies(series: readonly number[], from: number, o: AnomalyOptions): Anomaly[] {
  const residuals: number[] = [];
  const baselines: (number | null)[] = series.map((_, t) => seasonalBaseline(series, t, o));
  for (let t = 0; t < from; t++) if (baselines[t] !== null) residuals.push(series[t]! - baselines[t]!);
  const found: Anomaly[] = [];
  for (let t = from; t < series.length; t++) {
    const baseline = baselines[t];
    if (baseline === null || baseline === undefined) continue;
    const value = series[t]!;
    const history = residuals.slice(-o.season * o.seasons);
    const mad = median(history.map((r) => Math.abs(r - median(history))));
    const scale = 1.4826 * mad + 0.05 * Math.max(baseline, o.minValue);
    const score = (value - baseline) / scale;
    if (score > o.threshold && value >= o.minValue && value - baseline > o.minRelativeExcess * baseline)
      found.push({ index: t, value, baseline, score });
    else residuals.push(value - baseline);
  }
  return found;
}
