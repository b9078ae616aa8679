import { describe, expect, it } from 'vitest';
import { DAILY_ANOMALY_OPTIONS, detectAnomalies, seasonalBaseline } from './anomaly';

/** 8 weeks of a weekday/weekend rhythm with ±5% wobble (deterministic). */
function weeks(n = 56): number[] {
  return Array.from(
    { length: n },
    (_, t) => (t % 7 === 5 || t % 7 === 6 ? 20 : 100) * (1 + 0.05 * Math.sin(t * 1.7)),
  );
}

describe('detectAnomalies', () => {
  it('does not flag the weekly rhythm', () => {
    expect(detectAnomalies(weeks(), 28, DAILY_ANOMALY_OPTIONS)).toEqual([]);
  });

  it('flags a 10× day and a weekend at weekday level, with their baselines', () => {
    const s = weeks();
    s[40] = s[40]! * 10;
    s[47] = 100; // a Saturday (47 % 7 = 5) spending like a weekday
    const found = detectAnomalies(s, 28, DAILY_ANOMALY_OPTIONS);
    expect(found.map((a) => a.index)).toEqual([40, 47]);
    expect(found[0]!.baseline).toBeCloseTo(seasonalBaseline(s, 40, DAILY_ANOMALY_OPTIONS)!, 6);
    expect(found[0]!.score).toBeGreaterThan(DAILY_ANOMALY_OPTIONS.threshold);
  });

  it('does not count a spike in the baseline of the weeks after it', () => {
    const s = weeks();
    s[35] = 1000;
    expect(detectAnomalies(s, 28, DAILY_ANOMALY_OPTIONS).map((a) => a.index)).toEqual([35]);
  });
});
