import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withContext } from './context.js';
import type { TokenledgerSdkError } from './errors.js';
import type { TrackEvent, UsageEvent } from './event.js';
import { Tokenledger, type TokenledgerOptions } from './tokenledger.js';
import type { FetchLike } from './transport.js';

interface Sent {
  url: string;
  headers: Record<string, string>;
  events: UsageEvent[];
  at: number;
}
interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A `fetch` standing in for the API: records each request, answers 202 unless told otherwise. */
function fakeApi(answer: (request: Sent, n: number) => Answer | Error = () => ({ status: 202 })) {
  const requests: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    const raw = typeof init.body === 'string' ? init.body : gunzipSync(init.body).toString('utf8');
    const request = {
      url,
      headers: init.headers,
      events: (JSON.parse(raw) as { events: UsageEvent[] }).events,
      at: Date.now(),
    };
    requests.push(request);
    const a = answer(request, requests.length);
    if (a instanceof Error) throw a;
    const body = a.body ?? (a.status === 202 ? { accepted: request.events.length, rejected: [] } : undefined);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status: a.status,
      headers: a.headers,
    });
  };
  const delivered = () => requests.flatMap((r) => r.events.map((e) => e.eventId));
  return { fetch, requests, delivered };
}

const usage = { inputTokens: 100, outputTokens: 10 };
const event = (extra: Partial<TrackEvent> = {}): TrackEvent => ({
  provider: 'openai',
  model: 'gpt-5.5',
  usage,
  ...extra,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const clients: Tokenledger[] = [];
function client(options: TokenledgerOptions & { errors?: TokenledgerSdkError[] }): Tokenledger {
  const errors = options.errors;
  const tl = new Tokenledger({
    apiKey: 'tlk_test',
    baseUrl: 'http://tokenledger.test/',
    flushOnExit: false,
    flushIntervalMs: 20,
    initialRetryDelayMs: 10,
    maxRetryDelayMs: 40,
    onError: (e) => errors?.push(e),
    ...options,
  });
  clients.push(tl);
  return tl;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown(100)));
});

