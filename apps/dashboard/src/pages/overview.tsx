import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { compact, count, pct, usd } from '../format';
import { graphql, request, type ResultOf } from '../graphql';
import { useQuery } from '../use-query';

const SPEND = graphql(`
  query Spend($org: String, $filter: SpendFilter!, $groupBy: [SpendDimension!], $limit: Int!) {
    spend(org: $org, filter: $filter, groupBy: $groupBy, limit: $limit) {
      project
      provider
      model
      feature
      customer
      period
      costUsd
      requests
      unpricedRequests
      inputTokens
      outputTokens
      cacheReadTokens
      reasoningTokens
    }
  }
`);

type Row = ResultOf<typeof SPEND>['spend'][number];
type Dimension = 'PROVIDER' | 'MODEL' | 'FEATURE' | 'CUSTOMER' | 'PROJECT';

const RANGES = [7, 30, 90] as const;
const COLORS = ['#2f6fde', '#e07b39', '#3aa57a', '#9b59b6', '#d4a017', '#c0392b', '#7f8c8d'];
const TOP_MODELS = 6;

function range(days: number) {
  const to = new Date();
  to.setUTCHours(0, 0, 0, 0);
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: new Date(to.getTime() - days * 86_400_000).toISOString(), to: to.toISOString() };
}

function Breakdown({
  title,
  column,
  rows,
  label,
  total,
}: {
  title: string;
  column: string;
  rows: Row[];
  label: (r: Row) => string;
  total: number;
}) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <table>
        <thead>
          <tr>
            <th>{column}</th>
            <th className="num">Spend</th>
            <th className="num">Share</th>
            <th className="num">Requests</th>
            <th className="num">Tokens in / out</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={label(r)}>
              <td>{label(r)}</td>
              <td className="num">
                {r.unpricedRequests === r.requests ? (
                  <span className="unpriced">unpriced</span>
                ) : (
                  <>
                    {usd(r.costUsd)}
                    {r.unpricedRequests > 0 && (
                      <span className="unpriced"> + {count(r.unpricedRequests)} unpriced</span>
                    )}
                  </>
                )}
              </td>
              <td className="num">{pct(Number(r.costUsd), total)}</td>
              <td className="num">{count(r.requests)}</td>
              <td className="num">
                {compact(r.inputTokens)} / {compact(r.outputTokens)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function OverviewPage({ org }: { org: string }) {
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const filter = useMemo(() => range(days), [days]);
  const by = (groupBy: (Dimension | 'DAY')[], limit = 1000) =>
    request(SPEND, { org, filter, groupBy, limit }).then((d) => d.spend);
  const totals = useQuery(() => by([]), [org, filter]);
  const daily = useQuery(() => by(['DAY', 'MODEL'], 10_000), [org, filter]);
  const models = useQuery(() => by(['PROVIDER', 'MODEL']), [org, filter]);
  const features = useQuery(() => by(['FEATURE']), [org, filter]);
  const customers = useQuery(() => by(['CUSTOMER'], 10), [org, filter]);
  const projects = useQuery(() => by(['PROJECT']), [org, filter]);

  const total = totals.data?.[0];
  const totalCost = Number(total?.costUsd ?? 0);

  const chart = useMemo(() => {
    const rows = daily.data ?? [];
    const byModel = new Map<string, number>();
    for (const r of rows) byModel.set(r.model ?? '?', (byModel.get(r.model ?? '?') ?? 0) + Number(r.costUsd));
    const top = [...byModel.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_MODELS)
      .map(([m]) => m);
    const series = [...top, ...(byModel.size > top.length ? ['other'] : [])];
    // Every day of the range, so quiet days show as gaps rather than vanish.
    const days = new Map<string, Record<string, number | string>>();
    for (let t = Date.parse(filter.from); t < Date.parse(filter.to); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      days.set(day, { day });
    }
    for (const r of rows) {
      const day = (r.period ?? '').slice(0, 10);
      const point = days.get(day) ?? { day };
      const key = top.includes(r.model ?? '?') ? (r.model ?? '?') : 'other';
      point[key] = Number(point[key] ?? 0) + Number(r.costUsd);
      days.set(day, point);
    }
    return { series, points: [...days.values()] };
  }, [daily.data, filter]);

  const unpriced = (models.data ?? []).filter((r) => r.unpricedRequests > 0);
  const error = totals.error ?? daily.error ?? models.error;

  return (
    <>
      <div className="toolbar">
        <span>Last</span>
        {RANGES.map((d) => (
          <button key={d} className={d === days ? 'active' : ''} onClick={() => setDays(d)}>
            {d} days
          </button>
        ))}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <section className="kpis" aria-label="Totals">
        <div className="card kpi">
          <span>Spend</span>
          <strong data-testid="total-spend">{usd(total?.costUsd)}</strong>
        </div>
        <div className="card kpi">
          <span>Requests</span>
          <strong data-testid="total-requests">{total ? count(total.requests) : '—'}</strong>
        </div>
        <div className="card kpi">
          <span>Cost per 1K requests</span>
          <strong>
            {total && total.requests > 0 ? usd(String((1000 * totalCost) / total.requests)) : '—'}
          </strong>
        </div>
        <div className={`card kpi ${total && total.unpricedRequests > 0 ? 'warn' : ''}`}>
          <span>Unpriced requests</span>
          <strong data-testid="unpriced-requests">{total ? count(total.unpricedRequests) : '—'}</strong>
        </div>
      </section>
      <section className="card" aria-label="Spend per day">
        <h2>Spend per day, by model</h2>
        <div style={{ width: '100%', height: 300 }}>
          <ResponsiveContainer>
            <BarChart data={chart.points}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tick={{ fontSize: 11 }} />
              <YAxis tickFormatter={(v: number) => `$${compact(v)}`} tick={{ fontSize: 11 }} />
              <Tooltip formatter={(v) => usd(String(v))} />
              <Legend />
              {chart.series.map((s, i) => (
                <Bar
                  key={s}
                  dataKey={s}
                  stackId="cost"
                  fill={COLORS[i % COLORS.length]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      </section>
      {unpriced.length > 0 && (
        <section className="card warn" aria-label="Unpriced usage">
          <h2>Unpriced usage</h2>
          <p>
            These models have no rate in any table in force; their requests are counted here and never as $0.
            Publish a rate to price them.
          </p>
          <ul>
            {unpriced.map((r) => (
              <li key={`${r.provider}/${r.model}`}>
                <code>
                  {r.provider}/{r.model}
                </code>
                : {count(r.unpricedRequests)} {r.unpricedRequests === 1 ? 'request' : 'requests'}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="grid">
        <Breakdown
          title="By model"
          column="Model"
          rows={models.data ?? []}
          label={(r) => `${r.provider}/${r.model}`}
          total={totalCost}
        />
        <Breakdown
          title="By feature"
          column="Feature"
          rows={features.data ?? []}
          label={(r) => r.feature ?? '(no feature)'}
          total={totalCost}
        />
        <Breakdown
          title="Top customers"
          column="Customer"
          rows={customers.data ?? []}
          label={(r) => r.customer ?? '(no customer)'}
          total={totalCost}
        />
        <Breakdown
          title="By project"
          column="Project"
          rows={projects.data ?? []}
          label={(r) => r.project ?? '?'}
          total={totalCost}
        />
      </div>
    </>
  );
}
