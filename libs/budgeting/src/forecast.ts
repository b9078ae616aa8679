/**
 * Forecast of the rest of a period's spend from daily spend. Pure: the caller gives the days and
 * their weekdays. Amounts are USD as numbers: a forecast is an estimate, rounded to cents by the
 * caller, never a charge.
 *
 * - Weekly rhythm: a factor per weekday (median, over recent weeks, of each day against the
 *   centered 7-day mean around it), so weekends and batch nights are expected where they fall.
 * - Level shifts: the clearest step in the deseasonalized series (a model switch, a feature
 *   shipping) within the last weeks is found by a two-sample test on log spend, then the clearest
 *   before it, and so on (up to three).
 * - Projection: level, trend and steps fitted together by least squares on log spend over the last
 *   weeks; the trend shrunk by its t statistic, so weak slopes in noisy spend are projected flat.
 * - Blend: the projection is combined with the period-to-date mean (weekday-adjusted, after any
 *   step, moved along the trend), each weighted by the inverse of its variance: the period-to-date
 *   mean's from the day-to-day noise and how many days of the period are known, the projection's
 *   from the fit and from how far it missed each of the last weeks when made a week earlier.
 */

export interface ForecastParams {
  /** Days of history the weekly factors come from. */
  seasonDays: number;
  /** Days of history the trend is fitted on. */
  trendDays: number;
  /** Days over which a level shift is looked for, and its score threshold (a t-like statistic). */
  shiftDays: number;
  shiftScore: number;
  /** The smallest step worth believing, in log spend (0.15: about 16%). */
  shiftSize: number;
  /** Shrinkage of the trend: its t statistic at which half of it is kept. */
  trendShrink: number;
  /** Weeks back the projection is replayed to see how far it misses (its weight in the blend). */
  checkWeeks: number;
  /** Uncertainty of the level beyond the fit, per day ahead (log spend): widens the range only. */
  drift: number;
  /** z of the range (1.28: an 80% interval). */
  z: number;
}

/**
 * Chosen from what the methods need (a month of trend, a month of weekly checks), not by a grid.
 * shiftScore 4: the largest of ~50 two-sample statistics on noise alone rarely reaches 4 (6 missed
 * a model switch ramped over three days in noisy spend). drift 0.003: set on the development seed
 * of bench:forecast so that about 80% of actual totals fall inside the range.
 */
export const DEFAULT_FORECAST_PARAMS: ForecastParams = {
  seasonDays: 56,
  trendDays: 56,
  shiftDays: 49,
  shiftScore: 4,
  shiftSize: 0.15,
  trendShrink: 3,
  checkWeeks: 4,
  drift: 0.003,
  z: 1.28,
};

