import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorState, Loading, TableWrap } from '../components/states';
import { usd } from '../format';
import { graphql, request, session } from '../graphql';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';

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

/** Request a month's report, follow its progress, see whether it went stale, download it. */
export default function ReportsPage() {
  const { slug: org, role } = useOrg();
  const admin = canAdmin(role);
  const queryClient = useQueryClient();
  const [month, setMonth] = useState(lastMonth);
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('XLSX');
  const [problem, setProblem] = useState<string | null>(null);
  const data = useQuery({
    queryKey: ['reports', org],
    queryFn: ({ signal }) => request(REPORTS, { org }, signal),
    // While a report is being made, follow its progress.
    refetchInterval: (query) =>
      query.state.data?.reports.some((r) => r.status === 'queued' || r.status === 'running') ? 1500 : false,
  });
  const reports = data.data?.reports ?? [];
  const make = useMutation({
    mutationFn: () => request(REQUEST, { org, month, format }),
    onMutate: () => setProblem(null),
    onError: (e) => setProblem(e instanceof Error ? e.message : String(e)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['reports', org] }),
  });
  const get = (url: string) => void download(url, org).catch((e: unknown) => setProblem(String(e)));

  return (
    <section className="card" aria-label="Monthly reports">
      <div className="card-head">
        <h1>Monthly reports</h1>
        <Link to="/reconciliation">Does it match the provider's invoice? Reconciliation</Link>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          make.mutate();
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
        <button type="submit" disabled={!admin || make.isPending} title={admin ? undefined : VIEWER_REASON}>
          Make report
        </button>
        {!admin && <p className="muted">{VIEWER_REASON}</p>}
      </form>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {data.isPending && <Loading what="reports" />}
      {data.error && <ErrorState error={data.error} retry={() => void data.refetch()} />}
      <TableWrap label="Report revisions">
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
                <td className="num">{r.totalUsd ? usd(r.totalUsd) : ''}</td>
                <td>
                  {r.stale
                    ? `changed by ${Number(r.staleDifferenceUsd) >= 0 ? '+' : ''}${usd(r.staleDifferenceUsd)}: make a new revision`
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
      </TableWrap>
    </section>
  );
}
