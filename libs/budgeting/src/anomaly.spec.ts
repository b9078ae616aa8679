import { describe, expect, it } from 'vitest';
import {
  DAILY_ANOMALY_OPTIONS,
  detectAnomalies,
  groupAnomalies,
  materialUsd,
  type BucketFacts,
  type GroupableAnomaly,
} from './anomaly';

/** 8 weeks of a weekday/weekend rhythm with ±5% wobble (deterministic), $1 a request. */
function weeks(n = 56): BucketFacts[] {
  return Array.from({ length: n }, (_, t) => {
    const cost = (t % 7 === 5 || t % 7 === 6 ? 20 : 100) * (1 + 0.05 * Math.sin(t * 1.7));
    return { costUsd: cost, requests: Math.round(cost), tokens: 1000 * cost, unpricedRequests: 0 };
  });
}

const material = (s: BucketFacts[]) =>
  materialUsd(
    s.map((b) => b.costUsd),
    DAILY_ANOMALY_OPTIONS,
  );
const times = (b: BucketFacts, k: number): BucketFacts => ({
  ...b,
  costUsd: b.costUsd * k,
  requests: b.requests * k,
});

describe('detectAnomalies', () => {
  it('does not flag the weekly rhythm', () => {
    const s = weeks();
    expect(detectAnomalies(s, 28, DAILY_ANOMALY_OPTIONS, material(s))).toEqual([]);
  });

  it('flags a 10× day and a weekend at weekday level, against their seasonal baselines', () => {
    const s = weeks();
    s[37] = times(s[37]!, 10);
    s[47] = { ...s[47]!, costUsd: 100, requests: 100 }; // a Saturday (47 % 7 = 5) spending like a weekday
    const found = detectAnomalies(s, 28, DAILY_ANOMALY_OPTIONS, material(s));
    expect(found.map((a) => [a.index, a.kind])).toEqual([
      [37, 'spike'],
      [47, 'spike'],
    ]);
    expect(found[0]!.baseline).toBeGreaterThan(90);
    expect(found[0]!.baseline).toBeLessThan(110);
    expect(found[1]!.baseline).toBeLessThan(25);
    expect(found[0]!.score).toBeGreaterThan(DAILY_ANOMALY_OPTIONS.threshold);
  });

  it('follows a level shift within a week instead of alarming for four', () => {
    const s = weeks().map((b, t) => (t >= 30 ? times(b, 3) : b)); // a new feature from day 30 on
    s[50] = times(s[50]!, 10);
    const found = detectAnomalies(s, 38, DAILY_ANOMALY_OPTIONS, material(s));
    expect(found.map((a) => a.index)).toEqual([50]);
  });

  it('ignores an immaterial jump and a series too new to have a baseline', () => {
    const big = weeks();
    const tiny = weeks().map((b) => ({ ...b, costUsd: b.costUsd / 1000 }));
    tiny[40] = times(tiny[40]!, 10);
    expect(detectAnomalies(tiny, 28, DAILY_ANOMALY_OPTIONS, material(big))).toEqual([]);
    const fresh = weeks().map((b, t) => (t < 35 ? { ...b, costUsd: 0, requests: 0 } : b));
    expect(detectAnomalies(fresh, 28, DAILY_ANOMALY_OPTIONS, material(big))).toEqual([]);
  });

  it('flags unpriced usage where there was none in the previous seasons, once', () => {
    const s = weeks().map((b, t) => (t >= 44 ? { ...b, unpricedRequests: 3 } : b));
    const found = detectAnomalies(s, 28, DAILY_ANOMALY_OPTIONS, material(s));
    expect(found.map((a) => [a.index, a.kind, a.score])).toEqual([[44, 'unpriced', 3]]);
  });
});

describe('groupAnomalies', () => {
  const a = (
    dimension: string,
    value: string,
    index: number,
    cost: number,
    baseline: number,
  ): GroupableAnomaly => ({
    dimension,
    value,
    index,
    kind: 'spike',
    cost,
    baseline,
  });

  it('groups what `related` links and adjacent buckets of one series, led by the largest jump', () => {
    const customer = a('CUSTOMER', 'acme', 10, 100, 10);
    const feature = a('FEATURE', 'chat', 10, 200, 110);
    const project = a('PROJECT', 'demo', 10, 300, 210);
    const later = a('CUSTOMER', 'acme', 11, 90, 10);
    const other = a('FEATURE', 'batch', 10, 50, 5);
    const groups = groupAnomalies(
      [feature, project, customer, later, other],
      (x, y) => x.value !== 'batch' && y.value !== 'batch',
      1,
    );
    expect(groups.map((g) => g.map((m) => `${m.value}@${m.index}`))).toEqual([
      ['acme@10', 'chat@10', 'demo@10', 'acme@11'],
      ['batch@10'],
    ]);
  });
});
