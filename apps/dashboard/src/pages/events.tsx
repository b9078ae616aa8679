import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { compact, dateTime, money } from '../format';
import { graphql, request, type VariablesOf } from '../graphql';
import { useOrg } from '../org';
import { DIMENSION_KEYS, DIMENSIONS, parseFilters, spendFilterFields } from '../url-state';

const EVENTS = graphql(`
  query Events($org: String, $after: String, $filter: EventFilter) {
    events(org: $org, first: 50, after: $after, filter: $filter) {
      nodes {
        eventId
        project
        occurredAt
        provider
        model
        feature
        customerId
        environment
        costUsd
        pricingStatus
        pricingReason
        pricingFlags
        usage {
          inputTokens
          outputTokens
          cacheReadTokens
          reasoningTokens
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

type EventFilter = NonNullable<VariablesOf<typeof EVENTS>['filter']>;
const UNPRICED: EventFilter['pricingStatuses'] = ['UNPRICED_MODEL', 'UNPRICED_COMPONENT', 'ERROR'];

function validInstant(v: string | null): string | null {
  return v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null;
}

/** Raw events, newest first: the drill-down behind every total. The URL carries its filters. */
export default function EventsPage() {
  const org = useOrg();
  const [search, setSearch] = useSearchParams();
  const unpricedOnly = search.get('unpriced') === '1';
  const utc = search.get('tz') === 'utc';
  const timeZone = utc ? 'UTC' : org.timeZone;
  const from = validInstant(search.get('from'));
  const to = validInstant(search.get('to'));
  const filters = parseFilters(search);
  const filter: EventFilter = {
    ...spendFilterFields(filters),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(unpricedOnly ? { pricingStatuses: UNPRICED } : {}),
  };
  const events = useInfiniteQuery({
    queryKey: ['events', org.slug, filter],
    queryFn: ({ pageParam, signal }) =>
      request(EVENTS, { org: org.slug, filter, after: pageParam }, signal).then((d) => d.events),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  const rows = events.data?.pages.flatMap((p) => p.nodes) ?? [];
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value === null) next.delete(key);
    else next.set(key, value);
    setSearch(next);
  };
  const scope = [
    ...(from || to
      ? [`${from ? dateTime(from, timeZone) : '…'} – ${to ? dateTime(to, timeZone) : 'now'}`]
      : []),
    ...DIMENSION_KEYS.flatMap((d) =>
      filters[d]?.length
        ? [`${DIMENSIONS[d].label}: ${filters[d].map((v) => v || '(none)').join(', ')}`]
        : [],
    ),
  ];

  return (
    <section className="card" aria-label="Events">
      <div className="card-head">
        <h1>Events</h1>
        <label className="check">
          <input
            type="checkbox"
            checked={unpricedOnly}
            onChange={(e) => set('unpriced', e.target.checked ? '1' : null)}
          />{' '}
          unpriced only
        </label>
        <label className="check">
          <input type="checkbox" checked={utc} onChange={(e) => set('tz', e.target.checked ? 'utc' : null)} />{' '}
          UTC
        </label>
      </div>
      {scope.length > 0 && (
        <p className="scope">
          Showing {scope.join(' · ')}. <Link to="/events">Show all events</Link>
        </p>
      )}
      {events.error && <ErrorState error={events.error} retry={() => void events.refetch()} />}
      {events.isPending ? (
        <Loading what="events" />
      ) : rows.length === 0 ? (
        <Empty>{scope.length || unpricedOnly ? 'No events match.' : 'No events yet.'}</Empty>
      ) : (
        <TableWrap label="Events">
          <table>
            <thead>
              <tr>
                <th scope="col">When ({timeZone})</th>
                <th scope="col">Project</th>
                <th scope="col">Model</th>
                <th scope="col">Feature / customer</th>
                <th scope="col" className="num">
                  In / cached / out / reasoning
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col">Pricing</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={`${e.project}/${e.eventId}`}>
                  <td className="nowrap">{dateTime(e.occurredAt, timeZone)}</td>
                  <td>{e.project}</td>
                  <td>
                    {e.provider}/{e.model}
                  </td>
                  <td>
                    {e.feature ?? '—'} / {e.customerId ?? '—'}
                  </td>
                  <td className="num">
                    {compact(e.usage.inputTokens)} / {compact(e.usage.cacheReadTokens)} /{' '}
                    {compact(e.usage.outputTokens)} / {compact(e.usage.reasoningTokens)}
                  </td>
                  <td className="num">
                    {e.costUsd === null ? (
                      <span className="unpriced">unpriced</span>
                    ) : (
                      money(e.costUsd, undefined, 6)
                    )}
                  </td>
                  <td title={e.pricingReason ?? e.pricingFlags.join(', ')}>
                    {e.pricingStatus === 'PRICED'
                      ? e.pricingFlags.join(', ') || 'priced'
                      : (e.pricingReason ?? e.pricingStatus)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {events.hasNextPage && (
        <button
          type="button"
          onClick={() => void events.fetchNextPage()}
          disabled={events.isFetchingNextPage}
        >
          {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
