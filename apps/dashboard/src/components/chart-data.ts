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
  const ranked = rankSeries(rows);
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

/**
 * A chart of the top values of a dimension with everything else as "other", from two small
 * answers instead of every value in every bucket: `top`, the spend per bucket of the top values
 * only, and `totals`, each bucket's spend. "other" is what the top values leave of a bucket's total,
 * drawn only when `more` (the dimension has values beyond the top ones). A dimension with thousands
 * of values (customers) would otherwise be tens of thousands of rows, cut off by the query's limit.
 */
export function stackTop(
  top: { bucket: string; series: string; cost: number }[],
  totals: { bucket: string; cost: number }[],
  buckets: { key: string; label: string }[],
  more: boolean,
): ChartData {
  const chart = stackSeries(top, buckets, Number.POSITIVE_INFINITY);
  if (!more) return chart;
  const byKey = new Map(buckets.map((b, i) => [b.key, chart.points[i]!]));
  const shown = new Map<string, number>();
  for (const r of top) shown.set(r.bucket, (shown.get(r.bucket) ?? 0) + r.cost);
  for (const t of totals) {
    const point = byKey.get(t.bucket);
    // Costs are decimal strings summed as numbers: a rest below a millionth of a cent is rounding.
    const rest = t.cost - (shown.get(t.bucket) ?? 0);
    if (point && rest > 1e-8) point.other = Number(point.other ?? 0) + rest;
  }
  return { series: [...chart.series, 'other'], points: chart.points };
}

/** The series of `rows` by their summed cost, largest first (ties in the order they come). */
export function rankSeries(rows: { series: string; cost: number }[]): string[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.series, (totals.get(r.series) ?? 0) + r.cost);
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
}
