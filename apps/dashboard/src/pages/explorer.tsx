import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { MultiSelect } from '../components/multi-select';
import { RangePicker } from '../components/range-picker';
import { rankSeries, stackTop } from '../components/chart-data';
import { SpendChart } from '../components/spend-chart';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { downloadCsv, toCsv } from '../csv';
import { compact, count, dayLabel, money, pct, periodLabel } from '../format';
import { useOrg } from '../org';
import { sameGrouping, useSpend, useSpendSeries, type SeriesRow, type SpendRow } from '../spend';
import { seriesQuery, spendVariables, type SpendVariables } from '../spend-query';
import { eachDay, rangeDays, resolveRange, ymdInZone } from '../time-range';
import {
  DIMENSION_KEYS,
  DIMENSIONS,
  eventsLink,
  INTERVALS,
  parseExplorer,
  serializeExplorer,
  spendFilterFields,
  type Dimension,
  type ExplorerState,
  type Filters,
  type Interval,
  type SortKey,
} from '../url-state';

const ROWS_SHOWN = 200;
const TABLE_LIMIT = 10_000;
/** Values of the first dimension the chart draws on their own; the rest are "other". */
const CHART_SERIES = 7;
/**
 * Per hour, the chart draws ranges of up to this many days (744 bars; its top values' question stays
 * under the API's 10,000 rows): a longer range is drawn per day, and says so.
 */
const MAX_HOURLY_DAYS = 31;

function valueOf(row: SpendRow | SeriesRow, d: Dimension): string | null {
  return row[DIMENSIONS[d].field] ?? null;
}

function display(value: string | null): string {
  return value === null || value === '' ? '(none)' : value;
}

function rowLabel(row: SpendRow, groupBy: Dimension[]): string {
  return groupBy.map((d) => display(valueOf(row, d))).join(' · ');
}

const SORTERS: Record<SortKey, (r: SpendRow, groupBy: Dimension[]) => number | string> = {
  label: (r, g) => rowLabel(r, g).toLowerCase(),
  cost: (r) => Number(r.costUsd),
  requests: (r) => r.requests,
  inputTokens: (r) => r.inputTokens,
  outputTokens: (r) => r.outputTokens,
  unpriced: (r) => r.unpricedRequests,
};