export interface DailyForecast {
  /** Expected spend of each day ahead, in order. */
  days: number[];
  /** Their sum, and an interval around it. */
  total: number;
  low: number;
  high: number;
  /**
   * The weight (0–1) of the period-to-date mean in the level of the days ahead; the projection
   * from the weeks before has the rest. 0 when no day of the period is known.
   */
  periodWeight: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * One factor per weekday (0 = Sunday … 6 = Saturday), mean 1: the median, per weekday, of each day's
 * spend over the 7-day mean centered on it (trailing for the last three days). All 1 with less
 * than two weeks of history.
 */
export function weekdayFactors(
  series: readonly number[],
  weekdays: readonly number[],
  seasonDays: number,
): number[] {
  const n = series.length;
  if (n < 14) return new Array<number>(7).fill(1);
  const ratios: number[][] = Array.from({ length: 7 }, () => []);
  for (let t = Math.max(3, n - seasonDays); t < n; t++) {
    const from = Math.min(t - 3, n - 7);
    const window = mean(series.slice(from, from + 7));
    if (window > 0) ratios[weekdays[t]!]!.push(series[t]! / window);
  }
  const raw = ratios.map((r) => (r.length ? median(r) : 1));
  const m = mean(raw);
  return m > 0 ? raw.map((f) => f / m) : new Array<number>(7).fill(1);
}

/** The clearest step in `y` (log spend) among its last `days`: its index and size, or null. */
function levelShift(
  y: readonly number[],
  days: number,
  threshold: number,
  minSize: number,
): { at: number; size: number } | null {
  const n = y.length;
  if (n < 14) return null;
  // Day-to-day noise, robustly: the MAD of first differences / √2.
  const diffs = y
    .slice(Math.max(1, n - 56))
    .map((v, i, a) => (i === 0 ? 0 : v - a[i - 1]!))
    .slice(1);
  const sigma = Math.max(1e-3, (1.4826 * median(diffs.map((d) => Math.abs(d - median(diffs))))) / Math.SQRT2);
  let best: { at: number; size: number; score: number } | null = null;
  for (let k = Math.max(7, n - days); k <= n - 2; k++) {
    const before = y.slice(Math.max(0, k - 14), k);
    const after = y.slice(k);
    // Means, not medians: the split that best separates two levels (a median would prefer an
    // earlier split whose "after" is just over half new level).
    const size = mean(after) - mean(before);
    const score =
      (Math.abs(size) / sigma) * Math.sqrt((before.length * after.length) / (before.length + after.length));
    if (score > threshold && Math.abs(size) >= minSize && (!best || score > best.score))
      best = { at: k, size, score };
  }
  return best ? { at: best.at, size: best.size } : null;
}

/** The inverse of a small symmetric positive-definite matrix (Gauss–Jordan), or null if singular. */
function invert(m: readonly (readonly number[])[]): number[][] | null {
  const k = m.length;
  const a = m.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) return null;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const pivot = a[c]![c]!;
    for (let j = 0; j < 2 * k; j++) a[c]![j]! /= pivot;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let j = 0; j < 2 * k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(k));
}

/** Level, trend and steps of log spend: y[t] ≈ a + g·t + Σ δᵢ·[t ≥ stepᵢ], fitted over t ≥ from. */
interface LineFit {
  a: number;
  g: number;
  /** The sum of the steps' sizes: the level after the last one over the line. */
  delta: number;
  /** The steps inside the fit, in order (their first days). */
  steps: number[];
  /** (XᵀX)⁻¹ of the columns 1, t and [t ≥ stepᵢ]: variances are σ² times it. */
  inverse: number[][];
  /** Residual variance (degrees of freedom taken into account). */
  s2: number;
  /** Mean of exp(residual): the mean day over the median day of the fit. */
  correction: number;
}

/** Least squares of y[t] = a + g·t + Σ δᵢ·[t ≥ stepᵢ] over t ≥ from (steps outside it are left out). */
function fitLine(y: readonly number[], from: number, steps: readonly number[]): LineFit | null {
  const n = y.length;
  const inside = steps.filter((s) => s > from && s < n);
  const row = (t: number) => [1, t, ...inside.map((s) => (t >= s ? 1 : 0))];
  const k = 2 + inside.length;
  if (n - from <= k) return null;
  const xtx = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xty = new Array<number>(k).fill(0);
  for (let t = from; t < n; t++) {
    const x = row(t);
    for (let i = 0; i < k; i++) {
      xty[i]! += x[i]! * y[t]!;
      for (let j = 0; j < k; j++) xtx[i]![j]! += x[i]! * x[j]!;
    }
  }
  const inverse = invert(xtx);
  if (!inverse) return null;
  const beta = inverse.map((r) => r.reduce((s, v, j) => s + v * xty[j]!, 0));
  const residuals: number[] = [];
  for (let t = from; t < n; t++) residuals.push(y[t]! - row(t).reduce((s, v, j) => s + v * beta[j]!, 0));
  return {
    a: beta[0]!,
    g: beta[1]!,
    delta: beta.slice(2).reduce((s, v) => s + v, 0),
    steps: inside,
    inverse,
    s2: residuals.reduce((s, r) => s + r * r, 0) / (residuals.length - k),
    correction: mean(residuals.map((r) => Math.exp(r))),
  };
}

/** xᵀ M x. */
const quadratic = (m: readonly (readonly number[])[], x: readonly number[]) =>
  x.reduce((s, xi, i) => s + xi * x.reduce((t, xj, j) => t + m[i]![j]! * xj, 0), 0);

