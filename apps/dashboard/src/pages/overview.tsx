import { useQueries, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { FirstEvent } from '../components/first-event';
import { RangePicker } from '../components/range-picker';
import { stackSeries } from '../components/chart-data';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { change, compact, count, date, dayLabel, money, pct } from '../format';
import { graphql, request } from '../graphql';
import { useOrg } from '../org';
import { reconciliationLink, utcMonth } from '../reconciliation';
import { FIRST_SCREEN, overviewRange } from '../overview-data';
import { useSpend, type SpendRow } from '../spend';
import { useAfterPaint } from '../use-after-paint';
import { eachDay, monthToDate, ymdInZone } from '../time-range';
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

const FORECAST = graphql(`
  query Forecast($org: String, $month: String!, $timeZone: String!) {
    forecast(org: $org, month: $month, timeZone: $timeZone) {
      month
      expectedUsd
      lowUsd
      highUsd
      runRateUsd
      spentUsd
      periodEnd
    }
  }
`);

const BUDGETS = graphql(`
  query OverviewBudgets($org: String) {
    budgets(org: $org) {
      id
    }
  }
`);

const BUDGET_STATUS = graphql(`
  query OverviewBudgetStatus($org: String, $id: ID!) {
    budgetStatus(org: $org, id: $id, history: 0) {
      budget {
        id
        name
        amountUsd
        period
        kind
        thresholds
      }
      spentUsd
      remainingUsd
      percentUsed
      exceeded
      resetsInDays
      projectedCrossingAt
      periodEnd
      forecast {
        expectedUsd
        lowUsd
        highUsd
      }
    }
  }
`);

const COVERAGE = graphql(`
  query OverviewCoverage($org: String, $month: String!, $previous: String!) {
    current: reconciliationCoverage(org: $org, month: $month) {
      provider
      month
      sentence
    }
    previous: reconciliationCoverage(org: $org, month: $previous) {
      provider
      month
      sentence
    }
  }
`);

/**
 * How much of each provider's own reported tokens Tokenledger saw, one line per provider with
 * imported reports: this UTC month's where there is one, else last month's. Nothing when no
 * provider report is imported.
 */
function Coverage() {
  const org = useOrg();
  const months = useMemo(() => {
    const now = new Date();
    return { month: utcMonth(now), previous: utcMonth(now, -1) };
  }, []);
  const coverage = useQuery({
    queryKey: ['overview-coverage', org.slug, months.month],
    queryFn: ({ signal }) => request(COVERAGE, { org: org.slug, ...months }, signal),
    staleTime: 5 * 60_000,
  });
  if (!coverage.data) return null;
  const { current, previous } = coverage.data;
  const lines = [...current, ...previous.filter((p) => !current.some((c) => c.provider === p.provider))];
  if (lines.length === 0) return null;
  return (
    <section className="card" aria-labelledby="coverage-title" data-testid="overview-coverage">
      <div className="card-head">
        <h2 id="coverage-title">Coverage of the providers' reports</h2>
        <Link to={reconciliationLink(lines[0]!.month, lines[0]!.provider)}>Reconciliation</Link>
      </div>
      <ul className="plain coverage-list">
        {lines.map((c) => (
          <li key={c.provider}>
            <Link to={reconciliationLink(c.month, c.provider)}>{c.sentence}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Month-end spend with its range, beside the run rate. */
function Forecast() {
  const org = useOrg();
  const month = ymdInZone(new Date(), org.timeZone).slice(0, 7);
  const forecast = useQuery({
    queryKey: ['forecast', org.slug, month, org.timeZone],
    queryFn: ({ signal }) =>
      request(FORECAST, { org: org.slug, month, timeZone: org.timeZone }, signal).then((d) => d.forecast),
    staleTime: 5 * 60_000,
  });
  const f = forecast.data;
  return (
    <div className="card kpi" aria-label="Forecast to month end">
      <span>Forecast to month end</span>
      <strong data-testid="forecast">{f ? money(f.expectedUsd) : forecast.error ? '—' : '…'}</strong>
      <small className="muted" data-testid="forecast-range">
        {f
          ? `range ${money(f.lowUsd)} to ${money(f.highUsd)} · run rate ${money(f.runRateUsd)}`
          : forecast.error
            ? `Forecast unavailable: ${forecast.error.message}`
            : 'range: …'}
      </small>
    </div>
  );
}

/** Budgets at 80% or more of their amount, or forecast to cross it this period. */
function BudgetWatch() {
  const org = useOrg();
  const budgets = useQuery({
    queryKey: ['budgets', org.slug],
    queryFn: ({ signal }) => request(BUDGETS, { org: org.slug }, signal).then((d) => d.budgets),
    staleTime: 60_000,
  });
  const statuses = useQueries({
    queries: (budgets.data ?? []).slice(0, 20).map((b) => ({
      queryKey: ['budget-status', org.slug, b.id, 0],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        request(BUDGET_STATUS, { org: org.slug, id: b.id }, signal).then((d) => d.budgetStatus),
      staleTime: 60_000,
    })),
  });
  if (budgets.isPending) return null;
  if (budgets.error) return <ErrorState error={budgets.error} retry={() => void budgets.refetch()} />;
  const loaded = statuses.flatMap((s) => (s.data ? [s.data] : []));
  const watch = loaded
    .filter(
      (s) =>
        s.exceeded || s.percentUsed >= 80 || Number(s.forecast.expectedUsd) >= Number(s.budget.amountUsd),
    )
    .sort((a, b) => b.percentUsed - a.percentUsed);
  const loading = statuses.some((s) => s.isPending);
  const failed = statuses.find((s) => s.error);
  return (
    <section className="card" aria-labelledby="budget-watch-title" data-testid="budget-watch">
      <div className="card-head">
        <h2 id="budget-watch-title">Budgets near or over their limit</h2>
        <Link to="/settings#budgets">Manage budgets</Link>
      </div>
      {budgets.data.length === 0 ? (
        <Empty>
          No budgets yet. <Link to="/settings#budgets">Set one in Settings</Link> to be alerted before spend
          runs over.
        </Empty>
      ) : failed?.error && watch.length === 0 ? (
        <ErrorState error={failed.error} retry={() => void failed.refetch()} />
      ) : loading && watch.length === 0 ? (
        <Loading what="budgets" />
      ) : watch.length === 0 ? (
        <Empty>
          All {budgets.data.length} {budgets.data.length === 1 ? 'budget is' : 'budgets are'} below 80% and on
          track.
        </Empty>
      ) : (
        <ul className="plain budgets">
          {watch.map((s) => (
            <li key={s.budget.id} className={s.exceeded ? 'over' : 'near'}>
              <div className="budget-line">
                <strong>{s.budget.name}</strong>
                <span className={s.exceeded ? 'error' : 'unpriced'}>
                  {s.exceeded ? 'over' : `${Math.round(s.percentUsed)}%`}
                </span>
                <span className="num">
                  {money(s.spentUsd)} of {money(s.budget.amountUsd)} this {s.budget.period}
                </span>
              </div>
              <meter
                min={0}
                max={100}
                low={80}
                high={99.99}
                optimum={0}
                value={Math.min(100, s.percentUsed)}
                aria-label={`${s.budget.name}: ${Math.round(s.percentUsed)}% used`}
              />
              <small className="muted">
                forecast {money(s.forecast.expectedUsd)} ({money(s.forecast.lowUsd)}–
                {money(s.forecast.highUsd)})
                {s.projectedCrossingAt && !s.exceeded
                  ? ` · projected to cross on ${date(s.projectedCrossingAt, org.timeZone)}`
                  : ''}{' '}
                · resets in {s.resetsInDays} {s.resetsInDays === 1 ? 'day' : 'days'}
              </small>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// The charting library is most of the JavaScript: the totals and tables draw without waiting for it.
// It is fetched once the first screen is painted (its download and start-up would compete with it),
// and never on the login page (this page is in the main bundle).
let chartModule: Promise<typeof import('../components/spend-chart')> | null = null;
const loadChart = () => (chartModule ??= import('../components/spend-chart'));
const SpendChart = lazy(() => loadChart().then((m) => ({ default: m.SpendChart })));

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
  const { filter, days } = useMemo(
    () => overviewRange(JSON.parse(rangeKey) as typeof range, org.timeZone, new Date()),
    [rangeKey, org.timeZone],
  );
  const tz = { timeZone: org.timeZone };
  // The same questions main.tsx may already have asked on this load (prefetchOverview).
  const totals = useSpend(filter, FIRST_SCREEN.totals.groupBy, { ...tz, limit: FIRST_SCREEN.totals.limit });
  const daily = useSpend(filter, FIRST_SCREEN.daily.groupBy, { ...tz, limit: FIRST_SCREEN.daily.limit });
  const models = useSpend(filter, FIRST_SCREEN.models.groupBy, { ...tz, limit: FIRST_SCREEN.models.limit });
  // The breakdowns below the fold wait for what the first screen shows (the browser opens only six
  // connections at a time, and the API shares its cores): the first screen is drawn sooner.
  const firstScreen = totals.data !== undefined && daily.data !== undefined && models.data !== undefined;
  const below = { ...tz, enabled: firstScreen || totals.isError || daily.isError || models.isError };
  const features = useSpend(filter, ['FEATURE'], below);
  const customers = useSpend(filter, ['CUSTOMER'], { ...below, limit: 10 });
  const projects = useSpend(filter, ['PROJECT'], below);

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
    const buckets = eachDay(days.first, days.last).map((d) => ({ key: d, label: dayLabel(d) }));
    const rows = (daily.data ?? []).map((r) => ({
      // The bucket's start in the viewer's zone, as its calendar day there.
      bucket: r.period ? ymdInZone(new Date(r.period), org.timeZone) : '',
      series: r.model ?? '?',
      cost: Number(r.costUsd),
    }));
    return stackSeries(rows, buckets, 6);
  }, [daily.data, days, org.timeZone]);
  // Drawing the chart is the page's longest task (the charting library re-renders its parts through
  // its own store, synchronously): it starts once the first screen's figures and tables are painted.
  const drawChart = useAfterPaint(firstScreen || daily.isError);
  if (drawChart) void loadChart();

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
        <Forecast />
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
          {daily.isPending || !drawChart ? (
            <Loading what="daily spend" />
          ) : (
            <Suspense fallback={<div className="chart" style={{ height: 300 }} aria-hidden="true" />}>
              <SpendChart data={chart} label="Spend per day, by model" />
            </Suspense>
          )}
        </section>
      )}
      {!firstRun && <BudgetWatch />}
      <Coverage />
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