/** Rows in the order the table shows them (and the CSV writes them). */
export function sortRows(rows: SpendRow[], state: Pick<ExplorerState, 'sort' | 'groupBy'>): SpendRow[] {
  const key = SORTERS[state.sort.key];
  const sign = state.sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = key(a, state.groupBy);
    const y = key(b, state.groupBy);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

/** The values a dimension takes in the current range, to pick filters from (loaded on open). */
function FilterControl({
  dimension,
  instants,
  filters,
  timeZone,
  onChange,
}: {
  dimension: Dimension;
  instants: { from: string; to: string };
  filters: Filters;
  timeZone: string;
  onChange: (values: string[]) => void;
}) {
  const [open, setOpen] = useState(false);
  // The other filters apply, this one does not: the list shows what could be added.
  const others = { ...filters, [dimension]: undefined };
  const values = useSpend({ ...instants, ...spendFilterFields(others) }, [dimension], {
    timeZone,
    limit: 1000,
    enabled: open,
  });
  const options = (values.data ?? []).map((r) => {
    const v = valueOf(r, dimension);
    return { value: v ?? '', label: display(v), hint: money(r.costUsd) };
  });
  return (
    <MultiSelect
      label={DIMENSIONS[dimension].label}
      selected={filters[dimension] ?? []}
      onChange={onChange}
      options={options}
      loading={values.isFetching}
      onOpen={() => setOpen(true)}
    />
  );
}

/**
 * The chart's spend in one answer, so its parts never mix two views: the top values' spend per
 * bucket and every bucket's total. Waits for the ranking (`ranked`: the first dimension's values,
 * largest spend first); while a new answer loads, the previous chart of the same grouping stays.
 */
function useChartSpend(
  filter: SpendVariables['filter'],
  interval: Interval,
  first: Dimension,
  ranked: string[] | undefined,
  timeZone: string,
) {
  const org = useOrg();
  const shown = ranked?.slice(0, CHART_SERIES) ?? [];
  const more = (ranked?.length ?? 0) > CHART_SERIES;
  const options = { timeZone, limit: TABLE_LIMIT };
  const top = spendVariables(
    org.slug,
    { ...filter, [DIMENSIONS[first].filter]: shown },
    [interval, first],
    options,
  );
  const totals = spendVariables(org.slug, filter, [interval], options);
  return useQuery({
    queryKey: ['explorer-chart', top, totals, more] as const,
    queryFn: async ({ signal }) => {
      const [topRows, totalRows] = await Promise.all([
        seriesQuery(top).queryFn({ signal }),
        seriesQuery(totals).queryFn({ signal }),
      ]);
      return { top: topRows, totals: totalRows, more };
    },
    enabled: ranked !== undefined,
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameGrouping(previousQuery.queryKey[1], top) ? keepPreviousData(previous) : undefined,
  });
}

export default function ExplorerPage() {
  const org = useOrg();
  const [search, setSearch] = useSearchParams();
  const state = parseExplorer(search);
  const timeZone = state.utc ? 'UTC' : org.timeZone;
  const update = (next: Partial<ExplorerState>) => setSearch(serializeExplorer({ ...state, ...next }));

  const rangeKey = JSON.stringify(state.range);
  const { instants, days, dayCount } = useMemo(() => {
    const now = new Date();
    const range = JSON.parse(rangeKey) as ExplorerState['range'];
    const days = rangeDays(range, now, timeZone);
    return {
      instants: resolveRange(range, now, timeZone),
      days,
      dayCount: eachDay(days.first, days.last).length,
    };
  }, [rangeKey, timeZone]);
  const filter = { ...instants, ...spendFilterFields(state.filters) };
  const [first] = state.groupBy as [Dimension, ...Dimension[]];

  const table = useSpend(filter, state.groupBy, { timeZone, limit: TABLE_LIMIT });

  // The chart: the top values of the first dimension per bucket, each bucket's total for the rest
  // ("other"). Every value in every bucket would be thousands of rows for customers (a day each),
  // slow to send and draw, and cut off by the limit with enough of them. The table ranks the first
  // dimension's values already (summed over the second), unless its limit cut a pair grouping
  // short: then a small question of its own.
  const answered = table.isPlaceholderData ? undefined : table.data;
  const cut = state.groupBy.length > 1 && (answered?.length ?? 0) >= TABLE_LIMIT;
  const topValues = useSpendSeries(filter, [first], {
    timeZone,
    limit: CHART_SERIES + 1,
    enabled: cut,
  });
  const ranked = useMemo(() => {
    const source = cut ? (topValues.isPlaceholderData ? undefined : topValues.data) : answered;
    return (
      source && rankSeries(source.map((r) => ({ series: valueOf(r, first) ?? '', cost: Number(r.costUsd) })))
    );
  }, [cut, topValues.data, topValues.isPlaceholderData, answered, first]);
  const hourlyAllowed = dayCount <= MAX_HOURLY_DAYS;
  const interval: Interval = state.interval === 'HOUR' && !hourlyAllowed ? 'DAY' : state.interval;
  const chartData = useChartSpend(filter, interval, first, ranked, timeZone);
  const chartFetching = chartData.isFetching || (cut && topValues.isFetching);
  const chartError = chartData.error ?? (cut ? topValues.error : null);

  // Thousands of rows (customer × feature) would take longer to draw than to fetch: the table shows
  // the first ROWS_SHOWN in the chosen order until asked for all; the CSV always has all of them.
  const [showAll, setShowAll] = useState(false);
  const rows = useMemo(
    () => sortRows(table.data ?? [], state),
    [table.data, state.sort.key, state.sort.desc, state.groupBy.join()],
  );
  const total = rows.reduce((s, r) => s + Number(r.costUsd), 0);

  const chart = useMemo(() => {
    const answer = chartData.data;
    const keyOf = (iso: string) => (interval === 'DAY' ? ymdInZone(new Date(iso), timeZone) : iso);
    const bucketOf = (r: SeriesRow) => (r.period ? keyOf(r.period) : '');
    const top = (answer?.top ?? []).map((r) => ({
      bucket: bucketOf(r),
      series: display(valueOf(r, first)),
      cost: Number(r.costUsd),
    }));
    const sums = (answer?.totals ?? []).map((r) => ({ bucket: bucketOf(r), cost: Number(r.costUsd) }));
    const buckets =
      interval === 'DAY'
        ? eachDay(days.first, days.last).map((d) => ({ key: d, label: dayLabel(d) }))
        : [...new Set((answer?.totals ?? []).map((r) => r.period ?? ''))]
            .sort()
            .map((p) => ({ key: p, label: periodLabel(p, interval, timeZone) }));
    return stackTop(top, sums, buckets, answer?.more ?? false);
  }, [chartData.data, interval, first, days, timeZone]);

  const setSort = (key: SortKey) =>
    update({ sort: { key, desc: state.sort.key === key ? !state.sort.desc : key !== 'label' } });
  const sortHeader = (key: SortKey, label: string, numeric = true) => {
    const active = state.sort.key === key;
    return (
      <th
        scope="col"
        className={numeric ? 'num' : ''}
        aria-sort={active ? (state.sort.desc ? 'descending' : 'ascending') : undefined}
      >
        <button type="button" className="sort" onClick={() => setSort(key)}>
          {label}
          <span aria-hidden="true">{active ? (state.sort.desc ? ' ↓' : ' ↑') : ''}</span>
        </button>
      </th>
    );
  };

  const download = () => {
    const header = [
      ...state.groupBy.map((d) => DIMENSIONS[d].label.toLowerCase()),
      'cost_usd',
      'requests',
      'unpriced_requests',
      'input_tokens',
      'output_tokens',
      'cache_read_tokens',
      'reasoning_tokens',
    ];
    const body = rows.map((r) => [
      ...state.groupBy.map((d) => valueOf(r, d)),
      r.costUsd,
      r.requests,
      r.unpricedRequests,
      r.inputTokens,
      r.outputTokens,
      r.cacheReadTokens,
      r.reasoningTokens,
    ]);
    const by = state.groupBy.join('-').toLowerCase();
    downloadCsv(`tokenledger-${org.slug}-${days.first}-to-${days.last}-by-${by}.csv`, toCsv(header, body));
  };

  const activeFilters = DIMENSION_KEYS.flatMap((d) => (state.filters[d] ?? []).map((v) => ({ d, v })));

  return (
    <>
      <div className="page-head">
        <h1>Explorer</h1>
        <RangePicker value={state.range} onChange={(range) => update({ range })} days={days} />
        <label className="check">
          <input type="checkbox" checked={state.utc} onChange={(e) => update({ utc: e.target.checked })} />{' '}
          UTC
          <span className="muted"> (else {org.timeZone})</span>
        </label>
      </div>
      <section className="card controls" aria-label="View">
        <div className="row">
          <label>
            Group by{' '}
            <select
              name="groupBy"
              value={first}
              onChange={(e) => {
                const d = e.target.value as Dimension;
                update({ groupBy: [d, ...state.groupBy.slice(1).filter((x) => x !== d)] });
              }}
            >
              {DIMENSION_KEYS.map((d) => (
                <option key={d} value={d}>
                  {DIMENSIONS[d].label}
                </option>
              ))}
            </select>
          </label>
          <label>
            then by{' '}
            <select
              name="thenBy"
              value={state.groupBy[1] ?? ''}
              onChange={(e) =>
                update({ groupBy: e.target.value ? [first, e.target.value as Dimension] : [first] })
              }
            >
              <option value="">nothing</option>
              {DIMENSION_KEYS.filter((d) => d !== first).map((d) => (
                <option key={d} value={d}>
                  {DIMENSIONS[d].label}
                </option>
              ))}
            </select>
          </label>
          <label>
            per{' '}
            <select value={state.interval} onChange={(e) => update({ interval: e.target.value as Interval })}>
              {Object.entries(INTERVALS).map(([k, v]) => (
                <option key={k} value={k} disabled={k === 'HOUR' && !hourlyAllowed}>
                  {v.toLowerCase()}
                  {k === 'HOUR' && !hourlyAllowed ? ` (ranges up to ${MAX_HOURLY_DAYS} days)` : ''}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="row filters" role="group" aria-label="Filters">
          <span className="muted">Filter</span>
          {DIMENSION_KEYS.map((d) => (
            <FilterControl
              key={d}
              dimension={d}
              instants={instants}
              filters={state.filters}
              timeZone={timeZone}
              onChange={(values) => update({ filters: { ...state.filters, [d]: values } })}
            />
          ))}
        </div>
        {activeFilters.length > 0 && (
          <ul className="chips" aria-label="Active filters">
            {activeFilters.map(({ d, v }) => (
              <li key={`${d}:${v}`}>
                {DIMENSIONS[d].label}: {display(v)}{' '}
                <button
                  type="button"
                  aria-label={`Remove filter ${DIMENSIONS[d].label} ${display(v)}`}
                  onClick={() =>
                    update({
                      filters: { ...state.filters, [d]: (state.filters[d] ?? []).filter((x) => x !== v) },
                    })
                  }
                >
                  ×
                </button>
              </li>
            ))}
            <li>
              <button type="button" onClick={() => update({ filters: {} })}>
                Clear all
              </button>
            </li>
          </ul>
        )}
      </section>
      {(table.error ?? chartError) && (
        <ErrorState
          error={table.error ?? chartError}
          retry={() =>
            void Promise.all([table.refetch(), ...(cut ? [topValues.refetch()] : []), chartData.refetch()])
          }
        />
      )}
      <section className="card" aria-label="Spend chart" aria-busy={chartFetching}>
        <h2>
          Spend per {interval.toLowerCase()}, by {DIMENSIONS[first].label.toLowerCase()}
        </h2>
        {interval !== state.interval && (
          <p className="hint" data-testid="interval-note">
            Per hour is drawn for ranges of up to {MAX_HOURLY_DAYS} days: this one is drawn per day.
          </p>
        )}
        {chartData.isPending ? (
          // The chart waits for the table's ranking: if that failed, the error above says so.
          table.error ? null : (
            <Loading what="the chart" />
          )
        ) : (
          <SpendChart
            data={chart}
            label={`Spend per ${interval.toLowerCase()} by ${DIMENSIONS[first].label}`}
          />
        )}
      </section>
      <section className="card" aria-label="Breakdown" aria-busy={table.isFetching}>
        <div className="card-head">
          <h2>
            {rows.length} {rows.length === 1 ? 'group' : 'groups'} · {money(String(total))}
          </h2>
          <button type="button" onClick={download} disabled={!rows.length}>
            Download CSV
          </button>
        </div>
        {table.isPending ? (
          <Loading what="the breakdown" />
        ) : rows.length === 0 ? (
          <Empty>No usage matches this range and these filters.</Empty>
        ) : (
          <TableWrap label="Breakdown">
            <table data-testid="explorer-table">
              <thead>
                <tr>
                  {sortHeader('label', state.groupBy.map((d) => DIMENSIONS[d].label).join(' · '), false)}
                  {sortHeader('cost', 'Spend')}
                  <th scope="col" className="num">
                    Share
                  </th>
                  {sortHeader('requests', 'Requests')}
                  {sortHeader('unpriced', 'Unpriced')}
                  {sortHeader('inputTokens', 'Input tokens')}
                  {sortHeader('outputTokens', 'Output tokens')}
                  <th scope="col">
                    <span className="sr-only">Events</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(showAll ? rows : rows.slice(0, ROWS_SHOWN)).map((r) => {
                  const label = rowLabel(r, state.groupBy);
                  const dims = Object.fromEntries(state.groupBy.map((d) => [d, valueOf(r, d)]));
                  return (
                    <tr key={label}>
                      <td>{label}</td>
                      <td className="num">
                        {r.unpricedRequests === r.requests ? (
                          <span className="unpriced">unpriced</span>
                        ) : (
                          money(r.costUsd)
                        )}
                      </td>
                      <td className="num">{pct(Number(r.costUsd), total)}</td>
                      <td className="num">{count(r.requests)}</td>
                      <td className="num">{r.unpricedRequests ? count(r.unpricedRequests) : '—'}</td>
                      <td className="num">{compact(r.inputTokens)}</td>
                      <td className="num">{compact(r.outputTokens)}</td>
                      <td>
                        <Link
                          to={eventsLink(instants, state.filters, dims)}
                          aria-label={`Events of ${label}`}
                        >
                          Events
                        </Link>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
        {rows.length > ROWS_SHOWN && !showAll && (
          <p className="hint">
            Showing the first {ROWS_SHOWN} of {rows.length} groups in this order (the CSV has them all).{' '}
            <button type="button" onClick={() => setShowAll(true)}>
              Show all {rows.length}
            </button>
          </p>
        )}
      </section>
    </>
  );
}
