/**
 * Forecast of the rest of a period's spend from daily spend: a weekly rhythm (a factor per
 * weekday, from recent weeks) over a damped-trend level (Holt's linear smoothing of the
 * deseasonalized series), so weekends, growth and a recent step change all count. Pure: the
 * caller gives the days and their weekdays. Amounts are USD as numbers: a forecast is an estimate,
 * rounded to cents by the caller, never a charge.
 */

export interface ForecastParams {
  /** Level smoothing (0–1): how fast a step change is believed. */
  alpha: number;
  /** Trend smoothing (0–1). */
  beta: number;
  /** Trend damping per day ahead (≤ 1). */
  phi: number;
  /** Days of history the weekly factors come from. */
  seasonDays: number;
  /** z of the range (1.28: an 80% interval). */
  z: number;
}

/**
 * Chosen by a small grid (alpha, beta, phi, seasonDays) over bench:forecast's two companies: the
 * figures in docs/BENCHMARKS.md are in-sample, an optimistic estimate of out-of-sample error.
 */
export const DEFAULT_FORECAST_PARAMS: ForecastParams = {
  alpha: 0.2,
  beta: 0.05,
  phi: 0.97,
  seasonDays: 56,
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
 * spend over the trailing 7-day mean that ends on it. All 1 with less than two weeks of history.
 */
export function weekdayFactors(
  series: readonly number[],
  weekdays: readonly number[],
  seasonDays: number,
): number[] {
  const n = series.length;
  if (n < 14) return new Array<number>(7).fill(1);
  const ratios: number[][] = Array.from({ length: 7 }, () => []);
  for (let t = Math.max(6, n - seasonDays); t < n; t++) {
    const window = mean(series.slice(t - 6, t + 1));
    if (window > 0) ratios[weekdays[t]!]!.push(series[t]! / window);
  }
  const raw = ratios.map((r) => (r.length ? median(r) : 1));
  const m = mean(raw);
  return m > 0 ? raw.map((f) => f / m) : new Array<number>(7).fill(1);
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
  if (series.length === 0) return { days: new Array<number>(h).fill(0), total: 0, low: 0, high: 0 };
  const factors = weekdayFactors(series, weekdays, params.seasonDays);
  const d = series.map((y, t) => y / (factors[weekdays[t]!]! || 1));
  const { alpha, beta, phi } = params;
  let level = mean(d.slice(0, Math.min(7, d.length)));
  let trend = 0;
  const residuals: number[] = [];
  for (let t = 1; t < d.length; t++) {
    const predicted = level + phi * trend;
    residuals.push(series[t]! - Math.max(0, predicted) * factors[weekdays[t]!]!);
    const previous = level;
    level = alpha * d[t]! + (1 - alpha) * predicted;
    trend = beta * (level - previous) + (1 - beta) * phi * trend;
  }
  const days: number[] = [];
  let damp = 0;
  for (let i = 1; i <= h; i++) {
    damp += phi ** i;
    days.push(Math.max(0, (level + damp * trend) * factors[aheadWeekdays[i - 1]!]!));
  }
  const total = days.reduce((a, b) => a + b, 0);
  // One-step errors of the recent weeks; a level error persists over the days ahead, so the spread
  // of the total grows faster than √h.
  const recent = residuals.slice(-28);
  const sigma = Math.sqrt(mean(recent.map((e) => e * e)));
  const spread = params.z * sigma * Math.sqrt(h + (alpha * h) ** 2);
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
