import type { IngestResult, RejectedEvent } from './event.js';

/** The parts of `fetch` the SDK uses, so any spec-following implementation can be passed in. */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string | Uint8Array;
    signal?: AbortSignal;
  },
) => Promise<ResponseLike>;

export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

interface CompressionStreamLike {
  readable: unknown;
  writable: unknown;
}
type CompressionStreamConstructor = new (format: 'gzip') => CompressionStreamLike;

const CompressionStreamImpl = (globalThis as { CompressionStream?: CompressionStreamConstructor })
  .CompressionStream;

/** Whether this runtime can gzip request bodies (CompressionStream: Node 18+, every edge runtime). */
export const gzipAvailable = typeof CompressionStreamImpl === 'function';

/** gzip through the web-standard CompressionStream: no zlib import, so it runs on the edge too. */
export async function gzip(text: string): Promise<Uint8Array> {
  if (!CompressionStreamImpl) throw new Error('CompressionStream is not available');
  const source = new Blob([text]).stream();
  const compressed = (source as unknown as { pipeThrough(t: CompressionStreamLike): unknown }).pipeThrough(
    new CompressionStreamImpl('gzip'),
  );
  return new Uint8Array(
    await new Response(compressed as ConstructorParameters<typeof Response>[0]).arrayBuffer(),
  );
}

/**
 * `Retry-After` in milliseconds: delta-seconds (`"5"`, `"1.5"`) or an HTTP date. Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT").
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** What to do with a batch after one attempt. */
export type Outcome =
  | { kind: 'accepted'; result: IngestResult }
  /** Not delivered; send again later (network error, timeout, 408, 429, 5xx). */
  | {
      kind: 'retry';
      status?: number;
      apiCode?: string;
      message: string;
      retryAfterMs?: number;
      /** 5xx other than 502/503/504: a bug on the server, retried only `maxRetries` times. */
      serverError: boolean;
      cause?: unknown;
    }
  /** Too large: split the batch and send the halves. */
  | { kind: 'too-large'; status: number; apiCode?: string; message: string }
  /** The server cannot read gzip: send uncompressed. */
  | { kind: 'unsupported-encoding'; status: number; apiCode?: string; message: string }
  /** Refused for a reason a retry cannot fix. */
  | { kind: 'rejected'; status: number; apiCode?: string; message: string };

interface Envelope {
  error?: { code?: unknown; message?: unknown };
}

function readEnvelope(text: string): { apiCode?: string; message?: string } {
  try {
    const body = JSON.parse(text) as Envelope;
    const code = typeof body?.error?.code === 'string' ? body.error.code : undefined;
    const message = typeof body?.error?.message === 'string' ? body.error.message : undefined;
    return { apiCode: code, message };
  } catch {
    return {};
  }
}

function readResult(text: string, sent: number): IngestResult {
  try {
    const body = JSON.parse(text) as Partial<IngestResult>;
    const rejected = Array.isArray(body.rejected) ? body.rejected.filter(isRejection) : [];
    const accepted = typeof body.accepted === 'number' ? body.accepted : sent - rejected.length;
    return { accepted, rejected };
  } catch {
    // A 2xx without a readable body: the server took the batch.
    return { accepted: sent, rejected: [] };
  }
}

function isRejection(value: unknown): value is RejectedEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RejectedEvent).index === 'number' &&
    Array.isArray((value as RejectedEvent).errors)
  );
}

/** Maps one HTTP answer to an outcome (API.md's status codes). */
export async function classify(
  response: ResponseLike,
  sent: number,
  now: number = Date.now(),
): Promise<Outcome> {
  const text = await response.text().catch(() => '');
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'accepted', result: readResult(text, sent) };
  const { apiCode, message: apiMessage } = readEnvelope(text);
  const message = `${status}${apiCode ? ` ${apiCode}` : ''}${apiMessage ? `: ${apiMessage}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      status,
      apiCode,
      message,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now),
      serverError: status >= 500 && status !== 502 && status !== 503 && status !== 504,
    };
  }
  if (status === 413) return { kind: 'too-large', status, apiCode, message };
  if (status === 415) return { kind: 'unsupported-encoding', status, apiCode, message };
  return { kind: 'rejected', status, apiCode, message };
}
