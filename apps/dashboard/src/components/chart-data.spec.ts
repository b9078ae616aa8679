import { describe, expect, it } from 'vitest';
import { rankSeries, stackSeries, stackTop } from './chart-data';

const buckets = ['d1', 'd2', 'd3'].map((key) => ({ key, label: key.toUpperCase() }));

describe('stackTop', () => {
  // Every value in every bucket: the chart the top values and the totals must draw the same.
  const all = [
    { bucket: 'd1', series: 'a', cost: 5 },
    { bucket: 'd1', series: 'b', cost: 3 },
    { bucket: 'd1', series: 'c', cost: 1 },
    { bucket: 'd2', series: 'a', cost: 2 },
    { bucket: 'd2', series: 'd', cost: 0.25 },
    { bucket: 'd3', series: 'b', cost: 4 },
  ];
  const totals = ['d1', 'd2', 'd3'].map((bucket) => ({
    bucket,
    cost: all.filter((r) => r.bucket === bucket).reduce((s, r) => s + r.cost, 0),
  }));

  it('draws the top values and the rest of each bucket as "other", as from every row', () => {
    const top = all.filter((r) => r.series === 'a' || r.series === 'b');
    expect(stackTop(top, totals, buckets, true)).toEqual(stackSeries(all, buckets, 2));
  });

  it('has no "other" when the top values are all there is', () => {
    const chart = stackTop(all, totals, buckets, false);
    expect(chart.series).toEqual(['a', 'b', 'c', 'd']);
    expect(chart.points.map((p) => p.other)).toEqual([undefined, undefined, undefined]);
  });

  it('keeps every bucket, a quiet one as a gap, and ignores rounding dust', () => {
    const chart = stackTop(
      [{ bucket: 'd1', series: 'a', cost: 0.1 + 0.2 }],
      [{ bucket: 'd1', cost: 0.3 }],
      buckets,
      true,
    );
    expect(chart.points).toEqual([{ bucket: 'D1', a: 0.1 + 0.2 }, { bucket: 'D2' }, { bucket: 'D3' }]);
  });
});

describe('rankSeries', () => {
  it('sums each series over its rows and ranks them by spend, ties in the order they came', () => {
    const rows = [
      { series: 'x', cost: 1 },
      { series: 'y', cost: 2 },
      { series: 'x', cost: 1.5 },
      { series: 'z', cost: 2 },
      { series: '', cost: 0.5 },
    ];
    expect(rankSeries(rows)).toEqual(['x', 'y', 'z', '']);
  });
});
