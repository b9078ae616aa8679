import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { SERIES_COLORS } from '../components/chart-data';
import { Empty, ErrorState, Loading, TableWrap } from '../components/states';
import { date } from '../format';
import { graphql, request, type ResultOf } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';
import { RepriceRuns } from '../components/reprice-runs';
import { addDays, ymdInZone } from '../time-range';
import { useDebounced } from '../use-debounced';

const RATE_TABLES = graphql(`
  query RateTables($org: String) {
    rateTables(org: $org) {
      id
      slug
      name
      kind
      own
      priority
      position
      versions {
        id
        version
        effectiveFrom
        publishedAt
        publishedBy
        note
        source
        rateCount
      }
    }
  }
`);

const MODELS = graphql(`
  query Models($org: String, $search: String) {
    models(org: $org, search: $search, first: 50) {
      provider
      model
      displayName
      contextWindow
      inputModalities
      capabilities
      priceInForce {
        prices
        rateVersion {
          table
          tableName
          version
        }
        derivation {
          summary
        }
      }
      benchmarks {
        name
        score
        unit
      }
    }
  }
`);

const HISTORY = graphql(`
  query ModelHistory($org: String, $provider: String, $search: String) {
    models(org: $org, provider: $provider, search: $search, first: 20) {
      provider
      model
      priceHistory {
        prices
        source
        rateVersion {
          id
          table
          version
          effectiveFrom
        }
      }
    }
  }
`);

const PUBLISH = graphql(`
  mutation PublishPrice($org: String, $input: PublishRateVersionInput!) {
    publishRateVersion(org: $org, input: $input) {
      published
      changes {
        added
        changed
      }
      version {
        version
        effectiveFrom
      }
      repriceRun {
        id
        status
      }
    }
  }
`);

type Prices = Partial<Record<'input' | 'output' | 'cacheRead', string>>;
const KINDS = [
  ['input', 'Input'],
  ['cacheRead', 'Cached input'],
  ['output', 'Output'],
] as const;

/** Catalog versions that have always been in force start at the epoch: say so rather than "1970". */
function since(iso: string): string {
  return Date.parse(iso) <= 0 ? 'always' : date(iso);
}

function perMillion(v: string | undefined): string {
  return v === undefined ? '—' : `$${v}`;
}

