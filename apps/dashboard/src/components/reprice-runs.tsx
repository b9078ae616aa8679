import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useOrg } from '../org';
import { count, usd } from '../format';
import { TableWrap } from './states';
import { graphql, request, type ResultOf } from '../graphql';

const RUNS = graphql(`
  query RepriceRuns($org: String) {
    repriceRuns(org: $org, first: 5) {
      id
      reason
      status
      scope
      models {
        provider
        model
      }
      eventsScanned
      eventsTotal
      eventsChanged
      totalBefore
      totalAfter
      error
      createdAt
      finishedAt
    }
  }
`);

type Run = ResultOf<typeof RUNS>['repriceRuns'][number];

const active = (r: Run) => r.status === 'queued' || r.status === 'running';

/**
 * The organization's recent re-pricing runs, refreshed every second while one is queued or
 * running: progress (events done of total), then what it changed. When the last active run
 * finishes, every cached answer is refetched, so totals and prices on screen are the new ones.
 */
function useRepriceRuns(org: string): Run[] {
  const queryClient = useQueryClient();
  const runs = useQuery({
    queryKey: ['reprice-runs', org],
    queryFn: ({ signal }) => request(RUNS, { org }, signal).then((d) => d.repriceRuns),
    refetchInterval: (query) => (query.state.data?.some(active) ? 1000 : false),
  });
  const anyActive = (runs.data ?? []).some(active);
  const wasActive = useRef(false);
  useEffect(() => {
    if (wasActive.current && !anyActive) void queryClient.invalidateQueries();
    wasActive.current = anyActive;
  }, [anyActive, queryClient]);
  return runs.data ?? [];
}

function what(r: Run): string {
  // What a run covers is decided when a worker starts it.
  if (r.eventsTotal === null) return 'the models of the published rates';
  if (r.scope !== 'models') return 'every event in range';
  if (r.models.length === 0) return 'no stored events it can change';
  const names = r.models.slice(0, 3).map((m) => `${m.provider}/${m.model}`);
  return `${names.join(', ')}${r.models.length > 3 ? ` and ${r.models.length - 3} more` : ''}`;
}

/** A notice while runs are in progress, and the recent runs with their progress and results. */
export function RepriceRuns() {
  const org = useOrg();
  const runs = useRepriceRuns(org.slug);
  const inProgress = runs.filter(active);
  if (runs.length === 0) return null;
  return (
    <section className="card" aria-label="Re-pricing">
      <h2>Re-pricing</h2>
      {inProgress.length > 0 && (
        <p role="status" className="notice" data-testid="reprice-notice">
          Re-pricing in progress: totals that include {inProgress.map(what).join('; ')} may still show old
          prices (or &ldquo;unpriced&rdquo;) until it finishes.
        </p>
      )}
      <TableWrap label="Re-pricing runs">
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Covers</th>
              <th>Status</th>
              <th>Progress</th>
              <th className="num">Changed</th>
              <th className="num">Before</th>
              <th className="num">After</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const total = r.eventsTotal ?? 0;
              const done = Math.min(r.eventsScanned, total);
              return (
                <tr key={r.id} data-testid="reprice-run">
                  <td>{new Date(r.createdAt).toLocaleString()}</td>
                  <td title={r.reason}>{what(r)}</td>
                  <td>{r.status === 'failed' ? `failed: ${r.error ?? ''}` : r.status}</td>
                  <td>
                    {r.eventsTotal === null ? (
                      'waiting for a worker'
                    ) : (
                      <>
                        <progress max={Math.max(total, 1)} value={done} aria-label="Re-pricing progress" />{' '}
                        <span data-testid="reprice-progress">
                          {count(done)} of {count(total)} events
                        </span>
                      </>
                    )}
                  </td>
                  <td className="num">{count(r.eventsChanged)}</td>
                  <td className="num" data-testid="reprice-before">
                    {r.status === 'succeeded' ? usd(r.totalBefore) : '—'}
                  </td>
                  <td className="num" data-testid="reprice-after">
                    {r.status === 'succeeded' ? usd(r.totalAfter) : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
