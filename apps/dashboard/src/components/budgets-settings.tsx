import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { dateTime, date, money } from '../format';
import { graphql, request, type ResultOf } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';
import { CopyButton } from './copy-button';
import { ConfirmButton } from './confirm-button';
import { Empty, ErrorState, Loading, TableWrap } from './states';
import {
  budgetInputOf,
  draftOf,
  emptyDraft,
  keyLabel,
  scopeLabel,
  SCOPE_KINDS,
  type BudgetDraft,
  type KeyLike,
} from '../budget-form';

/** An API key of the organization, as the settings page lists them. */
export interface ApiKeyOption extends KeyLike {
  revokedAt: string | null;
  project: { slug: string } | null;
}

const BUDGETS = graphql(`
  query SettingsBudgets($org: String) {
    budgets(org: $org) {
      id
      name
      amountUsd
      period
      periodDays
      kind
      thresholds
      timeZone
      startsAt
      scope {
        kind
        project
        key
        value
      }
    }
    alertDestinations(org: $org) {
      id
      name
      url
      format
      createdAt
    }
    budgetAlerts(org: $org, first: 20) {
      id
      budgetId
      threshold
      kind
      status
      spentUsd
      projectedAt
      createdAt
    }
    alertDeliveries(org: $org, first: 20) {
      id
      destinationId
      event
      attempt
      statusCode
      durationMs
      error
      createdAt
    }
  }
`);

const STATUS = graphql(`
  query SettingsBudgetStatus($org: String, $id: ID!) {
    budgetStatus(org: $org, id: $id, history: 6) {
      spentUsd
      remainingUsd
      percentUsed
      exceeded
      resetsInDays
      crossedThresholds
      periodStart
      periodEnd
      history {
        start
        end
        spentUsd
        crossed
      }
    }
  }
`);

const CREATE_BUDGET = graphql(`
  mutation CreateBudget($org: String, $input: BudgetInput!) {
    createBudget(org: $org, input: $input) {
      id
    }
  }
`);

const UPDATE_BUDGET = graphql(`
  mutation UpdateBudget($org: String, $id: ID!, $input: BudgetInput!) {
    updateBudget(org: $org, id: $id, input: $input) {
      id
    }
  }
`);

const DELETE_BUDGET = graphql(`
  mutation DeleteBudget($org: String, $id: ID!) {
    deleteBudget(org: $org, id: $id)
  }
`);

const CREATE_DESTINATION = graphql(`
  mutation CreateAlertDestination($org: String, $input: AlertDestinationInput!) {
    createAlertDestination(org: $org, input: $input) {
      secret
      destination {
        id
        name
      }
    }
  }
`);

const DELETE_DESTINATION = graphql(`
  mutation DeleteAlertDestination($org: String, $id: ID!) {
    deleteAlertDestination(org: $org, id: $id)
  }
`);

const SEND_TEST = graphql(`
  mutation SendTestAlert($org: String, $id: ID!) {
    sendTestAlert(org: $org, destinationId: $id) {
      statusCode
      error
      durationMs
    }
  }
`);

type Budget = ResultOf<typeof BUDGETS>['budgets'][number];

const VALUE_LABELS: Partial<Record<BudgetDraft['scopeKind'], string>> = {
  feature: 'Feature',
  customer: 'Customer id',
  environment: 'Environment',
  model: 'Model (as reported)',
  tag: 'Tag value',
};

/** "85%", or "over 10×" for a budget far past its amount (a tiny test budget reads 1068663% otherwise). */
export function percentUsed(p: number): string {
  return p >= 1000 ? `over ${Math.floor(p / 100).toLocaleString()}×` : `${Math.round(p)}%`;
}

function Disabled({ admin }: { admin: boolean }) {
  return admin ? null : <p className="hint">{VIEWER_REASON}</p>;
}

