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
  /** Spend so far plus the expected spend of the days left, when `expected` was given. */
  oracle?: number;
}

export interface BacktestSummary {
  /** Checkpoint day → mean absolute percentage error, in percent. */
  mapeForecast: Record<number, number>;
  mapeRunRate: Record<number, number>;
  /** Only when `expected` was given: the oracle's MAPE (see backtestMonthEnd). */
  mapeOracle?: Record<number, number>;
  /** Share of months whose actual total fell inside the forecast's range. */
  coverage: number;
  points: BacktestPoint[];
}

const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/**
 * Replays month-end forecasts over a daily series: for every whole calendar month with at least
 * `minHistoryDays` before it, at each checkpoint day (e.g. 7, 14, 21) the forecast and the run rate
 * see only the days up to it, and are compared with the month's actual total. `expected` (the
 * expected spend of each day, by date, when the series is generated) adds an oracle: spend so far
 * plus the expected spend of the days left, the best any forecast can do on average.
 */
export function backtestMonthEnd(
  series: readonly SpendDay[],
  checkpoints: readonly number[] = [7, 14, 21],
  minHistoryDays = 28,
  params: ForecastParams = DEFAULT_FORECAST_PARAMS,
  expected?: readonly SpendDay[],
): BacktestSummary {
  const expectedBy = expected ? new Map(expected.map((d) => [d.date, d.usd])) : null;
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
        day,
      );
      const point = {
        month,
        day,
        actual,
        runRate: runRateForecast(soFar, day, daysInMonth),
        forecast: soFar + f.total,
        low: soFar + f.low,
        high: soFar + f.high,
        ...(expectedBy
          ? {
              oracle:
                soFar +
                monthDays.slice(day).reduce((s, d) => {
                  const e = expectedBy.get(d.date);
                  if (e === undefined) throw new Error(`backtestMonthEnd: no expected spend for ${d.date}`);
                  return s + e;
                }, 0),
            }
          : {}),
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
    ...(expectedBy
      ? { mapeOracle: Object.fromEntries(checkpoints.map((d) => [d, mape((p) => p.oracle!, d)])) }
      : {}),
    coverage: points.length ? covered / points.length : NaN,
    points,
  };
}