describe('Tokenledger.track', () => {
  it('fills eventId (time-sortable) and occurredAt, and sends the API.md body with the key', async () => {
    const api = fakeApi();
    const tl = client({ fetch: api.fetch });
    const before = Date.now();
    const id = tl.track(event());
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    await tl.flush();
    expect(api.requests).toHaveLength(1);
    const [sent] = api.requests;
    expect(sent!.url).toBe('http://tokenledger.test/v1/events');
    expect(sent!.headers).toMatchObject({
      authorization: 'Bearer tlk_test',
      'content-type': 'application/json',
    });
    expect(sent!.events).toEqual([{ ...event(), eventId: id, occurredAt: expect.any(String) }]);
    expect(Date.parse(sent!.events[0]!.occurredAt)).toBeGreaterThanOrEqual(before - 1);
    expect(tl.stats()).toMatchObject({ tracked: 1, delivered: 1, buffered: 0, inFlight: 0 });
  });

  it('keeps a given eventId and turns a Date occurredAt into RFC 3339', async () => {
    const api = fakeApi();
    const tl = client({ fetch: api.fetch });
    tl.track(event({ eventId: 'req_1', occurredAt: new Date('2026-06-01T12:00:00Z') }));
    await tl.flush();
    expect(api.requests[0]!.events[0]).toMatchObject({
      eventId: 'req_1',
      occurredAt: '2026-06-01T12:00:00.000Z',
    });
  });

  it('labels events: the event wins over the scope, the scope over the defaults; tags merge', async () => {
    const api = fakeApi();
    const tl = client({
      fetch: api.fetch,
      defaults: { environment: 'staging', feature: 'default', tags: { app: 'web' } },
    });
    tl.track(event());
    await withContext({ feature: 'support-chat', customerId: 'acme', tags: { team: 'growth' } }, async () => {
      await sleep(1);
      tl.track(event());
      tl.track(event({ customerId: 'globex', tags: { team: 'core' } }));
    });
    await tl.flush();
    const sent = api.requests.flatMap((r) => r.events);
    expect(
      sent.map(({ feature, customerId, environment, tags }) => ({ feature, customerId, environment, tags })),
    ).toEqual([
      { feature: 'default', customerId: undefined, environment: 'staging', tags: { app: 'web' } },
      {
        feature: 'support-chat',
        customerId: 'acme',
        environment: 'staging',
        tags: { app: 'web', team: 'growth' },
      },
      {
        feature: 'support-chat',
        customerId: 'globex',
        environment: 'staging',
        tags: { app: 'web', team: 'core' },
      },
    ]);
  });

  it('sends a full batch at once and a partial one after the interval', async () => {
    const api = fakeApi();
    const tl = client({ fetch: api.fetch, maxBatchSize: 10, flushIntervalMs: 400, gzip: false });
    for (let i = 0; i < 23; i++) tl.track(event());
    await sleep(100);
    expect(api.requests.map((r) => r.events.length)).toEqual([10, 10]);
    await sleep(700);
    expect(api.requests.map((r) => r.events.length)).toEqual([10, 10, 3]);
  });

  it('gzips large bodies, and sends small ones as they are', async () => {
    const api = fakeApi();
    const tl = client({ fetch: api.fetch });
    tl.track(event());
    await tl.flush();
    for (let i = 0; i < 50; i++) tl.track(event());
    await tl.flush();
    expect(api.requests[0]!.headers['content-encoding']).toBeUndefined();
    expect(api.requests[1]!.headers['content-encoding']).toBe('gzip');
    expect(api.requests[1]!.events).toHaveLength(50);
  });

  it('sends uncompressed when gzip fails in this runtime', async () => {
    const api = fakeApi();
    const tl = client({ fetch: api.fetch });
    vi.stubGlobal(
      'Blob',
      class {
        constructor() {
          throw new Error('no Blob here');
        }
      },
    );
    try {
      for (let i = 0; i < 50; i++) tl.track(event());
      await tl.flush();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(api.requests.map((r) => r.headers['content-encoding'])).toEqual([undefined]);
    expect(tl.stats().delivered).toBe(50);
  });

  it('never throws into the caller: bad input and a throwing onError are contained', () => {
    const tl = client({
      fetch: fakeApi().fetch,
      onError: () => {
        throw new Error('hook failure');
      },
    });
    expect(tl.track(null as unknown as TrackEvent)).toBeUndefined();
    expect(tl.track({ provider: 'openai' } as TrackEvent)).toBeUndefined();
    expect(
      tl.track(
        event({
          occurredAt: {
            toISOString: () => {
              throw new Error('x');
            },
          } as unknown as Date,
        }),
      ),
    ).toBeUndefined();
  });

  it('without an API key, reports a configuration error and does nothing', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi();
    const tl = client({ apiKey: '', fetch: api.fetch, errors });
    expect(tl.track(event())).toBeUndefined();
    await tl.flush();
    expect(api.requests).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['CONFIGURATION']);
  });
});

