import { describe, expect, it } from 'vitest';
import { backtestMonthEnd, type SpendDay } from './backtest';
import { crossingDay, forecastDays, runRateForecast, weekdayFactors } from './forecast';

/** Deterministic noise: a log-normal factor per day (σ in log spend) from a small LCG. */
function noise(sigma: number, seed = 7) {
  let state = seed;
  const uniform = () => (state = (state * 48271) % 2147483647) / 2147483647;
  return () => Math.exp(sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

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

  it('fits the steps before the clearest one: one left out would be read as a trend', () => {
    // A model switch cuts spend by a quarter five weeks ago, a feature launch doubles it two weeks
    // ago. With the switch left out (only the clearest step, the launch, fitted), the fit reads the
    // drop as a decline and projects it on: 12% under.
    const wobble = noise(0.03, 11);
    const truth = (t: number) => (t < 60 ? 1 : t < 84 ? 0.75 : 1.5);
    const { series, weekdays } = rhythm(98, (t) => truth(t) * wobble());
    const ahead = rhythm(112, truth);
    const f = forecastDays(series, weekdays, ahead.weekdays.slice(98));
    const actual = ahead.series.slice(98).reduce((a, b) => a + b, 0);
    expect(Math.abs(f.total - actual) / actual).toBeLessThan(0.03);
  });

  it('is never negative, and empty history forecasts nothing', () => {
    const { series, weekdays } = rhythm(40, (t) => Math.max(0.01, 1 - t / 30));
    expect(forecastDays(series, weekdays, [1, 2, 3, 4, 5, 6, 0, 1, 2, 3]).days.every((d) => d >= 0)).toBe(
      true,
    );
    expect(forecastDays([], [], [1, 2]).total).toBe(0);
  });
});

describe('forecastDays: the period so far blended in', () => {
  it('follows a level change at the start of the period that history cannot show', () => {
    // Eight weeks at 1, then the period at 0.9 or 1.1 (under the 16% a step needs), noisy days:
    // over 20 noise draws, the forecast a week into the period misses less with the period's mean.
    for (const change of [0.9, 1.1]) {
      let alone = 0;
      let blended = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const wiggle = noise(0.1, seed);
        const { series, weekdays } = rhythm(63, (t) => (t < 56 ? 1 : change) * wiggle());
        const ahead = Array.from({ length: 23 }, (_, i) => (weekdays.at(-1)! + 1 + i) % 7);
        const truth = ahead.reduce((a, w) => a + change * (w === 0 || w === 6 ? 30 : 100), 0);
        const without = forecastDays(series, weekdays, ahead);
        const withPeriod = forecastDays(series, weekdays, ahead, undefined, 7);
        expect(without.periodWeight).toBe(0);
        expect(withPeriod.periodWeight).toBeGreaterThan(0);
        alone += Math.abs(without.total / truth - 1);
        blended += Math.abs(withPeriod.total / truth - 1);
      }
      expect(blended).toBeLessThan(0.8 * alone);
    }
  });

  it('weights the period more as more of it is known', () => {
    const { series, weekdays } = rhythm(
      84,
      (() => {
        const n = noise(0.15, 11);
        return () => n();
      })(),
    );
    const ahead = [1, 2, 3, 4, 5, 6, 0];
    const w = [7, 14, 21].map((d) => forecastDays(series, weekdays, ahead, undefined, d).periodWeight);
    expect(w[0]).toBeGreaterThan(0);
    expect(w[1]).toBeGreaterThan(w[0]!);
    expect(w[2]).toBeGreaterThan(w[1]!);
    expect(w[2]).toBeLessThan(1);
  });

  it('weights the period more when the projection has been missing the weeks before', () => {
    // The same day-to-day noise; in one series the level also moves ±12% from week to week, which
    // a projection from the weeks before cannot know and the period so far does.
    const day = noise(0.05, 3);
    const steady = rhythm(84, () => day());
    const week = noise(0.12, 5);
    const levels = Array.from({ length: 12 }, () => week());
    const day2 = noise(0.05, 3);
    const moving = rhythm(84, (t) => levels[Math.floor(t / 7)]! * day2());
    const ahead = [1, 2, 3, 4, 5, 6, 0];
    const a = forecastDays(steady.series, steady.weekdays, ahead, undefined, 14).periodWeight;
    const b = forecastDays(moving.series, moving.weekdays, ahead, undefined, 14).periodWeight;
    expect(b).toBeGreaterThan(a + 0.2);
  });

  it('finds a step ramped over three days in noisy spend, and forecasts the new level', () => {
    const wiggle = noise(0.12, 9);
    const level = (t: number) => (t < 60 ? 1 : t < 63 ? 1 - (0.3 * (t - 59)) / 4 : 0.7);
    const days = rhythm(84, (t) => level(t) * wiggle());
    const known = 72;
    const f = forecastDays(
      days.series.slice(0, known),
      days.weekdays.slice(0, known),
      days.weekdays.slice(known),
    );
    const expected = rhythm(84, level)
      .series.slice(known)
      .reduce((a, b) => a + b, 0);
    expect(Math.abs(f.total - expected) / expected).toBeLessThan(0.06);
  });

  it('widens the range with the horizon', () => {
    const { series, weekdays } = rhythm(84, noise(0.1, 13));
    const width = (h: number) => {
      const f = forecastDays(
        series,
        weekdays,
        Array.from({ length: h }, (_, i) => (weekdays.at(-1)! + 1 + i) % 7),
      );
      return (f.high - f.low) / f.total;
    };
    expect(width(21)).toBeGreaterThan(width(7));
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
    expect(r.mapeOracle).toBeUndefined();
  });

  it('adds an oracle from the expected spend: spend so far plus the expected days left', () => {
    const expected: SpendDay[] = [];
    const actual: SpendDay[] = [];
    const wiggle = noise(0.15, 17);
    for (let t = 0; t < 150; t++) {
      const date = new Date(Date.UTC(2026, 0, 1) + t * 86_400_000);
      const w = date.getUTCDay();
      const usd = w === 0 || w === 6 ? 30 : 100;
      expected.push({ date: date.toISOString().slice(0, 10), usd });
      actual.push({ date: date.toISOString().slice(0, 10), usd: usd * wiggle() });
    }
    const r = backtestMonthEnd(actual, [7, 14, 21], 28, undefined, expected);
    const march = actual.filter((d) => d.date.startsWith('2026-03'));
    const p = r.points.find((q) => q.month === '2026-03' && q.day === 14)!;
    const soFar = march.slice(0, 14).reduce((a, d) => a + d.usd, 0);
    const rest = expected.filter((d) => d.date.startsWith('2026-03')).slice(14);
    expect(p.oracle).toBeCloseTo(soFar + rest.reduce((a, d) => a + d.usd, 0), 6);
    const sum = (m: Record<number, number>) => m[7]! + m[14]! + m[21]!;
    expect(sum(r.mapeOracle!)).toBeLessThan(sum(r.mapeRunRate));
    expect(() => backtestMonthEnd(actual, [7], 28, undefined, expected.slice(0, 60))).toThrow(
      /no expected spend/,
    );
  });
});