/** What the history says about the days after it, before any period-to-date mean is blended in. */
interface Projection {
  factors: number[];
  /** Day-to-day variance of log spend around the fit. */
  s2: number;
  /** The last step found (its first day), or null. */
  step: number | null;
  /** The trend ahead, per day (log spend), after shrinkage. */
  trend: number;
  /** Log of the mean daily (deseasonalized) spend expected at day `t` (a real number), and its variance. */
  at(t: number): { log: number; variance: number };
}

const FALLBACK_S2 = 0.15 ** 2;
/** Steps fitted at most: the clearest in the shift window, then the clearest before each. */
const MAX_STEPS = 3;

/** Weekly factors, step, and the projection of the deseasonalized level (see the file's comment). */
function project(series: readonly number[], weekdays: readonly number[], params: ForecastParams): Projection {
  const n = series.length;
  const factors = weekdayFactors(series, weekdays, params.seasonDays);
  const d = series.map((v, t) => v / (factors[weekdays[t]!]! || 1));
  const positive = d.filter((v) => v > 0);
  const floor = Math.max(1e-9, 0.01 * mean(positive));
  const y = d.map((v) => Math.log(Math.max(v, floor)));
  // Trend: a step is looked for with the trend taken out (growth is not a step), the trend for
  // that from week-over-week changes (their median: a step moves only the seven that straddle it);
  // then level, trend and step are fitted together over the recent weeks (a step is not growth).
  const weekly: number[] = [];
  for (let t = Math.max(7, n - params.trendDays); t < n; t++) weekly.push((y[t]! - y[t - 7]!) / 7);
  const rough = weekly.length >= 7 ? median(weekly) : 0;
  // Steps: the clearest, then the clearest before it, and so on (up to MAX_STEPS): a step left out
  // of the fit would be read as a trend (a model switch a month before a launch as a decline).
  const detrended = y.map((v, t) => v - rough * t);
  const steps: number[] = [];
  for (let end = n; steps.length < MAX_STEPS;) {
    const shift = levelShift(
      detrended.slice(0, end),
      params.shiftDays - (n - end),
      params.shiftScore,
      params.shiftSize,
    );
    if (!shift) break;
    steps.unshift(shift.at);
    end = shift.at;
  }
  const from = Math.max(0, n - params.trendDays);
  const fit = n >= 14 ? fitLine(y, from, steps) : null;
  if (!fit) {
    // Under two weeks: the mean day, flat.
    const level = Math.log(Math.max(mean(d), floor));
    const s2 =
      y.length > 2 ? mean(y.map((v) => (v - mean(y)) ** 2)) * (y.length / (y.length - 1)) : FALLBACK_S2;
    return { factors, s2, step: null, trend: 0, at: () => ({ log: level, variance: s2 / Math.max(1, n) }) };
  }
  // The trend ahead, shrunk by how sure the fit is of it (t²/(t² + k²)): noisy spend with a weak
  // slope is projected flat rather than extrapolated, clear growth nearly in full.
  const s2 = Math.max(fit.s2, 1e-8);
  const tStat = fit.g / Math.sqrt(s2 * fit.inverse[1]![1]!);
  const keep = (tStat * tStat) / (tStat * tStat + params.trendShrink ** 2);
  const last = n - 1;
  return {
    factors,
    s2,
    step: fit.steps.at(-1) ?? null,
    trend: fit.g * keep,
    at: (t) => {
      // The fitted line up to the last day, the shrunk trend after it; every step has happened.
      const x = [1, last + keep * (t - last), ...fit.steps.map(() => 1)];
      return {
        log: fit.a + fit.g * x[1]! + fit.delta + Math.log(fit.correction),
        variance: s2 * quadratic(fit.inverse, x),
      };
    },
  };
}

/**
 * How far the projection misses beyond what its own variance allows: replayed from 1 … `weeks`
 * weeks back, the squared miss on the following week's mean, less the week's noise and the
 * projection's variance, averaged (≥ 0). Spend that changes in ways the fit does not model
 * (a drifting level, a bend in the trend) misses more.
 */
