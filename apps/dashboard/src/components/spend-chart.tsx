import { memo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { money, moneyCompact } from '../format';
import { SERIES_COLORS, type ChartData } from './chart-data';

export { SERIES_COLORS, stackSeries, type ChartData } from './chart-data';

/**
 * Drawn again only when its data, label or height change: a page re-renders on each of its queries'
 * answers, and redrawing a chart costs far more than the rest of the page.
 */
export const SpendChart = memo(function SpendChart({
  data,
  label,
  height = 300,
}: {
  data: ChartData;
  label: string;
  height?: number;
}) {
  return (
    <figure className="chart" aria-label={label} style={{ height }}>
      <ResponsiveContainer>
        <BarChart data={data.points} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--grid)" />
          <XAxis dataKey="bucket" tick={{ fontSize: 11, fill: 'currentColor' }} minTickGap={12} />
          <YAxis
            width={56}
            tickFormatter={(v: number) => moneyCompact(v)}
            tick={{ fontSize: 11, fill: 'currentColor' }}
          />
          <Tooltip
            formatter={(v) => money(String(v))}
            contentStyle={{
              background: 'var(--card)',
              border: '1px solid var(--border)',
              color: 'var(--fg)',
            }}
          />
          {/* In the stack's order (the largest first, "other" last), not alphabetical. */}
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
          {data.series.map((s, i) => (
            <Bar
              key={s}
              dataKey={s}
              stackId="cost"
              fill={SERIES_COLORS[i % SERIES_COLORS.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
});
