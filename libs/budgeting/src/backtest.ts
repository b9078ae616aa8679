import { DEFAULT_FORECAST_PARAMS, forecastDays, runRateForecast, type ForecastParams } from './forecast';

/** One day of spend: its calendar date (YYYY-MM-DD) and USD. */
export interface SpendDay {
  date: string;
  usd: number;
}

export interface BacktestPoint {
  month: string;
  day: number;
  actual: number;
  runRate: number;
  forecast: number;
  low: number;
  high: number;
}

export interface BacktestSummary {
  /** Checkpoint day → mean absolute percentage error, in percent. */
  mapeForecast: Record<number, number>;
  mapeRunRate: Record<number, number>;
  /** Share of months whose actual total fell inside the forecast's range. */
  coverage: number;
  points: BacktestPoint[];
}

const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/**
 * Replays month-end forecasts over a daily series: for every whole calendar month with at least
 * `minHistoryDays` before it, at each checkpoint day (e.g. 7, 14, 21) the forecast and the run rate
 * see only the days up to it, and are compared with the month's actual total.
 */
export function backtestMonthEnd(
  series: readonly SpendDay[],
  checkpoints: readonly number[] = [7, 14, 21],
  minHistoryDays = 28,
  params: ForecastParams = DEFAULT_FORECAST_PARAMS,
): BacktestSummary {
  const months = [...new Set(series.map((d) => d.date.slice(0, 7)))];
  const points: BacktestPoint[] = [];
  let covered = 0;
  for (const month of months) {
    const first = series.findIndex((d) => d.date.startsWith(month));
    const monthDays = series.filter((d) => d.date.startsWith(month));
    const [y, m] = month.split('-').map(Number) as [number, number];
    const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
    if (monthDays.length !== daysInMonth || first < minHistoryDays) continue;
    const actual = monthDays.reduce((s, d) => s + d.usd, 0);
    for (const day of checkpoints) {
      const known = series.slice(0, first + day);
      const soFar = monthDays.slice(0, day).reduce((s, d) => s + d.usd, 0);
      const ahead = monthDays.slice(day).map((d) => weekdayOf(d.date));
      const f = forecastDays(
        known.map((d) => d.usd),
        known.map((d) => weekdayOf(d.date)),
        ahead,
        params,
      );
      const point = {
        month,
        day,
        actual,
        runRate: runRateForecast(soFar, day, daysInMonth),
        forecast: soFar + f.total,
        low: soFar + f.low,
        high: soFar + f.high,
      };
      if (actual >= point.low && actual <= point.high) covered++;
      points.push(point);
    }
  }
  const mape = (pick: (p: BacktestPoint) => number, day: number) => {
    const ps = points.filter((p) => p.day === day && p.actual > 0);
    return ps.length
      ? (100 * ps.reduce((s, p) => s + Math.abs(pick(p) - p.actual) / p.actual, 0)) / ps.length
      : NaN;
  };
  return {
    mapeForecast: Object.fromEntries(checkpoints.map((d) => [d, mape((p) => p.forecast, d)])),
    mapeRunRate: Object.fromEntries(checkpoints.map((d) => [d, mape((p) => p.runRate, d)])),
    coverage: points.length ? covered / points.length : NaN,
    points,
  };
}
