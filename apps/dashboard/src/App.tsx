import { useEffect, useState } from 'react';
import { graphql } from './graphql';

interface ServiceStatus {
  version: string;
  ready: boolean;
  postgres: string;
  redis: string;
}

const STATUS_QUERY = `query Status { status { version ready postgres redis } }`;

export function App() {
  const [status, setStatus] = useState<ServiceStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    graphql<{ status: ServiceStatus }>(STATUS_QUERY)
      .then((data) => setStatus(data.status))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  return (
    <main className="page">
      <header>
        <h1>Tokenledger</h1>
        <p className="tagline">What every LLM request costs, per feature and per customer.</p>
      </header>
      <section aria-label="Service status" className="card">
        <h2>Service status</h2>
        {error && <p role="alert">API unreachable: {error}</p>}
        {!error && !status && <p>Checking…</p>}
        {status && (
          <dl>
            <dt>API</dt>
            <dd data-testid="api-status">
              {status.ready ? 'ready' : 'not ready'} (v{status.version})
            </dd>
            <dt>PostgreSQL</dt>
            <dd>{status.postgres}</dd>
            <dt>Redis</dt>
            <dd>{status.redis}</dd>
          </dl>
        )}
      </section>
    </main>
  );
}
