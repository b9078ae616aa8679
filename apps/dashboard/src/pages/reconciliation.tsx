import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { count, money } from '../format';
import { graphql, request } from '../graphql';
import { useOrg } from '../org';
import {
  EXPLANATION_LABELS,
  parseReconciliation,
  PROVIDER_LABELS,
  RECONCILE_PROVIDERS,
  reconciliationLink,
  signedMoney,
  signedPercent,
  type ReconcileProvider,
} from '../reconciliation';

const COVERAGE = graphql(`
  query ReconciliationCoverage($org: String, $month: String!) {
    reconciliationCoverage(org: $org, month: $month) {
      provider
      month
      sentence
      coveragePercent
      providerTokens
      ourTokens
    }
  }
`);

const RECONCILIATION = graphql(`
  query Reconciliation($org: String, $month: String!, $provider: ReconcileProvider!) {
    reconciliation(org: $org, month: $month, provider: $provider) {
      provider
      month
      coverage
      usageDays
      costDays
      totals {
        providerTokens
        ourTokens
        coveragePercent
        providerCostUsd
        ourCostUsd
        differenceUsd
        differencePercent
        unexplainedUsd
        byExplanation {
          kind
          amountUsd
          lines
        }
      }
      lines {
        day
        model
        project
        external
        providerCostUsd
        ourCostUsd
        differenceUsd
        differencePercent
        unexplainedUsd
        explanations {
          kind
          amountUsd
          detail
        }
      }
    }
  }
`);

const signed = (v: string | null | undefined) => signedMoney(v, (x) => money(x));
/** A cost, with the same minus sign as the differences when it is a credit. */
const cost = (v: string | null | undefined) => (v && Number(v) < 0 ? signed(v) : money(v));

/** How to get a provider's reports in, when none are imported for the month. */
function HowToConnect({ provider, month }: { provider: ReconcileProvider; month: string }) {
  const label = PROVIDER_LABELS[provider];
  return (
    <Empty>
      <div data-testid="reconciliation-empty">
        <p>
          No {label} usage or cost report is imported for {month}. Two ways to bring it in:
        </p>
        <ul>
          <li>
            <strong>Admin key</strong>: an owner or admin connects {label}'s organization admin API in{' '}
            <Link to="/settings#reconciliation">Settings</Link>; Tokenledger imports the reports daily and on
            demand, and never shows the key again.
          </li>
          <li>
            <strong>File import</strong>, without giving Tokenledger a key: save the API's JSON pages and run
            <pre>
              <code>{`npm run tokenledger -- reconcile --month ${month} --provider ${provider.toLowerCase()} --file pages.jsonl`}</code>
            </pre>
          </li>
        </ul>
        <p className="muted">
          Mapping provider projects, workspaces and keys to Tokenledger projects, and what each explanation
          means: <code>docs/RECONCILIATION.md</code>.
        </p>
      </div>
    </Empty>
  );
}

