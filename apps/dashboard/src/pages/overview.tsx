import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { FirstEvent } from '../components/first-event';
import { RangePicker } from '../components/range-picker';
import { SpendChart, stackSeries } from '../components/spend-chart';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { change, compact, count, money, pct } from '../format';
import { graphql, request } from '../graphql';
import { useOrg } from '../org';
import { useSpend, type SpendRow } from '../spend';
import { eachDay, monthToDate, rangeDays, resolveRange } from '../time-range';
import { parseRange, writeRange, type Dimension, type Filters } from '../url-state';

const ANY_EVENT = graphql(`
  query AnyEvent($org: String) {
    events(org: $org, first: 1) {
      nodes {
        eventId
      }
    }
  }
`);

function explorerLink(search: URLSearchParams, by: Dimension, filters: Filters = {}): string {
  const params = new URLSearchParams();
  const range = parseRange(search);
  writeRange(params, range);
  params.set('by', by);
  for (const [d, values] of Object.entries(filters))
    for (const v of values ?? []) params.append(d.toLowerCase(), v);
  return `/explorer?${params.toString()}`;
}

function Breakdown({
  title,
  column,
  rows,
  label,
  total,
  link,
  loading,
}: {
  title: string;
  column: string;
  rows: SpendRow[];
  label: (r: SpendRow) => string;
  total: number;
  link: (r: SpendRow) => string;
  loading: boolean;
}) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {loading && rows.length === 0 ? (
        <Loading what={title.toLowerCase()} />
      ) : rows.length === 0 ? (
        <Empty>Nothing in this range.</Empty>
      ) : (
        <TableWrap label={title}>
          <table>
            <thead>
              <tr>
                <th scope="col">{column}</th>
                <th scope="col" className="num">
                  Spend
                </th>
                <th scope="col" className="num">
                  Share
                </th>
                <th scope="col" className="num">
                  Requests
                </th>
                <th scope="col" className="num">
                  Tokens in / out
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={label(r)}>
                  <td>
                    <Link to={link(r)}>{label(r)}</Link>
                  </td>
                  <td className="num">
                    {r.unpricedRequests === r.requests ? (
                      <span className="unpriced">unpriced</span>
                    ) : (
                      <>
                        {money(r.costUsd)}
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
        </TableWrap>
      )}
    </section>
  );
}

function MonthToDate() {
  const org = useOrg();
  const mtd = useMemo(() => monthToDate(new Date(), org.timeZone), [org.timeZone]);
  const current = useSpend(mtd.current, [], { timeZone: org.timeZone });
  const previous = useSpend(mtd.previous, [], { timeZone: org.timeZone });
  const now = Number(current.data?.[0]?.costUsd ?? 0);
  const before = Number(previous.data?.[0]?.costUsd ?? 0);
  const delta = change(now, before);
  return (
    <div className="card kpi" aria-label="Month to date">
      <span>Month to date (day {mtd.days})</span>
      <strong data-testid="mtd-spend">{current.data ? money(current.data[0]?.costUsd ?? '0') : '—'}</strong>
      <small className="muted">
        {previous.data
          ? `${money(previous.data[0]?.costUsd ?? '0')} the same days last month${delta ? ` (${delta})` : ''}`
          : 'same days last month: …'}
      </small>
    </div>
  );
}

