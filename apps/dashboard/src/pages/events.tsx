import { useState } from 'react';
import { compact, usd } from '../format';
import { graphql, request, type ResultOf } from '../graphql';
import { useQuery } from '../use-query';

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

type Event = ResultOf<typeof EVENTS>['events']['nodes'][number];

export function EventsPage({ org }: { org: string }) {
  const [unpricedOnly, setUnpricedOnly] = useState(false);
  const [extra, setExtra] = useState<Event[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const filter = unpricedOnly
    ? {
        pricingStatuses: ['UNPRICED_MODEL', 'UNPRICED_COMPONENT', 'ERROR'] as (
          'UNPRICED_MODEL' | 'UNPRICED_COMPONENT' | 'ERROR'
        )[],
      }
    : null;
  const first = useQuery(() => request(EVENTS, { org, filter }).then((d) => d.events), [org, unpricedOnly]);
  const rows = [...(first.data?.nodes ?? []), ...extra];
  const next = cursor ?? first.data?.pageInfo.endCursor ?? null;
  const [more, setMore] = useState(true);

  const loadMore = async () => {
    const page = (await request(EVENTS, { org, filter, after: next })).events;
    setExtra((e) => [...e, ...page.nodes]);
    setCursor(page.pageInfo.endCursor);
    setMore(page.pageInfo.hasNextPage);
  };

  return (
    <section className="card" aria-label="Events">
      <div className="toolbar">
        <h2>Recent events</h2>
        <label>
          <input
            type="checkbox"
            checked={unpricedOnly}
            onChange={(e) => {
              setUnpricedOnly(e.target.checked);
              setExtra([]);
              setCursor(null);
              setMore(true);
            }}
          />{' '}
          unpriced only
        </label>
      </div>
      {first.error && (
        <p role="alert" className="error">
          {first.error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Project</th>
            <th>Model</th>
            <th>Feature / customer</th>
            <th className="num">In / cached / out / reasoning</th>
            <th className="num">Cost</th>
            <th>Pricing</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={`${e.project}/${e.eventId}`}>
              <td>{e.occurredAt.slice(0, 19).replace('T', ' ')}</td>
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
              <td className="num">{e.costUsd === null ? 'unpriced' : usd(e.costUsd, 6)}</td>
              <td title={e.pricingReason ?? e.pricingFlags.join(', ')}>
                {e.pricingStatus === 'PRICED'
                  ? e.pricingFlags.join(', ') || 'priced'
                  : (e.pricingReason ?? e.pricingStatus)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !first.loading && <p>No events yet.</p>}
      {(first.data?.pageInfo.hasNextPage ?? false) && more && (
        <button onClick={() => void loadMore()}>Load more</button>
      )}
    </section>
  );
}
