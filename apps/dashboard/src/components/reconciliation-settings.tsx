import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { dateTime } from '../format';
import { graphql, request } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';
import {
  PROVIDER_LABELS,
  RECONCILE_PROVIDERS,
  reconciliationLink,
  utcMonth,
  type ReconcileProvider,
} from '../reconciliation';
import { ConfirmButton } from './confirm-button';
import { ErrorState, Loading } from './states';

const CONNECTIONS = graphql(`
  query ProviderConnections($org: String) {
    providerConnections(org: $org) {
      provider
      baseUrl
      lastImportAt
      lastImportStatus
      lastImportError
      updatedAt
    }
  }
`);

const SET = graphql(`
  mutation SetProviderConnection($org: String, $provider: ReconcileProvider!, $adminKey: String!) {
    setProviderConnection(org: $org, provider: $provider, adminKey: $adminKey) {
      provider
    }
  }
`);

const REMOVE = graphql(`
  mutation RemoveProviderConnection($org: String, $provider: ReconcileProvider!) {
    removeProviderConnection(org: $org, provider: $provider)
  }
`);

const IMPORT = graphql(`
  mutation RequestReconciliationImport($org: String, $provider: ReconcileProvider!, $month: String!) {
    requestReconciliationImport(org: $org, provider: $provider, month: $month)
  }
`);

/** One provider: its admin key (write-only: never shown, never pre-filled), import now, remove. */
function ProviderConnectionRow({
  provider,
  connection,
}: {
  provider: ReconcileProvider;
  connection:
    { lastImportAt: unknown; lastImportStatus: string | null; lastImportError: string | null } | undefined;
}) {
  const org = useOrg();
  const admin = canAdmin(org.role);
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const month = utcMonth(new Date());
  const label = PROVIDER_LABELS[provider];
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['provider-connections', org.slug] });
  const save = useMutation({
    mutationFn: (adminKey: string) => request(SET, { org: org.slug, provider, adminKey }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => request(REMOVE, { org: org.slug, provider }),
    onSuccess: refresh,
  });
  const importNow = useMutation({
    mutationFn: () => request(IMPORT, { org: org.slug, provider, month }),
    onSuccess: () => setTimeout(() => void refresh(), 2000),
  });
  const inputId = `admin-key-${provider}`;
  return (
    <li data-testid={`connection-${provider.toLowerCase()}`}>
      <div className="row">
        <strong>{label}</strong>
        {connection ? (
          <span className="badge" data-testid="key-state">
            key set
          </span>
        ) : (
          <span className="muted">not connected</span>
        )}
        {connection?.lastImportAt ? (
          <span className="muted small">
            last import {dateTime(String(connection.lastImportAt), org.timeZone)}:{' '}
            {connection.lastImportStatus ?? '—'}
            {connection.lastImportError ? ` (${connection.lastImportError})` : ''}
          </span>
        ) : connection ? (
          <span className="muted small">no import yet</span>
        ) : null}
      </div>
      <form
        className="row"
        aria-label={`${label} connection`}
        onSubmit={(e) => {
          e.preventDefault();
          // The key leaves the page's state as soon as it is sent.
          if (key.trim()) save.mutate(key.trim());
          setKey('');
        }}
      >
        <label htmlFor={inputId}>{connection ? `Replace ${label}'s admin key` : `${label} admin key`}</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
          disabled={!admin}
        />
        <button type="submit" disabled={!admin || save.isPending} title={admin ? undefined : VIEWER_REASON}>
          {connection ? 'Replace key' : 'Connect'}
        </button>
        {connection && (
          <>
            <button
              type="button"
              onClick={() => importNow.mutate()}
              disabled={!admin || importNow.isPending}
              title={admin ? `Imports ${month} now` : VIEWER_REASON}
            >
              Import now
            </button>
            <ConfirmButton
              label="Remove"
              confirm={`Remove ${label}'s key`}
              onConfirm={() => remove.mutate()}
              disabled={!admin}
              busy={remove.isPending}
            />
          </>
        )}
      </form>
      {importNow.isSuccess && (
        <p className="notice" role="status">
          Import of {month} queued.{' '}
          <Link to={reconciliationLink(month, provider)}>See the reconciliation</Link>
        </p>
      )}
      {save.error && <ErrorState error={save.error} />}
      {remove.error && <ErrorState error={remove.error} />}
      {importNow.error && <ErrorState error={importNow.error} />}
    </li>
  );
}

/** Settings: the providers' admin APIs Tokenledger imports usage and cost reports from. */
export function ReconciliationSettings() {
  const org = useOrg();
  const admin = canAdmin(org.role);
  const { hash } = useLocation();
  const connections = useQuery({
    queryKey: ['provider-connections', org.slug],
    queryFn: ({ signal }) =>
      request(CONNECTIONS, { org: org.slug }, signal).then((d) => d.providerConnections),
  });
  useEffect(() => {
    if (connections.data && hash === '#reconciliation')
      document.getElementById('reconciliation')?.scrollIntoView({ block: 'start' });
  }, [connections.data, hash]);
  return (
    <section className="card" id="reconciliation" aria-labelledby="reconciliation-title">
      <h2 id="reconciliation-title">Provider reports</h2>
      <p className="hint">
        An organization admin key lets Tokenledger import OpenAI's or Anthropic's own usage and cost reports
        daily, to reconcile them with what it priced. The key is stored sealed and never shown again. Without
        a key, import the reports' JSON pages with the CLI's <code className="nowrap">reconcile --file</code>{' '}
        (<Link to="/reconciliation">Reconciliation</Link> shows how).
      </p>
      {!admin && <p className="hint">{VIEWER_REASON}</p>}
      {connections.isPending ? (
        <Loading what="provider connections" />
      ) : connections.error ? (
        <ErrorState error={connections.error} retry={() => void connections.refetch()} />
      ) : (
        <ul className="plain">
          {RECONCILE_PROVIDERS.map((p) => (
            <ProviderConnectionRow
              key={p}
              provider={p}
              connection={connections.data.find((c) => c.provider === p)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
