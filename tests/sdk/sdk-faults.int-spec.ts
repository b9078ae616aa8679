import {
  Tokenledger,
  type TokenledgerOptions,
  type TokenledgerSdkError,
  type TrackEvent,
} from '@tokenledger/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTokenledger } from './support/fake-tokenledger';

/**
 * Delivery under faults, over real HTTP to a fake `POST /v1/events` that validates with the
 * contracts and counts each eventId once, as the real pipeline does.
 */

let api: FakeTokenledger;
let errors: TokenledgerSdkError[];
const clients: Tokenledger[] = [];

beforeEach(async () => {
  api = await new FakeTokenledger().start();
  errors = [];
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown(500)));
  await api.stop();
});

function sdk(options: TokenledgerOptions = {}): Tokenledger {
  const tl = new Tokenledger({
    apiKey: api.apiKey,
    baseUrl: api.url,
    flushOnExit: false,
    flushIntervalMs: 50,
    initialRetryDelayMs: 25,
    maxRetryDelayMs: 200,
    onError: (e) => errors.push(e),
    ...options,
  });
  clients.push(tl);
  return tl;
}

const event = (i: number): TrackEvent => ({
  provider: 'openai',
  model: 'gpt-5.5',
  usage: { inputTokens: 1000 + i, outputTokens: 10, cacheReadTokens: i % 500 },
  feature: 'faults',
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const codes = () => [...new Set(errors.map((e) => e.code))];

describe('SDK delivery under faults (real HTTP)', () => {
  it('the API down for a while, then back: every event is delivered exactly once', async () => {
    const tl = sdk({ maxBatchSize: 200 });
    await api.stop();
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(tl.track(event(i))!);
    await sleep(300); // several attempts fail with ECONNREFUSED meanwhile
    for (let i = 300; i < 600; i++) ids.push(tl.track(event(i))!);
    expect(api.requests).toHaveLength(0);
    await api.start(); // same port
    await tl.flush(5000);

    expect(new Set(api.acceptedIds())).toEqual(new Set(ids));
    expect(api.accepted.size).toBe(600);
    expect(api.duplicates).toBe(0);
    expect(tl.stats()).toMatchObject({ tracked: 600, delivered: 600, dropped: 0, buffered: 0, inFlight: 0 });
    expect(codes()).toEqual(['DELIVERY_RETRYING']);
    expect(errors[0]!.message).toMatch(/cannot reach/);
  });

  it('responses lost after the API took the batch, and 503s: retries resend the same ids, counted once', async () => {
    const tl = sdk({ maxBatchSize: 100 });
    api.failNext({ kind: 'accept-then-reset' }, 2);
    api.failNext({ kind: 'status', status: 503, retryAfter: '0' });
    api.failNext({ kind: 'status', status: 502 });
    const ids = Array.from({ length: 250 }, (_, i) => tl.track(event(i))!);
    await tl.flush(5000);

    expect(api.accepted.size).toBe(250);
    expect(new Set(api.acceptedIds())).toEqual(new Set(ids));
    // The API saw some events twice (their first answer was lost) and counted them once.
    expect(api.duplicates).toBeGreaterThan(0);
    const sentIds = api.requests.flatMap((r) => r.eventIds);
    expect(sentIds.length).toBe(250 + api.duplicates);
    expect(new Set(sentIds)).toEqual(new Set(ids)); // no new ids were made for a retry
    expect(tl.stats()).toMatchObject({ delivered: 250, buffered: 0 });
  });

  it('429 with Retry-After: nothing is sent again before the time it names', async () => {
    const tl = sdk();
    api.failNext({ kind: 'status', status: 429, retryAfter: '1' });
    tl.track(event(1));
    await tl.flush(5000);
    const [limited, retried] = api.requests;
    expect(limited!.status).toBe(429);
    expect(retried!.status).toBe(202);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(990);
    expect(errors[0]).toMatchObject({
      code: 'DELIVERY_RETRYING',
      status: 429,
      apiCode: 'RATE_LIMITED',
      retryInMs: 1000,
    });
    expect(api.accepted.size).toBe(1);
  });

  it('a full buffer drops the oldest events, counts them, and tells onError once', async () => {
    await api.stop();
    const tl = sdk({ maxBufferSize: 100, maxBatchSize: 50, flushIntervalMs: 10 });
    const ids = Array.from({ length: 250 }, (_, i) => tl.track(event(i))!);
    await sleep(50);
    const stats = tl.stats();
    expect(stats.dropped).toBe(150);
    expect(stats.buffered + stats.inFlight).toBe(100); // a retry may be on its way at this moment
    const overflow = errors.filter((e) => e.code === 'BUFFER_OVERFLOW');
    expect(overflow).toHaveLength(1);
    expect(overflow[0]).toMatchObject({ count: 150, eventIds: ids.slice(0, 150) });

    await api.start();
    await tl.flush(5000);
    expect(new Set(api.acceptedIds())).toEqual(new Set(ids.slice(150)));
  });

  it('a request that gets no answer times out and is sent again', async () => {
    const tl = sdk({ requestTimeoutMs: 200 });
    api.failNext({ kind: 'hang' });
    const id = tl.track(event(1))!;
    await tl.flush(5000);
    expect(api.acceptedIds()).toEqual([id]);
    expect(errors[0]!.message).toMatch(/no answer within 200 ms/);
  });

  it('per-event rejections from the API are reported with their fields and not retried', async () => {
    const tl = sdk();
    const good = tl.track(event(1))!;
    const partTooBig = tl.track({
      ...event(2),
      usage: { inputTokens: 10, outputTokens: 1, cacheReadTokens: 20 },
    })!;
    const badProvider = tl.track({ ...event(3), provider: 'OpenAI' })!;
    await tl.flush();
    await sleep(200);
    expect(api.requests).toHaveLength(1);
    expect(api.acceptedIds()).toEqual([good]);
    expect(tl.stats()).toMatchObject({ delivered: 1, rejected: 2 });
    expect(errors).toHaveLength(1);
    const [rejection] = errors;
    expect(rejection!.code).toBe('EVENTS_REJECTED');
    expect(rejection!.rejected.map((r) => [r.eventId, r.errors.map((e) => e.path)])).toEqual([
      [partTooBig, ['usage.cacheReadTokens']],
      [badProvider, ['provider']],
    ]);
  });

  it('a wrong key is a refusal, not a retry loop', async () => {
    const tl = sdk({ apiKey: 'tlk_wrong' });
    tl.track(event(1));
    await tl.flush();
    await sleep(200);
    expect(api.requests).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BATCH_REJECTED', status: 401, apiCode: 'UNAUTHENTICATED' });
  });

  it('shutdown() sends everything buffered before it resolves', async () => {
    const tl = sdk({ flushIntervalMs: 60_000, maxBatchSize: 1000 });
    const ids = Array.from({ length: 120 }, (_, i) => tl.track(event(i))!);
    expect(api.requests).toHaveLength(0);
    await tl.shutdown();
    expect(new Set(api.acceptedIds())).toEqual(new Set(ids));
    expect(api.requests[0]!.gzip).toBe(true);
    expect(errors).toEqual([]);
  });

  it('never throws into the application, even with an unreachable API and a throwing onError', async () => {
    await api.stop();
    const tl = new Tokenledger({
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:1',
      flushOnExit: false,
      initialRetryDelayMs: 5,
      onError: () => {
        throw new Error('the hook is broken too');
      },
    });
    expect(() => {
      for (let i = 0; i < 10; i++) tl.track(event(i));
      tl.track(undefined as unknown as TrackEvent);
    }).not.toThrow();
    await expect(tl.flush(200)).resolves.toBeUndefined();
    await expect(tl.shutdown(200)).resolves.toBeUndefined();
    expect(tl.stats()).toMatchObject({ tracked: 10, lost: 10 });
  });
});
