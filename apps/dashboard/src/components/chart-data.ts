/**
 * The chart's data and colours, apart from the charting library: a page can shape its data and draw
 * everything else before the library (most of the bundle) has loaded.
 */

/** Readable on light and dark backgrounds alike. */
export const SERIES_COLORS = [
  '#3b7ddd',
  '#e07b39',
  '#2fa37a',
  '#9b6bd0',
  '#c9a227',
  '#d1495b',
  '#5aa9c9',
  '#8a8f98',
];

export interface ChartData {
  series: string[];
  points: Record<string, number | string>[];
}

/**
 * Rows of (bucket, series, cost) as stacked bars: the `top` series by cost, the rest as "other",
 * every bucket of `buckets` present so a quiet period shows as a gap.
 */
export function stackSeries(
  rows: { bucket: string; series: string; cost: number }[],
  buckets: { key: string; label: string }[],
  top = 7,
): ChartData {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.series, (totals.get(r.series) ?? 0) + r.cost);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
  const kept = new Set(ranked.slice(0, top));
  const series = [...kept, ...(ranked.length > kept.size ? ['other'] : [])];
  const points = new Map<string, Record<string, number | string>>();
  for (const b of buckets) points.set(b.key, { bucket: b.label });
  for (const r of rows) {
    const point = points.get(r.bucket);
    if (!point) continue;
    const key = kept.has(r.series) ? r.series : 'other';
    point[key] = Number(point[key] ?? 0) + r.cost;
  }
  return { series, points: [...points.values()] };
}