export default function ReconciliationPage() {
  const org = useOrg();
  const [search, setSearch] = useSearchParams();
  const now = useMemo(() => new Date(), []);
  const { month, provider } = parseReconciliation(search, now);
  const label = PROVIDER_LABELS[provider];
  const coverage = useQuery({
    queryKey: ['reconciliation-coverage', org.slug, month],
    queryFn: ({ signal }) =>
      request(COVERAGE, { org: org.slug, month }, signal).then((d) => d.reconciliationCoverage),
  });
  const rec = useQuery({
    queryKey: ['reconciliation', org.slug, month, provider],
    queryFn: ({ signal }) =>
      request(RECONCILIATION, { org: org.slug, month, provider }, signal).then((d) => d.reconciliation),
  });
  const set = (next: { month?: string; provider?: ReconcileProvider }) => {
    const params = new URLSearchParams(search);
    params.set('month', next.month ?? month);
    params.set('provider', (next.provider ?? provider).toLowerCase());
    setSearch(params, { replace: true });
  };

  const r = rec.data;
  const imported = r !== undefined && (r.usageDays.length > 0 || r.costDays.length > 0);
  const differing = (r?.lines ?? []).filter(
    (l) => l.explanations.length > 0 || (l.differenceUsd !== null && Number(l.differenceUsd) !== 0),
  );
  const pctDiff = r ? signedPercent(r.totals.differencePercent) : null;

  return (
    <>
      <div className="page-head">
        <h1>Reconciliation</h1>
        <div className="toolbar">
          <label>
            Month{' '}
            <input
              type="month"
              value={month}
              required
              onChange={(e) => e.target.value && set({ month: e.target.value })}
            />
          </label>
          <label>
            Provider{' '}
            <select value={provider} onChange={(e) => set({ provider: e.target.value as ReconcileProvider })}>
              {RECONCILE_PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABELS[p]}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <p className="tagline">
        The providers' own usage and cost reports lined up against what Tokenledger priced, per UTC day, model
        and project. Monthly reports: <Link to="/reports">Reports</Link>.
      </p>

      <section className="card" aria-labelledby="coverage-title">
        <h2 id="coverage-title">Coverage in {month}</h2>
        {coverage.isPending ? (
          <Loading what="coverage" />
        ) : coverage.error ? (
          <ErrorState error={coverage.error} retry={() => void coverage.refetch()} />
        ) : coverage.data.length === 0 ? (
          <p className="muted">No provider usage is imported for {month}.</p>
        ) : (
          <ul className="plain coverage-list" data-testid="coverage-list">
            {coverage.data.map((c) => (
              <li key={c.provider}>
                {c.provider === provider ? (
                  <strong data-testid="coverage-sentence">{c.sentence}</strong>
                ) : (
                  <Link to={reconciliationLink(month, c.provider)}>{c.sentence}</Link>
                )}{' '}
                <span className="muted small">
                  {count(c.ourTokens)} of {count(c.providerTokens)} tokens
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="rec-title" data-testid="reconciliation">
        <div className="card-head">
          <h2 id="rec-title">
            {label}, {month}
          </h2>
        </div>
        {rec.isPending ? (
          <Loading what={`the ${label} reconciliation`} />
        ) : rec.error ? (
          <ErrorState error={rec.error} retry={() => void rec.refetch()} />
        ) : !imported ? (
          <HowToConnect provider={provider} month={month} />
        ) : (
          <>
            <div className="kpis">
              <div className="card kpi">
                <span>{label}'s cost</span>
                <strong data-testid="provider-cost">{cost(r.totals.providerCostUsd)}</strong>
                <small className="muted">
                  {r.costDays.length} {r.costDays.length === 1 ? 'day' : 'days'} in its cost report
                </small>
              </div>
              <div className="card kpi">
                <span>Tokenledger's cost</span>
                <strong data-testid="our-cost">{money(r.totals.ourCostUsd)}</strong>
                <small className="muted">over the same days</small>
              </div>
              <div className={`card kpi ${Number(r.totals.differenceUsd) !== 0 ? 'warn' : ''}`}>
                <span>Difference ({label} − Tokenledger)</span>
                <strong data-testid="difference">{signed(r.totals.differenceUsd)}</strong>
                <small className="muted">
                  {pctDiff ? `${pctDiff} of Tokenledger's cost` : ''}
                  {Number(r.totals.unexplainedUsd) !== 0
                    ? `${pctDiff ? ' · ' : ''}${signed(r.totals.unexplainedUsd)} unexplained`
                    : `${pctDiff ? ' · ' : ''}all explained`}
                </small>
              </div>
            </div>

            <h3>Why they differ</h3>
            {r.totals.byExplanation.length === 0 ? (
              <p className="muted">No named difference: the reports agree with Tokenledger.</p>
            ) : (
              <TableWrap label="Explanations">
                <table data-testid="explanations">
                  <thead>
                    <tr>
                      <th scope="col">Explanation</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col" className="num">
                        Lines
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.totals.byExplanation.map((e) => (
                      <tr key={e.kind}>
                        <td>{EXPLANATION_LABELS[e.kind] ?? e.kind}</td>
                        <td className="num">{signed(e.amountUsd)}</td>
                        <td className="num">{count(e.lines)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}

            <h3>Days that differ</h3>
            {differing.length === 0 ? (
              <p className="muted">Every day, model and project matches.</p>
            ) : (
              <TableWrap label="Days that differ">
                <table data-testid="differing-lines">
                  <thead>
                    <tr>
                      <th scope="col">Day</th>
                      <th scope="col">Model</th>
                      <th scope="col">Project</th>
                      <th scope="col" className="num">
                        {label}
                      </th>
                      <th scope="col" className="num">
                        Tokenledger
                      </th>
                      <th scope="col" className="num">
                        Difference
                      </th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {differing.map((l) => (
                      <tr key={`${l.day}|${l.model}|${l.project ?? ''}|${l.external ?? ''}`}>
                        <td className="nowrap">{l.day}</td>
                        <td>
                          <code>{l.model}</code>
                        </td>
                        <td className="nowrap">
                          {l.project ?? (l.external ? `unmapped: ${l.external}` : '—')}
                        </td>
                        <td className="num">{cost(l.providerCostUsd)}</td>
                        <td className="num">{money(l.ourCostUsd)}</td>
                        <td className="num">{signed(l.differenceUsd)}</td>
                        <td className="why">
                          {l.explanations.map((e, i) => (
                            <div key={i}>
                              {EXPLANATION_LABELS[e.kind] ?? e.kind} {signed(e.amountUsd)}
                              <div className="muted small">{e.detail}</div>
                            </div>
                          ))}
                          {l.unexplainedUsd !== null && Number(l.unexplainedUsd) !== 0 && (
                            <div className="unpriced">{signed(l.unexplainedUsd)} unexplained</div>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </>
        )}
      </section>
    </>
  );
}
