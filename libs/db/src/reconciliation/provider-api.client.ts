import {
  addProviderPage,
  emptyImport,
  ProviderPageError,
  type PageKind,
  type ProviderImport,
  type ReconcileProvider,
} from '@tokenledger/reports';

/** How the importer talks to a provider (tests shorten the waits). */
export interface ProviderApiOptions {
  /** Attempts per page before giving up (429 and 5xx are retried). */
  attempts?: number;
  /** The first wait after a 5xx, doubled each time (ms). */
  backoffMs?: number;
  /** The longest Retry-After honoured (ms); a longer one waits this long. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  /** Pages followed at most per report (a guard against a server that never says has_more: false). */
  maxPages?: number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export class ProviderApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ProviderApiError';
  }
}

const PATHS: Record<ReconcileProvider, Record<PageKind, string>> = {
  openai: { usage: '/v1/organization/usage/completions', costs: '/v1/organization/costs' },
  anthropic: { usage: '/v1/organizations/usage_report/messages', costs: '/v1/organizations/cost_report' },
};

function query(
  provider: ReconcileProvider,
  kind: PageKind,
  from: Date,
  to: Date,
  page: string | null,
): URLSearchParams {
  const q = new URLSearchParams();
  if (provider === 'openai') {
    q.set('start_time', String(Math.floor(from.getTime() / 1000)));
    q.set('end_time', String(Math.floor(to.getTime() / 1000)));
    q.set('bucket_width', '1d');
    q.set('limit', '31');
    for (const g of kind === 'usage'
      ? ['project_id', 'api_key_id', 'model', 'batch', 'service_tier']
      : ['project_id', 'line_item'])
      q.append('group_by', g);
  } else {
    q.set('starting_at', from.toISOString());
    q.set('ending_at', to.toISOString());
    q.set('bucket_width', '1d');
    q.set('limit', '31');
    for (const g of kind === 'usage'
      ? ['api_key_id', 'workspace_id', 'model', 'service_tier']
      : ['workspace_id', 'description'])
      q.append('group_by[]', g);
  }
  if (page) q.set('page', page);
  return q;
}

/**
 * Reads a provider's organization usage and cost reports over [from, to) with its admin key,
 * page by page (`page` = the previous page's `next_page` while `has_more`), daily buckets. A 429
 * waits its Retry-After; a 5xx or a network error is retried with backoff. Errors name the report,
 * the page and the HTTP status, never the key.
 */
export async function fetchProviderReports(
  provider: ReconcileProvider,
  baseUrl: string,
  adminKey: string,
  from: Date,
  to: Date,
  options: ProviderApiOptions = {},
): Promise<ProviderImport> {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 1000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> =
    provider === 'openai'
      ? { authorization: `Bearer ${adminKey}`, accept: 'application/json' }
      : { 'x-api-key': adminKey, 'anthropic-version': '2023-06-01', accept: 'application/json' };
  const out = emptyImport(provider);
  for (const kind of ['usage', 'costs'] as const) {
    let page: string | null = null;
    for (let n = 1; ; n++) {
      if (n > (options.maxPages ?? 1000))
        throw new ProviderApiError(`${kind}: more than ${options.maxPages ?? 1000} pages`, null);
      const url = `${baseUrl.replace(/\/+$/, '')}${PATHS[provider][kind]}?${query(provider, kind, from, to, page).toString()}`;
      const body = await getWithRetries(doFetch, url, headers, `${kind} page ${n}`, {
        attempts,
        backoffMs,
        maxRetryAfterMs,
        sleep,
        timeoutMs: options.timeoutMs ?? 30_000,
      });
      try {
        addProviderPage(out, kind, body, `${kind} page ${n}`);
      } catch (error) {
        if (error instanceof ProviderPageError)
          throw new ProviderApiError(`unexpected answer: ${error.message}`, 200);
        throw error;
      }
      const p = body as { has_more?: boolean; next_page?: string | null };
      if (!p.has_more || !p.next_page) break;
      page = p.next_page;
    }
  }
  return out;
}

async function getWithRetries(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  what: string,
  o: {
    attempts: number;
    backoffMs: number;
    maxRetryAfterMs: number;
    sleep: (ms: number) => Promise<void>;
    timeoutMs: number;
  },
): Promise<unknown> {
  let last = '';
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, { headers, signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (error) {
      last = `${what}: ${(error as Error).name === 'TimeoutError' ? 'timed out' : 'could not connect'}`;
      await o.sleep(o.backoffMs * 2 ** (attempt - 1));
      continue;
    }
    if (res.ok) {
      try {
        return await res.json();
      } catch {
        throw new ProviderApiError(`${what}: the answer is not JSON`, res.status);
      }
    }
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 429) {
      last = `${what}: rate limited (429)`;
      const after = Number(res.headers.get('retry-after'));
      await o.sleep(
        Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, o.maxRetryAfterMs) : o.backoffMs,
      );
      continue;
    }
    if (res.status >= 500) {
      last = `${what}: the provider answered ${res.status}`;
      await o.sleep(o.backoffMs * 2 ** (attempt - 1));
      continue;
    }
    throw new ProviderApiError(
      res.status === 401 || res.status === 403
        ? `${what}: the provider refused the admin key (${res.status}); connect again with an admin key`
        : `${what}: the provider answered ${res.status}`,
      res.status,
    );
  }
  throw new ProviderApiError(`${last} (gave up after ${o.attempts} attempts)`, null);
}
