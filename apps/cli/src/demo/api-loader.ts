import {
  ErrorCode,
  MAX_EVENTS_PER_BATCH,
  TokenledgerError,
  type ErrorEnvelope,
  type FieldError,
  type UsageEvent,
} from '@tokenledger/contracts';
import { projectBatches, toApiEvent, type DemoTrafficPlan } from '@tokenledger/demo';
import type { AnalyticsStore } from '@tokenledger/db';
import Decimal from 'decimal.js';
import { emptyCounts, type LoadCounts } from './bulk-loader';

export interface ApiLoadOptions {
  plan: DemoTrafficPlan;
  /** The API's base URL, e.g. http://127.0.0.1:4000. */
  apiUrl: string;
  key: string;
  /** An organization key names the project of each batch in X-Tokenledger-Project. */
  projectHeader: boolean;
  /** Requests in flight. */
  concurrency: number;
  /** Events per request (at most 1,000, API.md). */
  batchSize: number;
  onProgress?: (sent: number) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface ApiSendResult {
  requests: number;
  /** 429 and 503 answers (and unreachable API) retried after a pause. */
  retries: number;
  accepted: number;
  rejected: number;
  /** The first few rejections, as the API reported them. */
  rejections: { eventId?: string; errors: FieldError[] }[];
  /** The eventIds sent, by project slug: what to look for in the database afterwards. */
  eventIds: Map<string, string[]>;
}

const MAX_ATTEMPTS = 30;
const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The API path: the same traffic as `POST /v1/events` batches, exactly as a client sends them,
 * through authentication, validation, the queue and the worker. Pauses and retries when the API
 * answers 429 or 503 (honouring Retry-After); any other refusal stops the load with the API's message.
 */
export async function sendThroughApi(options: ApiLoadOptions): Promise<ApiSendResult> {
  const { plan, batchSize } = options;
  if (batchSize < 1 || batchSize > MAX_EVENTS_PER_BATCH)
    throw new RangeError(`batchSize must be from 1 to ${MAX_EVENTS_PER_BATCH}`);
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? sleepMs;
  const url = `${options.apiUrl.replace(/\/+$/, '')}/v1/events`;
  const result: ApiSendResult = {
    requests: 0,
    retries: 0,
    accepted: 0,
    rejected: 0,
    rejections: [],
    eventIds: new Map(),
  };
  let sent = 0;

  const post = async (project: string, events: UsageEvent[]): Promise<void> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.key}`,
      'content-type': 'application/json',
    };
    if (options.projectHeader) headers['x-tokenledger-project'] = project;
    const body = JSON.stringify({ events: events.map(toApiEvent) });
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        result.requests++;
        response = await doFetch(url, { method: 'POST', headers, body });
      } catch (error) {
        if (attempt >= 5) {
          const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
          throw new TokenledgerError(
            ErrorCode.ServiceUnavailable,
            `api-url: the API at ${options.apiUrl} is not reachable (${cause}); is it running? (\`npm start\` runs it)`,
          );
        }
        result.retries++;
        await sleep(250 * 2 ** attempt);
        continue;
      }
      const json = (await response.json().catch(() => null)) as
        { accepted: number; rejected: { eventId?: string; errors: FieldError[] }[] } | ErrorEnvelope | null;
      if (response.status === 202 && json && 'accepted' in json) {
        result.accepted += json.accepted;
        result.rejected += json.rejected.length;
        for (const r of json.rejected.slice(0, Math.max(0, 5 - result.rejections.length)))
          result.rejections.push({ eventId: r.eventId, errors: r.errors });
        const ids = result.eventIds.get(project) ?? [];
        const rejected = new Set(json.rejected.map((r) => r.eventId));
        for (const e of events) if (!rejected.has(e.eventId)) ids.push(e.eventId);
        result.eventIds.set(project, ids);
        sent += events.length;
        options.onProgress?.(sent);
        return;
      }
      if ((response.status === 429 || response.status === 503) && attempt < MAX_ATTEMPTS) {
        result.retries++;
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(
          Math.min(30_000, (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000),
        );
        continue;
      }
      const error = json && 'error' in json ? json.error : null;
      throw new TokenledgerError(
        error?.code ?? ErrorCode.Internal,
        `POST ${url} answered ${response.status}: ${error?.message ?? response.statusText}`,
        error?.details,
      );
    }
  };

  // Up to `concurrency` requests in flight; the first failure stops the load.
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const submit = async (project: string, events: UsageEvent[]) => {
    while (inFlight.size >= Math.max(1, options.concurrency)) await Promise.race(inFlight);
    if (failure) throw failure.error;
    const p: Promise<void> = post(project, events)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  for (const { project, events } of projectBatches(plan, batchSize, undefined, () => failure !== null))
    await submit(project, events);
  await Promise.all(inFlight);
  if (failure) throw (failure as { error: unknown }).error;
  return result;
}