describe('Tokenledger delivery faults', () => {
  it('retries a failed batch with the same event ids until it is accepted, exactly once each', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi((_, n) =>
      n <= 2
        ? new TypeError('fetch failed')
        : n === 3
          ? { status: 503, headers: { 'retry-after': '0' } }
          : { status: 202 },
    );
    const tl = client({ fetch: api.fetch, errors });
    const ids = [tl.track(event()), tl.track(event()), tl.track(event())];
    await tl.flush(2000);
    expect(api.requests).toHaveLength(4);
    for (const r of api.requests) expect(r.events.map((e) => e.eventId)).toEqual(ids);
    expect(tl.stats()).toMatchObject({ delivered: 3, retries: 3, buffered: 0 });
    expect(errors.map((e) => e.code)).toEqual([
      'DELIVERY_RETRYING',
      'DELIVERY_RETRYING',
      'DELIVERY_RETRYING',
    ]);
    expect(errors.every((e) => e.willRetry && e.count === 3)).toBe(true);
  });

  it('honours Retry-After on 429 before sending again', async () => {
    const api = fakeApi((_, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '0.3' } } : { status: 202 },
    );
    const tl = client({ fetch: api.fetch });
    tl.track(event());
    await tl.flush(2000);
    expect(api.requests).toHaveLength(2);
    expect(api.requests[1]!.at - api.requests[0]!.at).toBeGreaterThanOrEqual(295);
  });

  it('backs off exponentially with jitter when no Retry-After is given', async () => {
    const api = fakeApi((_, n) => (n <= 4 ? { status: 502 } : { status: 202 }));
    const tl = client({ fetch: api.fetch, initialRetryDelayMs: 40, maxRetryDelayMs: 1000 });
    tl.track(event());
    await tl.flush(3000);
    const gaps = api.requests.slice(1).map((r, i) => r.at - api.requests[i]!.at);
    // Equal jitter: attempt k waits between half and all of 40·2^(k-1) ms.
    [40, 80, 160, 320].forEach((full, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(full / 2 - 5);
      expect(gaps[i]).toBeLessThan(full + 250); // timers can fire late on a busy machine, never early
    });
  });

  it('reports per-event rejections through onError and does not retry them', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi((req) => ({
      status: 202,
      body: {
        accepted: req.events.length - 1,
        rejected: [
          {
            index: 1,
            eventId: req.events[1]!.eventId,
            errors: [{ path: 'usage.inputTokens', message: 'must not be negative' }],
          },
        ],
      },
    }));
    const tl = client({ fetch: api.fetch, errors });
    tl.track(event());
    const bad = tl.track(event({ usage: { inputTokens: -1, outputTokens: 0 } }));
    tl.track(event());
    await tl.flush();
    await sleep(60);
    expect(api.requests).toHaveLength(1);
    expect(tl.stats()).toMatchObject({ delivered: 2, rejected: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'EVENTS_REJECTED', eventIds: [bad], willRetry: false });
    expect(errors[0]!.rejected[0]).toMatchObject({ eventId: bad, errors: [{ path: 'usage.inputTokens' }] });
  });

  it('drops a batch the API refuses for good (401) and says so', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi(() => ({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED', message: 'unknown key' } },
    }));
    const tl = client({ fetch: api.fetch, errors });
    const id = tl.track(event());
    await tl.flush();
    await sleep(60);
    expect(api.requests).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'BATCH_REJECTED',
      status: 401,
      apiCode: 'UNAUTHENTICATED',
      eventIds: [id],
    });
    expect(tl.stats()).toMatchObject({ rejected: 1, buffered: 0 });
  });

  it('gives up on a persistent 500 after maxRetries', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi(() => ({ status: 500 }));
    const tl = client({ fetch: api.fetch, errors, maxRetries: 2 });
    tl.track(event());
    await tl.flush(2000);
    expect(api.requests).toHaveLength(3);
    expect(errors.map((e) => e.code)).toEqual(['DELIVERY_RETRYING', 'DELIVERY_RETRYING', 'BATCH_REJECTED']);
  });

  it('splits a batch the API finds too large (413), and drops an event that alone is', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi((req) =>
      req.events.length > 2 || req.events.some((e) => e.model === 'huge') ? { status: 413 } : { status: 202 },
    );
    const tl = client({ fetch: api.fetch, errors, maxConcurrentRequests: 1 });
    for (let i = 0; i < 7; i++) tl.track(event({ model: i === 6 ? 'huge' : 'gpt-5.5' }));
    await tl.flush(2000);
    expect(tl.stats()).toMatchObject({ delivered: 6, rejected: 1, buffered: 0 });
    expect(errors.map((e) => e.code)).toEqual(['BATCH_REJECTED']);
  });

  it('sends uncompressed when the server does not take gzip (415)', async () => {
    const api = fakeApi((req) =>
      req.headers['content-encoding'] === 'gzip' ? { status: 415 } : { status: 202 },
    );
    const tl = client({ fetch: api.fetch });
    for (let i = 0; i < 50; i++) tl.track(event());
    await tl.flush(2000);
    expect(api.requests.map((r) => r.headers['content-encoding'] ?? 'identity')).toEqual([
      'gzip',
      'identity',
    ]);
    expect(tl.stats().delivered).toBe(50);
  });

  it('when the buffer is full, drops the oldest events, counts them and reports once per burst', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi(() => new TypeError('fetch failed'));
    const tl = client({ fetch: api.fetch, errors, maxBufferSize: 5, flushIntervalMs: 10_000 });
    const ids = Array.from({ length: 8 }, () => tl.track(event()));
    await sleep(0);
    expect(tl.stats()).toMatchObject({ dropped: 3, buffered: 5 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BUFFER_OVERFLOW', count: 3, eventIds: ids.slice(0, 3) });
  });

  it('a request that hangs times out and is retried', async () => {
    let calls = 0;
    const fetch: FetchLike = (url, init) => {
      calls++;
      if (calls === 1)
        return new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      return fakeApi().fetch(url, init);
    };
    const errors: TokenledgerSdkError[] = [];
    const tl = client({ fetch, errors, requestTimeoutMs: 50 });
    tl.track(event());
    await tl.flush(2000);
    expect(calls).toBe(2);
    expect(errors[0]!.message).toMatch(/no answer within 50 ms/);
    expect(tl.stats().delivered).toBe(1);
  });
});