export default function OverviewPage() {
  const org = useOrg();
  const [search, setSearch] = useSearchParams();
  const range = parseRange(search);
  // Recomputed when the range changes (and so on each visit): "last 30 days" moves with the clock.
  const rangeKey = JSON.stringify(range);
  const { filter, days } = useMemo(() => {
    const now = new Date();
    const choice = JSON.parse(rangeKey) as typeof range;
    return { filter: resolveRange(choice, now, org.timeZone), days: rangeDays(choice, now, org.timeZone) };
  }, [rangeKey, org.timeZone]);
  const tz = { timeZone: org.timeZone };
  const totals = useSpend(filter, [], tz);
  const daily = useSpend(filter, ['DAY', 'MODEL'], { ...tz, limit: 10_000 });
  const models = useSpend(filter, ['PROVIDER', 'MODEL'], tz);
  const features = useSpend(filter, ['FEATURE'], tz);
  const customers = useSpend(filter, ['CUSTOMER'], { ...tz, limit: 10 });
  const projects = useSpend(filter, ['PROJECT'], tz);

  const total = totals.data?.[0];
  const totalCost = Number(total?.costUsd ?? 0);
  const nothing = totals.data !== undefined && (total?.requests ?? 0) === 0;
  const anyEvent = useQuery({
    queryKey: ['any-event', org.slug],
    queryFn: ({ signal }) =>
      request(ANY_EVENT, { org: org.slug }, signal).then((d) => d.events.nodes.length > 0),
    enabled: nothing,
  });

  // A new organization: the guide to a first event, not empty charts.
  const firstRun = nothing && anyEvent.data === false;

  const chart = useMemo(() => {
    const buckets = eachDay(days.first, days.last).map((d) => ({
      key: d,
      label: new Date(`${d}T12:00:00Z`).toLocaleDateString(undefined, {
        month: 'short',
        day: 'numeric',
        timeZone: 'UTC',
      }),
    }));
    const rows = (daily.data ?? []).map((r) => ({
      // The bucket's start in the viewer's zone, as its calendar day there.
      bucket: r.period ? new Date(r.period).toLocaleDateString('en-CA', { timeZone: org.timeZone }) : '',
      series: r.model ?? '?',
      cost: Number(r.costUsd),
    }));
    return stackSeries(rows, buckets, 6);
  }, [daily.data, days, org.timeZone]);

  const unpriced = (models.data ?? []).filter((r) => r.unpricedRequests > 0);
  const error = totals.error ?? daily.error ?? models.error;
  const setRange = (r: Parameters<typeof writeRange>[1]) => {
    const next = new URLSearchParams(search);
    writeRange(next, r);
    setSearch(next);
  };

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <RangePicker value={range} onChange={setRange} days={days} />
      </div>
      {error && <ErrorState error={error} retry={() => void totals.refetch()} />}
      {firstRun && <FirstEvent />}
      {nothing && anyEvent.data === true && (
        <Empty>
          No usage in this range. <Link to="/?range=90d">Look at the last 90 days</Link> or{' '}
          <Link to="/events">the latest events</Link>.
        </Empty>
      )}
      <section className="kpis" aria-label="Totals">
        <div className="card kpi">
          <span>Spend (USD)</span>
          <strong data-testid="total-spend">{totals.isPending ? '…' : money(total?.costUsd ?? '0')}</strong>
        </div>
        <MonthToDate />
        <div className="card kpi">
          <span>Requests</span>
          <strong data-testid="total-requests">
            {total ? count(total.requests) : totals.isPending ? '…' : '0'}
          </strong>
          <small className="muted">
            {total && total.requests > 0
              ? `${money(String((1000 * totalCost) / total.requests))} per 1K`
              : ''}
          </small>
        </div>
        <div className={`card kpi ${total && total.unpricedRequests > 0 ? 'warn' : ''}`}>
          <span>Unpriced requests</span>
          <strong data-testid="unpriced-requests">
            {total ? count(total.unpricedRequests) : totals.isPending ? '…' : '0'}
          </strong>
        </div>
      </section>
      {!firstRun && (
        <section className="card" aria-label="Spend per day">
          <div className="card-head">
            <h2>Spend per day, by model</h2>
            <Link to={explorerLink(search, 'MODEL')}>Explore</Link>
          </div>
          {daily.isPending ? (
            <Loading what="daily spend" />
          ) : (
            <SpendChart data={chart} label="Spend per day, by model" />
          )}
        </section>
      )}
      {unpriced.length > 0 && (
        <section className="card warn" aria-label="Unpriced usage">
          <h2>Unpriced usage</h2>
          <p>
            These models have no rate in any table in force; their requests are counted here and never as $0.
            Give them a price in one of your rate tables and the events are priced.
          </p>
          <ul className="unpriced-list">
            {unpriced.map((r) => (
              <li key={`${r.provider}/${r.model}`}>
                <code>
                  {r.provider}/{r.model}
                </code>
                : {count(r.unpricedRequests)} {r.unpricedRequests === 1 ? 'request' : 'requests'}{' '}
                <Link
                  className="button-link"
                  to={`/rates?${new URLSearchParams({ price: `${r.provider}/${r.model}` }).toString()}`}
                >
                  Price {r.model}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!firstRun && (
        <div className="grid">
          <Breakdown
            title="By model"
            column="Model"
            rows={models.data ?? []}
            label={(r) => `${r.provider}/${r.model}`}
            total={totalCost}
            loading={models.isPending}
            link={(r) => explorerLink(search, 'MODEL', { MODEL: [r.model ?? ''] })}
          />
          <Breakdown
            title="By feature"
            column="Feature"
            rows={features.data ?? []}
            label={(r) => r.feature ?? '(no feature)'}
            total={totalCost}
            loading={features.isPending}
            link={(r) => explorerLink(search, 'MODEL', { FEATURE: [r.feature ?? ''] })}
          />
          <Breakdown
            title="Top customers"
            column="Customer"
            rows={customers.data ?? []}
            label={(r) => r.customer ?? '(no customer)'}
            total={totalCost}
            loading={customers.isPending}
            link={(r) => explorerLink(search, 'MODEL', { CUSTOMER: [r.customer ?? ''] })}
          />
          <Breakdown
            title="By project"
            column="Project"
            rows={projects.data ?? []}
            label={(r) => r.project ?? '?'}
            total={totalCost}
            loading={projects.isPending}
            link={(r) => explorerLink(search, 'FEATURE', { PROJECT: [r.project ?? ''] })}
          />
        </div>
      )}
    </>
  );
}