function RateTables() {
  const org = useOrg();
  const tables = useQuery({
    queryKey: ['rate-tables', org.slug],
    queryFn: ({ signal }) => request(RATE_TABLES, { org: org.slug }, signal).then((d) => d.rateTables),
  });
  // In the order prices are looked up: the first table with a price wins.
  const sorted = [...(tables.data ?? [])].sort((a, b) => a.position - b.position);
  return (
    <section className="card" aria-label="Rate tables">
      <h2>Rate tables</h2>
      <p className="hint">
        Consulted in this order (higher priority first, then by slug): the first table with a price for a
        model wins. Your own tables come before the catalog unless you set their priority lower.
      </p>
      {tables.error && <ErrorState error={tables.error} retry={() => void tables.refetch()} />}
      {tables.isPending ? (
        <Loading what="rate tables" />
      ) : (
        <TableWrap label="Rate tables">
          <table>
            <thead>
              <tr>
                <th scope="col" className="num" title="The order prices are looked up in">
                  Order
                </th>
                <th scope="col">Table</th>
                <th scope="col">Kind</th>
                <th scope="col">Latest version</th>
                <th scope="col">In force from</th>
                <th scope="col" className="num">
                  Rates
                </th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((t) => {
                const v = t.versions[t.versions.length - 1];
                return (
                  <tr key={t.id}>
                    <td className="num" title={`priority ${t.priority}`}>
                      {t.position}
                    </td>
                    <td title={t.slug}>
                      {t.name}
                      {t.versions.length > 1 && (
                        <details>
                          <summary>{t.versions.length} versions</summary>
                          <ul className="versions">
                            {[...t.versions].reverse().map((x) => (
                              <li key={x.id}>
                                v{x.version} from {since(x.effectiveFrom)} · {x.rateCount} rates
                                {x.publishedBy ? ` · by ${x.publishedBy}` : ''}
                                {x.note ? ` · ${x.note}` : ''}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                    <td>{t.own ? 'your override' : t.kind}</td>
                    <td>v{v?.version}</td>
                    <td>{v ? since(v.effectiveFrom) : '—'}</td>
                    <td className="num">{v?.rateCount}</td>
                    <td>{v?.source}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

/** Give a model a price in one of the organization's tables (how unpriced usage gets priced). */
function PriceForm({ initial, onClose }: { initial: string; onClose: () => void }) {
  const org = useOrg();
  const queryClient = useQueryClient();
  const [provider0, ...rest] = initial.split('/');
  const [provider, setProvider] = useState(rest.length ? (provider0 ?? '') : '');
  const [model, setModel] = useState(rest.length ? rest.join('/') : (provider0 ?? ''));
  const [table, setTable] = useState('negotiated');
  const [prices, setPrices] = useState<Record<string, string>>({ input: '', cacheRead: '', output: '' });
  // Starting in the past prices the events already stored (a re-pricing run does it, audited).
  const [from, setFrom] = useState(() => addDays(ymdInZone(new Date(), 'UTC'), -90));
  const admin = canAdmin(org.role);
  const publish = useMutation({
    mutationFn: () =>
      request(PUBLISH, {
        org: org.slug,
        input: {
          table,
          merge: true,
          effectiveFrom: new Date(`${from}T00:00:00Z`).toISOString(),
          note: `${provider}/${model} priced from the dashboard`,
          rates: [
            {
              provider,
              model,
              match: { exact: [model] },
              prices: Object.fromEntries(Object.entries(prices).filter(([, v]) => v.trim() !== '')),
              source: 'dashboard',
            },
          ],
        },
      }).then((d) => d.publishRateVersion),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    publish.mutate();
  };
  return (
    <section className="card" aria-labelledby="price-form-title">
      <h2 id="price-form-title">Price a model</h2>
      {!admin && <p className="hint">{VIEWER_REASON}</p>}
      <form className="form-grid" onSubmit={submit}>
        <label>
          Provider
          <input value={provider} onChange={(e) => setProvider(e.target.value)} required disabled={!admin} />
        </label>
        <label>
          Model
          <input value={model} onChange={(e) => setModel(e.target.value)} required disabled={!admin} />
        </label>
        {KINDS.map(([k, label]) => (
          <label key={k}>
            {label} $ / 1M tokens
            <input
              inputMode="decimal"
              pattern="\d+(\.\d+)?"
              value={prices[k]}
              required={k !== 'cacheRead'}
              disabled={!admin}
              onChange={(e) => setPrices({ ...prices, [k]: e.target.value })}
            />
          </label>
        ))}
        <label>
          Your table
          <input value={table} onChange={(e) => setTable(e.target.value)} required disabled={!admin} />
        </label>
        <label>
          In force from (UTC)
          <input
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            required
            disabled={!admin}
          />
        </label>
        <p className="hint wide">
          A start in the past re-prices the stored events it covers, in a re-pricing run that records every
          change.
        </p>
        <div className="row wide">
          <button
            type="submit"
            className="primary"
            disabled={!admin || publish.isPending}
            title={admin ? undefined : VIEWER_REASON}
          >
            {publish.isPending ? 'Publishing…' : 'Publish price'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      {publish.error && <ErrorState error={publish.error} />}
      {publish.data && (
        <p role="status" className="notice">
          {publish.data.published
            ? `Published ${table} v${publish.data.version.version} from ${date(publish.data.version.effectiveFrom)}.`
            : 'Nothing changed: the table already states this price.'}
          {publish.data.repriceRun && ` Re-pricing run ${publish.data.repriceRun.status}.`}
        </p>
      )}
    </section>
  );
}

function PriceHistory({ id, onClose }: { id: string; onClose: () => void }) {
  const org = useOrg();
  const [provider, ...rest] = id.split('/');
  const model = rest.join('/');
  const history = useQuery({
    queryKey: ['model-history', org.slug, id],
    queryFn: ({ signal }) =>
      request(HISTORY, { org: org.slug, provider, search: model }, signal).then(
        (d) => d.models.find((m) => m.model === model && m.provider === provider) ?? null,
      ),
  });
  const versions = [...(history.data?.priceHistory ?? [])].sort((a, b) =>
    a.rateVersion.effectiveFrom.localeCompare(b.rateVersion.effectiveFrom),
  );
  const points = versions.map((v) => {
    const p = v.prices as Prices;
    return {
      when: since(v.rateVersion.effectiveFrom),
      input: p.input === undefined ? null : Number(p.input),
      cacheRead: p.cacheRead === undefined ? null : Number(p.cacheRead),
      output: p.output === undefined ? null : Number(p.output),
    };
  });
  // The last price holds until now: a step to today shows how long it has been in force (not after
  // a version that starts in the future).
  const last = versions.at(-1);
  if (last && new Date(last.rateVersion.effectiveFrom).getTime() <= Date.now())
    points.push({ ...points.at(-1)!, when: 'today' });
  return (
    <section className="card" aria-labelledby="history-title">
      <div className="card-head">
        <h2 id="history-title">Price history of {id}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {history.error && <ErrorState error={history.error} />}
      {history.isPending ? (
        <Loading what="price history" />
      ) : versions.length === 0 ? (
        <Empty>No table has stated a price for this model.</Empty>
      ) : (
        <>
          <figure
            className="chart"
            style={{ height: 240 }}
            aria-label={`Price history of ${id}, USD per million tokens`}
          >
            <ResponsiveContainer>
              <LineChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--grid)" />
                <XAxis dataKey="when" tick={{ fontSize: 11, fill: 'currentColor' }} />
                <YAxis
                  width={48}
                  tickFormatter={(v: number) => `$${v}`}
                  tick={{ fontSize: 11, fill: 'currentColor' }}
                />
                <Tooltip
                  formatter={(v) => `$${String(v)} / 1M`}
                  contentStyle={{
                    background: 'var(--card)',
                    border: '1px solid var(--border)',
                    color: 'var(--fg)',
                  }}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {KINDS.map(([k, label], i) => (
                  <Line
                    key={k}
                    type="stepAfter"
                    dataKey={k}
                    name={label}
                    stroke={SERIES_COLORS[i]}
                    connectNulls
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
          <TableWrap label="Price versions">
            <table>
              <thead>
                <tr>
                  <th scope="col">From</th>
                  <th scope="col">Table</th>
                  {KINDS.map(([k, label]) => (
                    <th key={k} scope="col" className="num">
                      {label} $/M
                    </th>
                  ))}
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {[...versions].reverse().map((v) => {
                  const p = v.prices as Prices;
                  return (
                    <tr key={v.rateVersion.id}>
                      <td>{since(v.rateVersion.effectiveFrom)}</td>
                      <td>
                        {v.rateVersion.table} v{v.rateVersion.version}
                      </td>
                      {KINDS.map(([k]) => (
                        <td key={k} className="num">
                          {perMillion(p[k])}
                        </td>
                      ))}
                      <td>{v.source}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  );
}

export default function RatesPage() {
  const org = useOrg();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim(), 300);
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null || value === '') next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: key === 'q' });
  };
  const models = useQuery<ResultOf<typeof MODELS>['models']>({
    queryKey: ['models', org.slug, q],
    queryFn: ({ signal }) =>
      request(MODELS, { org: org.slug, search: q || null }, signal).then((d) => d.models),
    placeholderData: keepPreviousData,
  });
  // The settled search goes into the URL (replacing, not stacking, history entries).
  useEffect(() => {
    if ((params.get('q') ?? '') !== q) set('q', q);
  }, [q]);
  const pricing = params.get('price');
  const history = params.get('model');

  return (
    <>
      <div className="page-head">
        <h1>Rates &amp; models</h1>
        {!pricing && (
          <button
            type="button"
            disabled={!canAdmin(org.role)}
            title={canAdmin(org.role) ? undefined : VIEWER_REASON}
            onClick={() => set('price', '/')}
          >
            Add a price
          </button>
        )}
      </div>
      {pricing && (
        <PriceForm
          key={pricing}
          initial={pricing === '/' ? '' : pricing}
          onClose={() => set('price', null)}
        />
      )}
      <RepriceRuns />
      {history && <PriceHistory id={history} onClose={() => set('model', null)} />}
      <RateTables />
      <section className="card" aria-label="Models">
        <div className="card-head">
          <h2>Models</h2>
          <input
            type="search"
            aria-label="Search models"
            placeholder="Search models"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <p className="hint">
          {q
            ? `Catalog models matching “${q}” (at most 50).`
            : 'The first 50 models of the catalog: search by model, display or provider name.'}{' '}
          Choose a model to see its price history.
        </p>
        {models.error && <ErrorState error={models.error} retry={() => void models.refetch()} />}
        {models.isPending ? (
          <Loading what="models" />
        ) : (models.data ?? []).length === 0 ? (
          <Empty>No model matches “{q}”.</Empty>
        ) : (
          <TableWrap label="Models">
            <table aria-busy={models.isFetching}>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Input $/M
                  </th>
                  <th scope="col" className="num">
                    Cached $/M
                  </th>
                  <th scope="col" className="num">
                    Output $/M
                  </th>
                  <th scope="col" className="num">
                    Context
                  </th>
                  <th scope="col">Inputs</th>
                  <th scope="col">Benchmarks</th>
                </tr>
              </thead>
              <tbody>
                {(models.data ?? []).map((m) => {
                  const p = (m.priceInForce?.prices ?? {}) as Prices;
                  const id = `${m.provider}/${m.model}`;
                  return (
                    <tr key={id}>
                      <td>
                        <button
                          type="button"
                          className="linkish"
                          onClick={() => set('model', id)}
                          aria-label={`Price history of ${id}`}
                        >
                          {id}
                        </button>
                        {m.priceInForce && (
                          <div className="muted small" data-testid="price-derivation">
                            {m.priceInForce.derivation?.summary ?? m.priceInForce.rateVersion.tableName}
                          </div>
                        )}
                      </td>
                      <td className="num">{perMillion(p.input)}</td>
                      <td className="num">{perMillion(p.cacheRead)}</td>
                      <td className="num">{perMillion(p.output)}</td>
                      <td className="num">
                        {m.contextWindow ? `${Math.round(m.contextWindow / 1000)}K` : '—'}
                      </td>
                      <td>{m.inputModalities.join(', ')}</td>
                      <td className="small">
                        {m.benchmarks
                          .filter((b) => b.score !== null)
                          .map((b) => `${b.name} ${b.score}${b.unit === '%' ? '%' : ''}`)
                          .join(' · ')}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
}
