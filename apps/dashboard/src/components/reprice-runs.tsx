import { useEffect, useState } from 'react';
import { count, usd } from '../format';
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
 * running: progress (events done of total), then what it changed. `onSettled` hears when the
 * last active run finishes, so a page can reload the totals it shows.
 */
export function useRepriceRuns(org: string, refresh: unknown, onSettled?: () => void) {
  const [runs, setRuns] = useState<Run[]>([]);
  const [tick, setTick] = useState(0);
  const [wasActive, setWasActive] = useState(false);
  useEffect(() => {
    let live = true;
    request(RUNS, { org }).then(
      (d) => live && setRuns(d.repriceRuns),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [org, tick, refresh]);
  const anyActive = runs.some(active);
  useEffect(() => {
    if (!anyActive) {
      if (wasActive) onSettled?.();
      setWasActive(false);
      return;
    }
    setWasActive(true);
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [anyActive]);
  return runs;
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
export function RepriceRuns({ runs }: { runs: Run[] }) {
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
    </section>
  );
}
