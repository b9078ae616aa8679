import { useState } from 'react';
import { RepriceRuns, useRepriceRuns } from '../components/reprice-runs';
import { graphql, request } from '../graphql';
import { useQuery } from '../use-query';

const RATES = graphql(`
  query Rates($org: String, $search: String) {
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
        source
        rateCount
      }
    }
    models(org: $org, search: $search, first: 30) {
      provider
      model
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

type Prices = Partial<Record<'input' | 'output' | 'cacheRead', string>>;

export function RatesPage({ org }: { org: string }) {
  const [search, setSearch] = useState('deepseek-v4');
  const [reload, setReload] = useState(0);
  const data = useQuery(() => request(RATES, { org, search: search || null }), [org, search, reload]);
  // Prices and totals are reloaded when a re-pricing run finishes.
  const runs = useRepriceRuns(org, reload, () => setReload((n) => n + 1));
  return (
    <>
      <RepriceRuns runs={runs} />
      <section className="card" aria-label="Rate tables">
        <h2>Rate tables</h2>
        {data.error && (
          <p role="alert" className="error">
            {data.error}
          </p>
        )}
        <table>
          <thead>
            <tr>
              <th
                className="num"
                title="The order prices are looked up in: the first table with a price wins"
              >
                Order
              </th>
              <th>Table</th>
              <th>Kind</th>
              <th>Latest version</th>
              <th>In force from</th>
              <th className="num">Rates</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {(data.data?.rateTables ?? []).map((t) => {
              const v = t.versions[t.versions.length - 1];
              return (
                <tr key={t.id}>
                  <td className="num" title={`priority ${t.priority}`}>
                    {t.position}
                  </td>
                  <td title={t.slug}>{t.name}</td>
                  <td>{t.own ? 'your override' : t.kind}</td>
                  <td>v{v?.version}</td>
                  <td>{v?.effectiveFrom.slice(0, 10)}</td>
                  <td className="num">{v?.rateCount}</td>
                  <td>{v?.source}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section className="card" aria-label="Models">
        <div className="toolbar">
          <h2>Models</h2>
          <input
            aria-label="Search models"
            placeholder="search models"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th className="num">Input $/M</th>
              <th className="num">Cached $/M</th>
              <th className="num">Output $/M</th>
              <th>Price from</th>
              <th className="num">Context</th>
              <th>Inputs</th>
              <th>Benchmarks</th>
            </tr>
          </thead>
          <tbody>
            {(data.data?.models ?? []).map((m) => {
              const p = (m.priceInForce?.prices ?? {}) as Prices;
              return (
                <tr key={`${m.provider}/${m.model}`}>
                  <td>
                    {m.provider}/{m.model}
                  </td>
                  <td className="num">{p.input ?? '—'}</td>
                  <td className="num">{p.cacheRead ?? '—'}</td>
                  <td className="num">{p.output ?? '—'}</td>
                  <td data-testid="price-derivation">{m.priceInForce?.derivation?.summary ?? 'no price'}</td>
                  <td className="num">{m.contextWindow ? `${Math.round(m.contextWindow / 1000)}K` : '—'}</td>
                  <td>{m.inputModalities.join(', ')}</td>
                  <td>
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
      </section>
    </>
  );
}
