import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classify, gzip, gzipAvailable, parseRetryAfter } from './transport.js';

const response = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('reads delta-seconds and HTTP dates, in milliseconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('0.25', now)).toBe(250);
    expect(parseRetryAfter('Mon, 01 Jun 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 01 Jun 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});

describe('gzip', () => {
  it('compresses with CompressionStream into a body zlib reads back', async () => {
    expect(gzipAvailable).toBe(true);
    const text = JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ eventId: `e${i}` })) });
    const compressed = await gzip(text);
    expect(compressed.length).toBeLessThan(text.length / 3);
    expect(gunzipSync(compressed).toString('utf8')).toBe(text);
  });
});

describe('classify', () => {
  it('reads a 202 with per-event rejections', async () => {
    const outcome = await classify(
      response(202, {
        accepted: 1,
        rejected: [{ index: 1, eventId: 'b', errors: [{ path: 'model', message: 'x' }] }],
      }),
      2,
    );
    expect(outcome).toEqual({
      kind: 'accepted',
      result: {
        accepted: 1,
        rejected: [{ index: 1, eventId: 'b', errors: [{ path: 'model', message: 'x' }] }],
      },
    });
  });

  it('takes a 2xx without a readable body as all accepted', async () => {
    expect(await classify(response(200, 'ok'), 3)).toEqual({
      kind: 'accepted',
      result: { accepted: 3, rejected: [] },
    });
  });

  it('retries 429 and 503 with their Retry-After, and marks other 5xx as server errors', async () => {
    const limited = await classify(
      response(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, { 'retry-after': '2' }),
      1,
    );
    expect(limited).toMatchObject({
      kind: 'retry',
      status: 429,
      apiCode: 'RATE_LIMITED',
      retryAfterMs: 2000,
      serverError: false,
    });
    expect(limited.kind === 'retry' && limited.message).toBe('429 RATE_LIMITED: slow down');
    expect(
      await classify(
        response(503, { error: { code: 'QUEUE_UNAVAILABLE', message: 'x' } }, { 'retry-after': '1' }),
        1,
      ),
    ).toMatchObject({
      kind: 'retry',
      retryAfterMs: 1000,
      serverError: false,
    });
    expect(await classify(response(500, 'oops'), 1)).toMatchObject({ kind: 'retry', serverError: true });
    expect(await classify(response(408, ''), 1)).toMatchObject({ kind: 'retry', serverError: false });
  });

  it('splits on 413, drops gzip on 415, and refuses other 4xx', async () => {
    expect(
      await classify(response(413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'big' } }), 1),
    ).toMatchObject({
      kind: 'too-large',
      apiCode: 'PAYLOAD_TOO_LARGE',
    });
    expect(await classify(response(415, {}), 1)).toMatchObject({ kind: 'unsupported-encoding' });
    for (const status of [400, 401, 403, 404])
      expect(await classify(response(status, { error: { code: 'X', message: 'no' } }), 1)).toMatchObject({
        kind: 'rejected',
        status,
        apiCode: 'X',
      });
  });
});