const CHUNK = 5000;

function chunks(eventIds: Map<string, string[]>, projectIds: ReadonlyMap<string, string>) {
  const out: { project: string; projectId: string; ids: string[] }[] = [];
  for (const [project, ids] of eventIds) {
    const projectId = projectIds.get(project);
    if (!projectId) throw new Error(`no project id for "${project}"`);
    for (let i = 0; i < ids.length; i += CHUNK)
      out.push({ project, projectId, ids: ids.slice(i, i + CHUNK) });
  }
  return out;
}

/**
 * Waits until the worker has stored every event sent (its idempotency key is written in the same
 * transaction as the event and its rollups). Fails when nothing new lands for `stallMs`.
 */
export async function waitUntilStored(
  store: Pick<AnalyticsStore, 'countStored'>,
  projectIds: ReadonlyMap<string, string>,
  eventIds: Map<string, string[]>,
  options: { since: Date; stallMs?: number; pollMs?: number; onProgress?: (stored: number) => void },
): Promise<{ stored: number; storedBefore: number }> {
  const stallMs = options.stallMs ?? 60_000;
  const pending = chunks(eventIds, projectIds);
  const found = new Map<(typeof pending)[number], { n: number; before: number }>();
  let lastTotal = -1;
  let lastProgressAt = Date.now();
  for (;;) {
    for (const chunk of [...pending]) {
      const counted = await store.countStored(chunk.projectId, chunk.ids, options.since);
      const n = counted.stored;
      found.set(chunk, { n, before: counted.storedBefore });
      if (n === chunk.ids.length) pending.splice(pending.indexOf(chunk), 1);
    }
    const total = [...found.values()].reduce((a, b) => a + b.n, 0);
    options.onProgress?.(total);
    if (pending.length === 0)
      return { stored: total, storedBefore: [...found.values()].reduce((a, b) => a + b.before, 0) };
    if (total > lastTotal) {
      lastTotal = total;
      lastProgressAt = Date.now();
    } else if (Date.now() - lastProgressAt > stallMs) {
      throw new TokenledgerError(
        ErrorCode.ServiceUnavailable,
        `The API accepted the events but no new ones were stored for ${Math.round(stallMs / 1000)} s ` +
          `(${total} of ${[...eventIds.values()].reduce((a, b) => a + b.length, 0)} stored): is the worker running? (\`npm start\` runs it)`,
      );
    }
    await sleepMs(options.pollMs ?? 500);
  }
}

/** What the pipeline stored for these events: pricing outcomes and spend, read from the database. */
export async function storedCounts(
  store: Pick<AnalyticsStore, 'pricingOutcomes'>,
  projectIds: ReadonlyMap<string, string>,
  eventIds: Map<string, string[]>,
): Promise<LoadCounts> {
  const counts = emptyCounts();
  for (const chunk of chunks(eventIds, projectIds)) {
    const rows = await store.pricingOutcomes(chunk.projectId, chunk.ids);
    for (const r of rows) {
      const n = r.events;
      counts.pricing[r.status] += n;
      counts.perProject[chunk.project] = (counts.perProject[chunk.project] ?? 0) + n;
      if (r.costUsd !== null && r.status === 'priced')
        counts.spendUsd = counts.spendUsd.plus(new Decimal(r.costUsd));
    }
  }
  return counts;
}