function BudgetForm({
  projects,
  apiKeys,
  editing,
  onDone,
}: {
  projects: { slug: string }[];
  apiKeys: ApiKeyOption[];
  editing: Budget | null;
  onDone: () => void;
}) {
  const org = useOrg();
  const admin = canAdmin(org.role);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<BudgetDraft>(() =>
    editing ? draftOf(editing) : emptyDraft(org.timeZone),
  );
  const set = (patch: Partial<BudgetDraft>) => setDraft({ ...draft, ...patch });
  const save = useMutation({
    mutationFn: () => {
      const input = budgetInputOf(draft);
      return editing
        ? request(UPDATE_BUDGET, { org: org.slug, id: editing.id, input }).then((d) => d.updateBudget.id)
        : request(CREATE_BUDGET, { org: org.slug, input }).then((d) => d.createBudget.id);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['settings-budgets', org.slug] });
      void queryClient.invalidateQueries({ queryKey: ['budget-status', org.slug] });
      void queryClient.invalidateQueries({ queryKey: ['budgets', org.slug] });
      if (!editing) setDraft(emptyDraft(org.timeZone));
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const scope = draft.scopeKind;
  return (
    <form onSubmit={submit} aria-label={editing ? `Edit budget ${editing.name}` : 'New budget'}>
      <h3>{editing ? `Edit “${editing.name}”` : 'New budget'}</h3>
      <div className="form-grid">
        <label>
          Name
          <input
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
            required
            disabled={!admin}
          />
        </label>
        <label>
          Covers
          <select
            value={scope}
            onChange={(e) => set({ scopeKind: e.target.value as BudgetDraft['scopeKind'] })}
            disabled={!admin}
          >
            {SCOPE_KINDS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {scope === 'project' && (
          <label>
            Project
            <select
              value={draft.project}
              onChange={(e) => set({ project: e.target.value })}
              required
              disabled={!admin}
            >
              <option value="">choose…</option>
              {projects.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {p.slug}
                </option>
              ))}
            </select>
          </label>
        )}
        {scope === 'tag' && (
          <label>
            Tag key
            <input
              value={draft.tagKey}
              onChange={(e) => set({ tagKey: e.target.value })}
              required
              disabled={!admin}
            />
          </label>
        )}
        {scope === 'api_key' && (
          <label>
            API key
            <select
              value={draft.value}
              onChange={(e) => set({ value: e.target.value })}
              required
              disabled={!admin}
            >
              <option value="">choose…</option>
              {/* Active keys, and the one a budget already names even if it was revoked since. */}
              {apiKeys
                .filter((k) => !k.revokedAt || k.id === draft.value)
                .map((k) => (
                  <option key={k.id} value={k.id}>
                    {keyLabel(k)}
                    {k.project ? ` · ${k.project.slug}` : ''}
                    {k.revokedAt ? ' · revoked' : ''}
                  </option>
                ))}
            </select>
          </label>
        )}
        {scope !== 'organization' && scope !== 'project' && scope !== 'api_key' && (
          <label>
            {VALUE_LABELS[scope] ?? 'Value'}
            <input
              value={draft.value}
              onChange={(e) => set({ value: e.target.value })}
              required
              disabled={!admin}
            />
          </label>
        )}
        <label>
          Amount (USD)
          <input
            inputMode="decimal"
            value={draft.amountUsd}
            onChange={(e) => set({ amountUsd: e.target.value })}
            pattern="\d+(\.\d{1,6})?"
            title="dollars, e.g. 500 or 499.99"
            required
            disabled={!admin}
          />
        </label>
        <label>
          Period
          <select
            value={draft.period}
            onChange={(e) => set({ period: e.target.value as BudgetDraft['period'] })}
            disabled={!admin}
          >
            <option value="month">calendar month</option>
            <option value="week">calendar week</option>
            <option value="day">day</option>
            <option value="custom">every N days</option>
          </select>
        </label>
        {draft.period === 'custom' && (
          <label>
            Days per period
            <input
              type="number"
              min={1}
              max={366}
              value={draft.periodDays}
              onChange={(e) => set({ periodDays: e.target.value })}
              required
              disabled={!admin}
            />
          </label>
        )}
        <label>
          Alert at (% of amount)
          <input
            value={draft.thresholds}
            onChange={(e) => set({ thresholds: e.target.value })}
            pattern="\s*\d+(\s*,\s*\d+)*\s*"
            title="percentages separated by commas, e.g. 50, 80, 100"
            disabled={!admin}
          />
        </label>
        <label>
          When reached
          <select
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as BudgetDraft['kind'] })}
            disabled={!admin}
          >
            <option value="soft">soft: alert only</option>
            <option value="hard">hard: the SDK and /v1/budgets/check refuse</option>
          </select>
        </label>
        <label>
          Time zone
          <input
            value={draft.timeZone}
            onChange={(e) => set({ timeZone: e.target.value })}
            required
            disabled={!admin}
          />
        </label>
      </div>
      <div className="row">
        <button type="submit" disabled={!admin || save.isPending} title={admin ? undefined : VIEWER_REASON}>
          {editing ? 'Save budget' : 'Create budget'}
        </button>
        {editing && (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
      {save.error && <ErrorState error={save.error} />}
    </form>
  );
}

