import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the stand-in answers once, the first time the given report's page is asked for. */
export interface Fault {
  report: 'usage' | 'costs';
  /** 1-based page number. */
  page: number;
  status: 429 | 500;
  retryAfterSeconds?: number;
}

export interface StandIn {
  url: string;
  /** Every request: path, page number and the status answered. */
  requests: { report: 'usage' | 'costs'; page: number; status: number }[];
  close(): Promise<void>;
}

const PATHS = {
  openai: { usage: '/v1/organization/usage/completions', costs: '/v1/organization/costs' },
  anthropic: { usage: '/v1/organizations/usage_report/messages', costs: '/v1/organizations/cost_report' },
} as const;

/**
 * A local stand-in for a provider's organization usage and cost API: serves the given daily
 * buckets `perPage` at a time (`next_page` = "page_<n>", `has_more`), checks the admin key, and
 * answers each fault once.
 */
export async function startStandIn(
  provider: 'openai' | 'anthropic',
  adminKey: string,
  buckets: { usage: unknown[]; costs: unknown[] },
  options: { perPage?: number; faults?: Fault[] } = {},
): Promise<StandIn> {
  const perPage = options.perPage ?? 7;
  const pending = [...(options.faults ?? [])];
  const requests: StandIn['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const report =
      url.pathname === PATHS[provider].usage
        ? 'usage'
        : url.pathname === PATHS[provider].costs
          ? 'costs'
          : null;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!report) return send(404, { error: { message: 'not found' } });
    const auth = provider === 'openai' ? req.headers.authorization : req.headers['x-api-key'];
    const expected = provider === 'openai' ? `Bearer ${adminKey}` : adminKey;
    const token = url.searchParams.get('page');
    const page = token ? Number(token.replace('page_', '')) : 1;
    if (auth !== expected) {
      requests.push({ report, page, status: 401 });
      return send(401, { error: { message: 'invalid admin key' } });
    }
    const fault = pending.findIndex((f) => f.report === report && f.page === page);
    if (fault >= 0) {
      const f = pending.splice(fault, 1)[0]!;
      requests.push({ report, page, status: f.status });
      return send(
        f.status,
        { error: { message: f.status === 429 ? 'rate limited' : 'internal error' } },
        f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {},
      );
    }
    // Only the buckets of the requested range, as the APIs do.
    const from =
      provider === 'openai'
        ? Number(url.searchParams.get('start_time')) * 1000
        : Date.parse(url.searchParams.get('starting_at') ?? '');
    const toParam =
      provider === 'openai' ? url.searchParams.get('end_time') : url.searchParams.get('ending_at');
    const to =
      toParam === null ? Infinity : provider === 'openai' ? Number(toParam) * 1000 : Date.parse(toParam);
    const startOf = (b: unknown) => {
      const x = b as { start_time?: number; starting_at?: string };
      return x.start_time !== undefined ? x.start_time * 1000 : Date.parse(x.starting_at!);
    };
    const all = buckets[report].filter((b) => startOf(b) >= from && startOf(b) < to);
    const data = all.slice((page - 1) * perPage, page * perPage);
    const hasMore = page * perPage < all.length;
    requests.push({ report, page, status: 200 });
    send(200, {
      ...(provider === 'openai' ? { object: 'page' } : {}),
      data,
      has_more: hasMore,
      next_page: hasMore ? `page_${page + 1}` : null,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
