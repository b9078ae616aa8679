import { describe, expect, it } from 'vitest';
import { backtestMonthEnd, type SpendDay } from './backtest';
import { crossingDay, forecastDays, runRateForecast, weekdayFactors } from './forecast';

/** A weekday/weekend rhythm: 100 on weekdays, 30 on weekends, times `level(t)`. */
function rhythm(days: number, level: (t: number) => number, startWeekday = 1) {
  const weekdays = Array.from({ length: days }, (_, t) => (startWeekday + t) % 7);
  const series = weekdays.map((w, t) => (w === 0 || w === 6 ? 30 : 100) * level(t));
  return { series, weekdays };
}

describe('forecastDays', () => {
  it('learns the weekly rhythm', () => {
    const { series, weekdays } = rhythm(56, () => 1);
    const f = weekdayFactors(series, weekdays, 56);
    expect(f[6]! / f[3]!).toBeCloseTo(0.3, 5);
    const ahead = forecastDays(series, weekdays, [1, 2, 3, 4, 5, 6, 0]);
    expect(ahead.days[0]).toBeCloseTo(100, 0);
    expect(ahead.days[5]).toBeCloseTo(30, 0);
    expect(ahead.total).toBeCloseTo(560, -1);
  });

  it('follows a step change and growth, where the run rate lags', () => {
    const { series, weekdays } = rhythm(70, (t) => (t < 60 ? 1 : 2));
    const f = forecastDays(series, weekdays, [3, 4, 5, 6, 0, 1, 2]);
    expect(f.total).toBeGreaterThan(0.8 * 2 * 560);
    expect(f.low).toBeLessThanOrEqual(f.total);
    expect(f.high).toBeGreaterThanOrEqual(f.total);
  });

  it('projects growth and a recent step from after the step, without taking the step for growth', () => {
    const truth = (t: number) => Math.exp(0.01 * t) * (t >= 50 ? 1.5 : 1) * (1 + 0.03 * Math.sin(t * 2.3));
    const { series, weekdays } = rhythm(70, truth);
    const ahead = rhythm(80, truth);
    const f = forecastDays(series, weekdays, ahead.weekdays.slice(70));
    const actual = ahead.series.slice(70).reduce((a, b) => a + b, 0);
    expect(Math.abs(f.total - actual) / actual).toBeLessThan(0.05);
    // Taking the step for growth would project about 2%/day more: 10% over these 10 days.
    const flat = rhythm(70, (t) => (t >= 50 ? 1.5 : 1) * (1 + 0.03 * Math.sin(t * 2.3)));
    const flatAhead = rhythm(80, (t) => (t >= 50 ? 1.5 : 1) * (1 + 0.03 * Math.sin(t * 2.3)));
    const g = forecastDays(flat.series, flat.weekdays, ahead.weekdays.slice(70));
    const flatActual = flatAhead.series.slice(70).reduce((a, b) => a + b, 0);
    expect(Math.abs(g.total - flatActual) / flatActual).toBeLessThan(0.05);
  });

  it('is never negative, and empty history forecasts nothing', () => {
    const { series, weekdays } = rhythm(40, (t) => Math.max(0.01, 1 - t / 30));
    expect(forecastDays(series, weekdays, [1, 2, 3, 4, 5, 6, 0, 1, 2, 3]).days.every((d) => d >= 0)).toBe(
      true,
    );
    expect(forecastDays([], [], [1, 2]).total).toBe(0);
  });
});

describe('run rate and crossing', () => {
  it('scales spend so far to the period, and finds the day a budget is crossed', () => {
    expect(runRateForecast(700, 7, 30)).toBe(3000);
    expect(crossingDay(90, [5, 5, 5], 100)).toBe(1);
    expect(crossingDay(90, [1, 1], 100)).toBeNull();
    expect(crossingDay(120, [], 100)).toBe(0);
  });
});

describe('backtestMonthEnd', () => {
  it('replays each whole month at each checkpoint, beating the run rate on a weekly rhythm', () => {
    const days: SpendDay[] = [];
    for (let t = 0; t < 150; t++) {
      const date = new Date(Date.UTC(2026, 0, 1) + t * 86_400_000);
      const w = date.getUTCDay();
      days.push({
        date: date.toISOString().slice(0, 10),
        usd: (w === 0 || w === 6 ? 30 : 100) * (1 + t / 100),
      });
    }
    const r = backtestMonthEnd(days);
    expect(new Set(r.points.map((p) => p.month))).toEqual(new Set(['2026-02', '2026-03', '2026-04']));
    for (const d of [7, 14, 21]) expect(r.mapeForecast[d]).toBeLessThan(r.mapeRunRate[d]!);
  });
});
