import { useEffect, useState } from 'react';
import { graphql, request, session } from '../graphql';
import { useQuery } from '../use-query';

const REPORTS = graphql(`
  query Reports($org: String) {
    reports(org: $org, first: 50) {
      id
      month
      format
      revision
      trigger
      status
      progress
      fileName
      byteSize
      totalUsd
      stale
      staleDifferenceUsd
      downloadUrl
      summaryDownloadUrl
      error
      createdAt
    }
  }
`);

const REQUEST = graphql(`
  mutation RequestReport($org: String, $month: String!, $format: ReportFormat!) {
    requestReport(org: $org, month: $month, format: $format) {
      id
    }
  }
`);

const FORMATS = ['XLSX', 'PDF', 'CSV', 'FOCUS'] as const;

function lastMonth(): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/** Fetches a file with the session's Authorization header and hands it to the browser as a download. */
async function download(url: string, org: string): Promise<void> {
  const token = session.token;
  const response = await fetch(`${url}${url.includes('?') ? '&' : '?'}org=${encodeURIComponent(org)}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`The download answered ${response.status}`);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'report';
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function ReportsPage({ org }: { org: string }) {
  const [month, setMonth] = useState(lastMonth);
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('XLSX');
  const [tick, setTick] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const data = useQuery(() => request(REPORTS, { org }), [org, tick]);
  const reports = data.data?.reports ?? [];
  const busy = reports.some((r) => r.status === 'queued' || r.status === 'running');

  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 1500);
    return () => clearTimeout(timer);
  }, [busy, tick]);

  const submit = async () => {
    setProblem(null);
    try {
      await request(REQUEST, { org, month, format });
      setTick((t) => t + 1);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };
  const get = (url: string) => void download(url, org).catch((e: unknown) => setProblem(String(e)));

  return (
    <section className="card" aria-label="Monthly reports">
      <h2>Monthly reports</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Month <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} required />
        </label>{' '}
        <label>
          Format{' '}
          <select value={format} onChange={(e) => setFormat(e.target.value as (typeof FORMATS)[number])}>
            {FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>{' '}
        <button type="submit">Make report</button>
      </form>
      {(problem ?? data.error) && (
        <p role="alert" className="error">
          {problem ?? data.error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Month</th>
            <th>Format</th>
            <th className="num">Revision</th>
            <th>Status</th>
            <th className="num">Total</th>
            <th>Since made</th>
            <th>File</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr key={r.id}>
              <td>{r.month}</td>
              <td>{r.format}</td>
              <td className="num">
                {r.revision}
                {r.trigger === 'scheduled' ? ' (scheduled)' : ''}
              </td>
              <td>
                {r.status === 'running'
                  ? `running ${r.progress}%`
                  : r.status === 'failed'
                    ? `failed: ${r.error}`
                    : r.status}
              </td>
              <td className="num">{r.totalUsd ? `$${Number(r.totalUsd).toFixed(2)}` : ''}</td>
              <td>
                {r.stale
                  ? `changed by ${Number(r.staleDifferenceUsd) >= 0 ? '+' : ''}$${Number(r.staleDifferenceUsd).toFixed(2)}: make a new revision`
                  : r.status === 'ready'
                    ? 'unchanged'
                    : ''}
              </td>
              <td>
                {r.downloadUrl && (
                  <button type="button" onClick={() => get(r.downloadUrl!)}>
                    Download
                  </button>
                )}{' '}
                {r.summaryDownloadUrl && (
                  <button type="button" onClick={() => get(r.summaryDownloadUrl!)}>
                    Summary
                  </button>
                )}
              </td>
            </tr>
          ))}
          {data.data && reports.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No report yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
