import { describe, expect, it } from 'vitest';
import { fetchProviderReports, ProviderApiError } from './provider-api.client';

const KEY = 'sk-admin-unit-secret';
const EMPTY_PAGE = { object: 'page', data: [], has_more: false, next_page: null };

/** A fetch that answers from a script, recording every URL and header it was given. */
function scripted(answers: (() => Response)[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetch = ((url: string, init: { headers: Record<string, string> }) => {
    calls.push({ url, headers: init.headers });
    const next = answers.shift();
    return Promise.resolve(next ? next() : Response.json(EMPTY_PAGE));
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const from = new Date('2026-10-01T00:00:00Z');
const to = new Date('2026-11-01T00:00:00Z');

describe('provider API client', () => {
  it("waits a 429's Retry-After, backs off after a 5xx, and follows next_page", async () => {
    const waits: number[] = [];
    const { fetch, calls } = scripted([
      () => new Response('{}', { status: 429, headers: { 'retry-after': '7' } }),
      () => new Response('{}', { status: 503 }),
      () => Response.json({ object: 'page', data: [], has_more: true, next_page: 'page_2' }),
      () => Response.json(EMPTY_PAGE),
    ]);
    await fetchProviderReports('openai', 'http://stand-in/', KEY, from, to, {
      fetch,
      backoffMs: 100,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    expect(waits).toEqual([7000, 200]);
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual([
      '/v1/organization/usage/completions',
      '/v1/organization/usage/completions',
      '/v1/organization/usage/completions',
      '/v1/organization/usage/completions',
      '/v1/organization/costs',
    ]);
    expect(new URL(calls[3]!.url).searchParams.get('page')).toBe('page_2');
    expect(new URL(calls[0]!.url).searchParams.getAll('group_by')).toContain('project_id');
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("sends Anthropic's headers and RFC 3339 bounds", async () => {
    const { fetch, calls } = scripted([]);
    await fetchProviderReports('anthropic', 'http://stand-in', KEY, from, to, { fetch });
    expect(calls[0]!.headers['x-api-key']).toBe(KEY);
    expect(calls[0]!.headers['anthropic-version']).toBe('2023-06-01');
    const q = new URL(calls[0]!.url).searchParams;
    expect(q.get('starting_at')).toBe('2026-10-01T00:00:00.000Z');
    expect(q.getAll('group_by[]')).toEqual(['api_key_id', 'workspace_id', 'model', 'service_tier']);
    expect(new URL(calls[1]!.url).pathname).toBe('/v1/organizations/cost_report');
  });

  it('does not retry a refused key, gives up after its attempts, and never puts the key in an error', async () => {
    const refused = scripted([() => new Response('{}', { status: 401 })]);
    const error = await fetchProviderReports('openai', 'http://x', KEY, from, to, {
      fetch: refused.fetch,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(401);
    expect(refused.calls).toHaveLength(1);
    expect((error as Error).message).not.toContain(KEY);

    const down = scripted(Array.from({ length: 3 }, () => () => new Response('{}', { status: 500 })));
    await expect(
      fetchProviderReports('openai', 'http://x', KEY, from, to, {
        fetch: down.fetch,
        attempts: 3,
        sleep: () => Promise.resolve(),
      }),
    ).rejects.toThrow(/usage page 1: the provider answered 500 \(gave up after 3 attempts\)/);

    const bad = scripted([
      () => Response.json({ object: 'page', data: [{ start_time: 'x' }], has_more: false }),
    ]);
    await expect(
      fetchProviderReports('openai', 'http://x', KEY, from, to, { fetch: bad.fetch }),
    ).rejects.toThrow(/unexpected answer: usage page 1: data\[0\]\.start_time/);
  });
});
