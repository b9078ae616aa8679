import { createHmac } from 'node:crypto';

/** The headers of a signed delivery (docs/SECURITY.md tells receivers how to verify them). */
export const SIGNATURE_HEADER = 'x-tokenledger-signature';
export const TIMESTAMP_HEADER = 'x-tokenledger-timestamp';
export const EVENT_HEADER = 'x-tokenledger-event';

/** `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the destination's secret. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookAttempt {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs a JSON body to a webhook, signed, retrying network errors, 429 and 5xx with exponential
 * backoff (`baseDelayMs`, ×2 per attempt). Every attempt is reported to `onAttempt` (the delivery
 * log); resolves true once the receiver answered 2xx.
 */
export async function sendWebhook(
  target: WebhookTarget,
  event: string,
  payload: unknown,
  options: {
    attempts?: number;
    baseDelayMs?: number;
    timeoutMs?: number;
    onAttempt?: (a: WebhookAttempt) => Promise<void>;
  },
): Promise<boolean> {
  const attempts = options.attempts ?? 3;
  const body = JSON.stringify(payload);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tokenledger-Webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signPayload(target.secret, timestamp, body),
          [EVENT_HEADER]: event,
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        redirect: 'manual',
      });
      statusCode = res.status;
      await res.body?.cancel();
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
    }
    await options.onAttempt?.({ attempt, statusCode, error, durationMs: Date.now() - started });
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) return true;
    const retryable = statusCode === null || statusCode === 429 || statusCode >= 500;
    if (!retryable || attempt === attempts) return false;
    await sleep((options.baseDelayMs ?? 500) * 2 ** (attempt - 1));
  }
  return false;
}