function BudgetRow({
  budget,
  apiKeys,
  status,
  onEdit,
  onDelete,
  busy,
  failed,
}: {
  budget: Budget;
  apiKeys: ApiKeyOption[];
  status: ResultOf<typeof STATUS>['budgetStatus'] | undefined;
  onEdit: () => void;
  onDelete: () => void;
  busy: boolean;
  failed: Error | null;
}) {
  const org = useOrg();
  const admin = canAdmin(org.role);
  // Until its status arrives a cell says so; if it cannot arrive, the cell says why.
  const pending = failed ? <span title={failed.message}>unavailable</span> : '…';
  return (
    <tr>
      <td className="name-cell">
        <strong>{budget.name}</strong>
        <div className="muted small">
          {budget.kind} · alerts at {budget.thresholds.join(', ')}%
        </div>
        {status && status.history.length > 0 && (
          <details>
            <summary className="small">Past periods</summary>
            <ul className="plain small">
              {status.history.map((h) => (
                <li key={h.start}>
                  {date(h.start, budget.timeZone)} –{' '}
                  {date(new Date(Date.parse(h.end) - 1).toISOString(), budget.timeZone)}: {money(h.spentUsd)}{' '}
                  {h.crossed ? <span className="error">over</span> : ''}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td>{scopeLabel(budget.scope, apiKeys)}</td>
      <td className="num">
        {money(budget.amountUsd)} / {budget.period === 'custom' ? `${budget.periodDays} days` : budget.period}
      </td>
      <td className="num">
        {status ? (
          <>
            {money(status.spentUsd)}{' '}
            <span className={status.exceeded ? 'error' : 'muted'}>({percentUsed(status.percentUsed)})</span>
          </>
        ) : (
          pending
        )}
      </td>
      <td className="num">{status ? money(status.remainingUsd) : pending}</td>
      <td className="nowrap">
        {status ? `resets in ${status.resetsInDays} ${status.resetsInDays === 1 ? 'day' : 'days'}` : pending}
      </td>
      <td className="nowrap">
        <button
          type="button"
          onClick={onEdit}
          disabled={!admin}
          title={admin ? undefined : VIEWER_REASON}
          aria-label={`Edit ${budget.name}`}
        >
          Edit
        </button>{' '}
        <ConfirmButton
          label="Delete"
          confirm={`Delete ${budget.name}`}
          onConfirm={onDelete}
          disabled={!admin}
          busy={busy}
        />
      </td>
    </tr>
  );
}

/** Settings → budgets and alert destinations (organization-wide; viewers read, admins change). */
export function BudgetsSettings({
  projects,
  apiKeys,
}: {
  projects: { slug: string }[];
  apiKeys: ApiKeyOption[];
}) {
  const org = useOrg();
  const admin = canAdmin(org.role);
  const queryClient = useQueryClient();
  const data = useQuery({
    queryKey: ['settings-budgets', org.slug],
    queryFn: ({ signal }) => request(BUDGETS, { org: org.slug }, signal),
  });
  const statuses = useQueries({
    queries: (data.data?.budgets ?? []).map((b) => ({
      queryKey: ['budget-status', org.slug, b.id, 6],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        request(STATUS, { org: org.slug, id: b.id }, signal).then((d) => d.budgetStatus),
    })),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['settings-budgets', org.slug] });
    void queryClient.invalidateQueries({ queryKey: ['budgets', org.slug] });
  };
  const [editing, setEditing] = useState<string | null>(null);
  const deleteBudget = useMutation({
    mutationFn: (id: string) => request(DELETE_BUDGET, { org: org.slug, id }),
    onSuccess: refresh,
  });

  const [destName, setDestName] = useState('');
  const [destUrl, setDestUrl] = useState('');
  const [destFormat, setDestFormat] = useState<'json' | 'slack'>('json');
  const createDestination = useMutation({
    mutationFn: () =>
      request(CREATE_DESTINATION, {
        org: org.slug,
        input: { name: destName, url: destUrl, format: destFormat },
      }).then((d) => d.createAlertDestination),
    onSuccess: () => {
      setDestName('');
      setDestUrl('');
      refresh();
    },
  });
  const deleteDestination = useMutation({
    mutationFn: (id: string) => request(DELETE_DESTINATION, { org: org.slug, id }),
    onSuccess: refresh,
  });
  const sendTest = useMutation({
    mutationFn: (id: string) => request(SEND_TEST, { org: org.slug, id }).then((d) => d.sendTestAlert),
    onSettled: refresh,
  });

  // A link to #budgets or #alerts (from the overview) lands on the section once it is drawn.
  const { hash } = useLocation();
  const ready = data.isSuccess;
  useEffect(() => {
    if (ready && (hash === '#budgets' || hash === '#alerts'))
      document.getElementById(hash.slice(1))?.scrollIntoView({ block: 'start' });
  }, [ready, hash]);

  if (data.isPending) return <Loading what="budgets" />;
  if (data.error) return <ErrorState error={data.error} retry={() => void data.refetch()} />;
  const { budgets, alertDestinations, alertDeliveries, budgetAlerts } = data.data;
  const budgetName = new Map(budgets.map((b) => [b.id, b.name]));
  const destinationName = new Map(alertDestinations.map((d) => [d.id, d.name]));
  const editingBudget = budgets.find((b) => b.id === editing) ?? null;

  return (
    <>
      <section className="card" id="budgets" aria-labelledby="budgets-title">
        <h2 id="budgets-title">Budgets</h2>
        <Disabled admin={admin} />
        <p className="hint">
          Spend is counted in each budget&apos;s own period and time zone; alerts go to every destination
          below.
        </p>
        {deleteBudget.error && <ErrorState error={deleteBudget.error} />}
        {budgets.length === 0 ? (
          <Empty>No budgets yet.</Empty>
        ) : (
          <TableWrap label="Budgets">
            <table data-testid="budgets-table">
              <thead>
                <tr>
                  <th scope="col">Budget</th>
                  <th scope="col">Covers</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col" className="num">
                    Spent so far
                  </th>
                  <th scope="col" className="num">
                    Remaining
                  </th>
                  <th scope="col">Period</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {budgets.map((b, i) => (
                  <BudgetRow
                    key={b.id}
                    budget={b}
                    apiKeys={apiKeys}
                    status={statuses[i]?.data}
                    failed={statuses[i]?.error ?? null}
                    onEdit={() => setEditing(b.id)}
                    onDelete={() => deleteBudget.mutate(b.id)}
                    busy={deleteBudget.isPending}
                  />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {editingBudget ? (
          <BudgetForm
            key={editingBudget.id}
            projects={projects}
            apiKeys={apiKeys}
            editing={editingBudget}
            onDone={() => setEditing(null)}
          />
        ) : (
          <BudgetForm
            key="new"
            projects={projects}
            apiKeys={apiKeys}
            editing={null}
            onDone={() => undefined}
          />
        )}
      </section>

      <section className="card" id="alerts" aria-labelledby="destinations-title">
        <h2 id="destinations-title">Alert destinations</h2>
        <Disabled admin={admin} />
        <p className="hint">
          A webhook receives a signed JSON POST per alert (verify it with the signing secret); a Slack
          incoming webhook receives a message.
        </p>
        {createDestination.data && (
          <div className="secret" role="status" data-testid="new-destination">
            <p>
              <strong>Copy this signing secret now: it is shown once.</strong> Receivers check the HMAC-SHA256
              signature of each POST with it.
            </p>
            <code data-testid="destination-secret">{createDestination.data.secret}</code>{' '}
            <CopyButton text={createDestination.data.secret} label="Copy secret" />{' '}
            <button type="button" onClick={() => createDestination.reset()}>
              I have saved it
            </button>
          </div>
        )}
        <form
          className="row"
          aria-label="New alert destination"
          onSubmit={(e) => {
            e.preventDefault();
            createDestination.mutate();
          }}
        >
          <label>
            Name{' '}
            <input
              value={destName}
              onChange={(e) => setDestName(e.target.value)}
              required
              disabled={!admin}
            />
          </label>
          <label>
            URL{' '}
            <input
              type="url"
              value={destUrl}
              onChange={(e) => setDestUrl(e.target.value)}
              placeholder="https://…"
              required
              disabled={!admin}
            />
          </label>
          <label>
            Format{' '}
            <select
              value={destFormat}
              onChange={(e) => setDestFormat(e.target.value as 'json' | 'slack')}
              disabled={!admin}
            >
              <option value="json">webhook (signed JSON)</option>
              <option value="slack">Slack incoming webhook</option>
            </select>
          </label>
          <button
            type="submit"
            disabled={!admin || createDestination.isPending}
            title={admin ? undefined : VIEWER_REASON}
          >
            Add destination
          </button>
        </form>
        {createDestination.error && <ErrorState error={createDestination.error} />}
        {deleteDestination.error && <ErrorState error={deleteDestination.error} />}
        {sendTest.error && <ErrorState error={sendTest.error} />}
        {sendTest.data && (
          <p role="status" className={sendTest.data.error ? 'error' : 'muted'} data-testid="test-result">
            Test sent:{' '}
            {sendTest.data.error
              ? `failed (${sendTest.data.error})`
              : `the receiver answered ${sendTest.data.statusCode ?? '—'} in ${sendTest.data.durationMs} ms`}
          </p>
        )}
        {alertDestinations.length === 0 ? (
          <Empty>No destinations yet: alerts are recorded but sent nowhere.</Empty>
        ) : (
          <TableWrap label="Alert destinations">
            <table data-testid="destinations-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Format</th>
                  <th scope="col">URL</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {alertDestinations.map((d) => (
                  <tr key={d.id}>
                    <td>{d.name}</td>
                    <td>{d.format === 'slack' ? 'Slack' : 'webhook'}</td>
                    <td>
                      <code>{d.url}</code>
                    </td>
                    <td>{date(d.createdAt, org.timeZone)}</td>
                    <td className="nowrap">
                      <button
                        type="button"
                        onClick={() => sendTest.mutate(d.id)}
                        disabled={!admin || sendTest.isPending}
                        title={admin ? undefined : VIEWER_REASON}
                        aria-label={`Send test to ${d.name}`}
                      >
                        Send test
                      </button>{' '}
                      <ConfirmButton
                        label="Delete"
                        confirm={`Delete ${d.name}`}
                        onConfirm={() => deleteDestination.mutate(d.id)}
                        disabled={!admin}
                        busy={deleteDestination.isPending}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <h3>Alerts raised</h3>
        {budgetAlerts.length === 0 ? (
          <Empty>No budget has reached a threshold yet.</Empty>
        ) : (
          <TableWrap label="Alerts raised">
            <table data-testid="alerts-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Budget</th>
                  <th scope="col">Alert</th>
                  <th scope="col" className="num">
                    Spent then
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {budgetAlerts.map((a) => (
                  <tr key={a.id}>
                    <td className="nowrap">{dateTime(a.createdAt, org.timeZone)}</td>
                    <td>{budgetName.get(a.budgetId) ?? '(deleted)'}</td>
                    <td>
                      {a.kind === 'forecast'
                        ? `forecast to reach ${a.threshold}%${a.projectedAt ? ` on ${date(a.projectedAt, org.timeZone)}` : ''}`
                        : `reached ${a.threshold}%`}
                    </td>
                    <td className="num">{money(a.spentUsd)}</td>
                    <td className={a.status === 'failed' ? 'error' : undefined}>{a.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <h3>Delivery log</h3>
        {alertDeliveries.length === 0 ? (
          <Empty>Nothing delivered yet.</Empty>
        ) : (
          <TableWrap label="Delivery log">
            <table data-testid="deliveries-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Event</th>
                  <th scope="col" className="num">
                    Attempt
                  </th>
                  <th scope="col">Answer</th>
                </tr>
              </thead>
              <tbody>
                {alertDeliveries.map((d) => (
                  <tr key={d.id}>
                    <td className="nowrap">{dateTime(d.createdAt, org.timeZone)}</td>
                    <td>{destinationName.get(d.destinationId) ?? '(deleted)'}</td>
                    <td>{d.event}</td>
                    <td className="num">{d.attempt}</td>
                    <td>
                      {d.error ? (
                        <span className="error">{d.error}</span>
                      ) : (
                        `${d.statusCode ?? '—'} in ${d.durationMs} ms`
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
}
