/**
 * Forecast of the rest of a period's spend from daily spend. Pure: the caller gives the days and
 * their weekdays. Amounts are USD as numbers: a forecast is an estimate, rounded to cents by the
 * caller, never a charge.
 *
 * - Weekly rhythm: a factor per weekday (median, over recent weeks, of each day against the
 *   centered 7-day mean around it), so weekends and batch nights are expected where they fall.
 * - Level shifts: the most recent clear step in the deseasonalized series (a model switch, a
 *   feature shipping) within the last weeks is found by a two-sample test on log spend; only the
 *   days after it say what the level is now.
 * - Trend: the slope of log spend over the recent weeks (the step taken out), damped ahead.
 * - Level now: the median of the last days after the step, brought to today along the trend.
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
  /** Days at the end whose median is the level now. */
  levelDays: number;
  /** Trend damping per day ahead (≤ 1). */
  phi: number;
  /** Shrinkage of the trend: its t statistic at which half of it is kept. */
  trendShrink: number;
  /** z of the range (1.28: an 80% interval). */
  z: number;
}

/** Chosen once from what the methods need (a month of trend, two weeks for a level), not by a grid. */
export const DEFAULT_FORECAST_PARAMS: ForecastParams = {
  seasonDays: 56,
  trendDays: 56,
  shiftDays: 49,
  shiftScore: 6,
  shiftSize: 0.15,
  levelDays: 14,
  phi: 1,
  trendShrink: 3,
  z: 1.28,
};

export interface DailyForecast {
  /** Expected spend of each day ahead, in order. */
  days: number[];
  /** Their sum, and an interval around it. */
  total: number;
  low: number;
  high: number;
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

/** The most recent clear step in `y` (log spend) among the last `days`: its index and size, or null. */
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

/** Least squares of y[t] = a + g·t + δ·[t ≥ step] over t ≥ from (no step term when step is null). */
function fitLine(
  y: readonly number[],
  from: number,
  step: number | null,
): { a: number; g: number; delta: number } {
  // Normal equations over the columns 1, t, s (s = 1 from the step on).
  let n = 0,
    st = 0,
    ss = 0,
    stt = 0,
    sts = 0,
    sy = 0,
    sty = 0,
    ssy = 0;
  for (let t = from; t < y.length; t++) {
    const s = step !== null && t >= step ? 1 : 0;
    n++;
    st += t;
    ss += s;
    stt += t * t;
    sts += t * s;
    sy += y[t]!;
    sty += t * y[t]!;
    ssy += s * y[t]!;
  }
  const withStep = step !== null && ss > 0 && ss < n;
  if (!withStep) {
    const den = n * stt - st * st;
    const g = den > 0 ? (n * sty - st * sy) / den : 0;
    return { a: (sy - g * st) / n, g, delta: 0 };
  }
  // Solve the 3×3 system by Cramer's rule.
  const m = [
    [n, st, ss],
    [st, stt, sts],
    [ss, sts, ss],
  ];
  const r = [sy, sty, ssy];
  const det = (x: number[][]) =>
    x[0]![0]! * (x[1]![1]! * x[2]![2]! - x[1]![2]! * x[2]![1]!) -
    x[0]![1]! * (x[1]![0]! * x[2]![2]! - x[1]![2]! * x[2]![0]!) +
    x[0]![2]! * (x[1]![0]! * x[2]![1]! - x[1]![1]! * x[2]![0]!);
  const d = det(m);
  const col = (i: number) => m.map((row, k) => row.map((v, j) => (j === i ? r[k]! : v)));
  return { a: det(col(0)) / d, g: det(col(1)) / d, delta: det(col(2)) / d };
}

/**
 * Spend of the days ahead (`aheadWeekdays`, in order) after `series` (daily spend, oldest first,
 * with `weekdays` of each day), with the range of their total.
 */
export function forecastDays(
  series: readonly number[],
  weekdays: readonly number[],
  aheadWeekdays: readonly number[],
  params: ForecastParams = DEFAULT_FORECAST_PARAMS,
): DailyForecast {
  const h = aheadWeekdays.length;
  const n = series.length;
  if (n === 0 || series.every((v) => v <= 0))
    return { days: new Array<number>(h).fill(0), total: 0, low: 0, high: 0 };
  const factors = weekdayFactors(series, weekdays, params.seasonDays);
  const d = series.map((v, t) => v / (factors[weekdays[t]!]! || 1));
  const floor = Math.max(1e-9, 0.01 * mean(d.filter((v) => v > 0)));
  const y = d.map((v) => Math.log(Math.max(v, floor)));
  // Trend: a step is looked for with the trend taken out (growth is not a step), the trend for
  // that from week-over-week changes (their median: a step moves only the seven that straddle it);
  // then the trend is the least-squares slope of the recent weeks with the step taken out (a step
  // is not growth either).
  const weekly: number[] = [];
  for (let t = Math.max(7, n - params.trendDays); t < n; t++) weekly.push((y[t]! - y[t - 7]!) / 7);
  const rough = weekly.length >= 7 ? median(weekly) : 0;
  const shift = levelShift(
    y.map((v, t) => v - rough * t),
    params.shiftDays,
    params.shiftScore,
    params.shiftSize,
  );
  // Then level, trend and step together: least squares of y = a + g·t + δ·[t ≥ step] over the
  // recent weeks.
  const from = Math.max(0, n - params.trendDays);
  const { a, g, delta } = n >= 14 ? fitLine(y, from, shift?.at ?? null) : { a: median(y), g: 0, delta: 0 };
  // Level now: the fitted line at the last day, corrected by how the last days sat around it.
  const first = Math.max(shift ? shift.at : 0, n - params.levelDays);
  const line = (t: number) => a + g * t + (shift && t >= shift.at ? delta : 0);
  const residuals = y.slice(first).map((v, i) => v - line(first + i));
  const level = line(n - 1) + median(residuals);
  // The trend ahead, shrunk by how sure the fit is of it (t²/(t² + k²)): noisy spend with a weak
  // slope is projected flat rather than extrapolated, clear growth nearly in full.
  const fitted = y.slice(from).map((v, i) => v - line(from + i));
  const m = fitted.length;
  const tMean = from + (m - 1) / 2;
  let sxx = 0;
  for (let t = from; t < n; t++) sxx += (t - tMean) ** 2;
  const se = m > 3 && sxx > 0 ? Math.sqrt((mean(fitted.map((r) => r * r)) * (m / (m - 3))) / sxx) : Infinity;
  const tStat = Number.isFinite(se) && se > 0 ? g / se : 0;
  const trend = g * ((tStat * tStat) / (tStat * tStat + params.trendShrink ** 2));
  // exp(median log) is the median day; the mean day is higher by the spread of the days around it.
  const correction = mean(residuals.map((r) => Math.exp(r - median(residuals))));
  const recent = residuals;
  const days: number[] = [];
  let ahead = 0;
  for (let i = 1; i <= h; i++) {
    ahead += params.phi ** i;
    days.push(Math.exp(level + trend * ahead) * correction * factors[aheadWeekdays[i - 1]!]!);
  }
  const total = days.reduce((a, b) => a + b, 0);
  // Range: day-to-day noise (independent days) and the level's uncertainty (shared by every day).
  const sigma = Math.sqrt(mean(residuals.map((r) => r * r)));
  const levelError = sigma / Math.sqrt(Math.max(1, recent.length));
  const spread =
    params.z * total * Math.sqrt(sigma ** 2 / Math.max(1, h) + levelError ** 2 + (0.01 * h) ** 2);
  return { days, total, low: Math.max(0, total - spread), high: total + spread };
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