describe('Tokenledger.flush and shutdown', () => {
  it('flush() waits for what was tracked before it, not for later events', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const api = fakeApi();
    const fetch: FetchLike = async (url, init) => {
      await gate;
      return api.fetch(url, init);
    };
    const tl = client({ fetch, maxConcurrentRequests: 1 });
    tl.track(event());
    let flushed = false;
    const flushing = tl.flush().then(() => (flushed = true));
    tl.track(event());
    await sleep(30);
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(api.requests[0]!.events).toHaveLength(1);
  });

  it('shutdown() sends what is buffered, then ignores track() and reports it', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi();
    const tl = client({ fetch: api.fetch, errors, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) tl.track(event());
    await tl.shutdown();
    expect(api.delivered()).toHaveLength(5);
    expect(tl.track(event())).toBeUndefined();
    await sleep(0);
    expect(errors.map((e) => e.code)).toEqual(['EVENTS_LOST']);
    expect(tl.stats()).toMatchObject({ delivered: 5, lost: 1 });
    expect(tl.shutdown()).toBe(tl.shutdown());
  });

  it('shutdown() gives up after its timeout and reports the undelivered events as lost', async () => {
    const errors: TokenledgerSdkError[] = [];
    const api = fakeApi(() => ({ status: 503, headers: { 'retry-after': '60' } }));
    const tl = client({ fetch: api.fetch, errors });
    const ids = [tl.track(event()), tl.track(event())];
    const started = Date.now();
    await tl.shutdown(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const lost = errors.find((e) => e.code === 'EVENTS_LOST');
    expect(lost).toMatchObject({ count: 2, eventIds: ids });
    expect(tl.stats()).toMatchObject({ lost: 2, buffered: 0, inFlight: 0 });
  });

  it('flushes when the Node event loop empties (beforeExit), once', async () => {
    const api = fakeApi();
    const tl = client({ fetch: api.fetch, flushOnExit: true, flushIntervalMs: 60_000 });
    tl.track(event());
    const listeners = process.listeners('beforeExit');
    const ours = listeners.at(-1) as () => void;
    ours(); // what Node does when the loop empties (emitting it here would wake other listeners)
    await sleep(20);
    expect(api.delivered()).toHaveLength(1);
    expect(process.listeners('beforeExit')).toHaveLength(listeners.length - 1);
  });
});