function projectionMisfit(
  series: readonly number[],
  weekdays: readonly number[],
  params: ForecastParams,
): number {
  const excess: number[] = [];
  for (let k = 1; k <= params.checkWeeks; k++) {
    const origin = series.length - 7 * k;
    if (origin < 35) break;
    const p = project(series.slice(0, origin), weekdays.slice(0, origin), params);
    let sum = 0,
      fs = 0,
      f2 = 0;
    for (let t = origin; t < origin + 7; t++) {
      const f = p.factors[weekdays[t]!]!;
      sum += series[t]!;
      fs += f;
      f2 += f * f;
    }
    if (sum <= 0 || fs <= 0) continue;
    const expected = p.at(origin + 3);
    excess.push((expected.log - Math.log(sum / fs)) ** 2 - (p.s2 * f2) / (fs * fs) - expected.variance);
  }
  return excess.length ? Math.max(0, mean(excess)) : 0;
}

/**
 * Spend of the days ahead (`aheadWeekdays`, in order) after `series` (daily spend, oldest first,
 * with `weekdays` of each day), with the range of their total. `periodDays`: how many of the last
 * days of `series` belong to the period being forecast (its mean so far is blended in).
 */
export function forecastDays(
  series: readonly number[],
  weekdays: readonly number[],
  aheadWeekdays: readonly number[],
  params: ForecastParams = DEFAULT_FORECAST_PARAMS,
  periodDays = 0,
): DailyForecast {
  const h = aheadWeekdays.length;
  const n = series.length;
  if (n === 0 || series.every((v) => v <= 0))
    return { days: new Array<number>(h).fill(0), total: 0, low: 0, high: 0, periodWeight: 0 };
  const p = project(series, weekdays, params);
  // The level of the days ahead, at their middle day.
  const center = n - 1 + (h + 1) / 2;
  const projected = p.at(center);
  const vProjection = projected.variance + (periodDays > 0 ? projectionMisfit(series, weekdays, params) : 0);
  // The period so far: spend over the weekly factors of its days (a weekday-adjusted mean), from
  // the step on if there was one in it, moved to the middle of the days ahead along the trend.
  const first = Math.max(n - Math.min(periodDays, n), p.step ?? 0);
  let sum = 0,
    fs = 0,
    f2 = 0,
    ft = 0;
  for (let t = first; t < n; t++) {
    const f = p.factors[weekdays[t]!]!;
    sum += series[t]!;
    fs += f;
    f2 += f * f;
    ft += f * t;
  }
  let level = projected.log;
  let vLevel = vProjection;
  let periodWeight = 0;
  if (periodDays > 0 && sum > 0 && fs > 0) {
    const soFar = Math.log(sum / fs) + p.trend * (center - ft / fs);
    const vSoFar = (p.s2 * f2) / (fs * fs);
    periodWeight = vProjection / (vProjection + vSoFar);
    level = periodWeight * soFar + (1 - periodWeight) * projected.log;
    vLevel = (vProjection * vSoFar) / (vProjection + vSoFar);
  }
  const days = aheadWeekdays.map((w, i) => Math.exp(level + p.trend * (n + i - center)) * p.factors[w]!);
  const total = days.reduce((a, b) => a + b, 0);
  // Range: the noise of the days ahead (their weekday-weighted mean), the level's uncertainty and
  // a drift that grows with the horizon.
  const fa = aheadWeekdays.map((w) => p.factors[w]!);
  const sa = fa.reduce((a, b) => a + b, 0);
  const vAhead = sa > 0 ? (p.s2 * fa.reduce((a, b) => a + b * b, 0)) / (sa * sa) : 0;
  const spread = params.z * total * Math.sqrt(vAhead + vLevel + (params.drift * h) ** 2);
  return { days, total, low: Math.max(0, total - spread), high: total + spread, periodWeight };
}

/** LiteLLM's forecast: spend so far ÷ days elapsed × days in the period. */
export function runRateForecast(spentSoFar: number, daysElapsed: number, daysInPeriod: number): number {
  return daysElapsed > 0 ? (spentSoFar / daysElapsed) * daysInPeriod : 0;
}

/** The first day ahead on which spend so far plus the forecast reaches `amount` (its index), or null. */
export function crossingDay(spentSoFar: number, days: readonly number[], amount: number): number | null {
  let total = spentSoFar;
  if (total >= amount) return 0;
  for (let i = 0; i < days.length; i++) {
    total += days[i]!;
    if (total >= amount) return i;
  }
  return null;
}
