import { currentScope, withContext } from './context.js';
import { newEventId } from './event-id.js';
import { isoTime } from './iso-time.js';
import {
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_BATCH,
  type EventContext,
  type IngestResult,
  type TrackEvent,
  type UsageEvent,
} from './event.js';
import { TokenledgerSdkError, type RejectedEventReport, type TokenledgerSdkErrorInit } from './errors.js';
import { RingBuffer } from './ring-buffer.js';
import { budgetQuery, type BudgetCheck, type BudgetLabels } from './budgets.js';
import { classify, gzip, gzipAvailable, type FetchLike, type Outcome } from './transport.js';

export interface TokenledgerOptions {
  /** A project API key with scope `ingest`. Default: `TOKENLEDGER_API_KEY`. */
  apiKey?: string;
  /** Default: `TOKENLEDGER_BASE_URL`, else `http://127.0.0.1:4000`. */
  baseUrl?: string;
  /** Labels for every event of this instance (below per-scope and per-event labels). */
  defaults?: EventContext;
  /** Events per request, at most 1,000 (API.md). Default 500. */
  maxBatchSize?: number;
  /** A partial batch is sent after this long. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Events held while the API is slow or down; past it the oldest are dropped. Default 10,000. */
  maxBufferSize?: number;
  /** Requests in flight at once. Default 2. */
  maxConcurrentRequests?: number;
  /** Per request. Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** First retry delay; doubles per consecutive failure, with jitter. Default 500 ms. */
  initialRetryDelayMs?: number;
  /** Ceiling of the retry delay (a longer `Retry-After` is still honoured). Default 30,000 ms. */
  maxRetryDelayMs?: number;
  /**
   * Attempts after a 500-class server error (a bug, not an outage) before the events are dropped.
   * Network errors, timeouts, 429, 502, 503 and 504 are retried for as long as the buffer holds
   * the events. Default 5.
   */
  maxRetries?: number;
  /** gzip request bodies of 1 KB and more where the runtime has CompressionStream. Default true. */
  gzip?: boolean;
  /** On Node, flush when the event loop empties (`beforeExit`). Default true. */
  flushOnExit?: boolean;
  /** How long `shutdown()` (and the exit flush) may take. Default 10,000 ms. */
  shutdownTimeoutMs?: number;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Told about every problem; the SDK never throws into the application. Default: console.warn. */
  onError?: (error: TokenledgerSdkError) => void;
  /** `false` makes `track()` a no-op (tests, local development). Default true. */
  enabled?: boolean;
}

export interface TokenledgerStats {
  /** Events `track()` took. */
  tracked: number;
  /** Waiting to be sent, including those waiting for a retry. */
  buffered: number;
  inFlight: number;
  /** Accepted by the API. */
  delivered: number;
  /** Refused by the API (per-event validation or a batch-level refusal). */
  rejected: number;
  /** Dropped because the buffer was full. */
  dropped: number;
  /** Undelivered when `shutdown()` gave up, or tracked after it. */
  lost: number;
  /** Failed attempts that were scheduled again. */
  retries: number;
}

interface Entry {
  seq: number;
  attempts: number;
  event: UsageEvent;
}

interface FlushWaiter {
  target: number;
  remaining: number;
  resolve: () => void;
}

type Timer = ReturnType<typeof setTimeout>;

interface NodeProcess {
  env?: Record<string, string | undefined>;
  on?: (event: string, listener: () => void) => unknown;
  off?: (event: string, listener: () => void) => unknown;
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const GZIP_MIN_BYTES = 1024;
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;
const MAX_IDS_IN_REPORT = 1000;

function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function defaultOnError(error: TokenledgerSdkError): void {
  console.warn(`[tokenledger] ${error.code}: ${error.message}`);
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * The client: `track()` buffers an event in memory and returns at once; batches go to
 * `POST /v1/events` in the background, by size and by interval, gzipped, retried with exponential
 * backoff and jitter (honouring `Retry-After`), each event keeping its id so a retry counts once.
 */
export class Tokenledger {
  private readonly url: string;
  private readonly checkUrl: string;
  private readonly apiKey: string;
  private readonly enabled: boolean;
  private readonly defaults: EventContext | undefined;
  private readonly maxBatchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxConcurrent: number;
  private readonly requestTimeoutMs: number;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxRetries: number;
  private readonly shutdownTimeoutMs: number;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly onError: (error: TokenledgerSdkError) => void;

  private readonly buffer: RingBuffer<Entry>;
  private readonly inFlight = new Set<Entry[]>();
  private readonly controllers = new Set<AbortController>();
  private readonly waiters = new Set<FlushWaiter>();
  private gzipEnabled: boolean;
  /** Lowered after a 413 so the halves go out; grows back after successes. */
  private batchSize: number;
  private seq = 0;
  private timer: Timer | undefined;
  private timerDue = Infinity;
  private timerDrains = true;
  private drainRequested = false;
  private backoffUntil = 0;
  private consecutiveFailures = 0;
  private closed = false;
  private finalized = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly exitListener = () => void this.shutdown();
  private readonly counters = {
    tracked: 0,
    delivered: 0,
    rejected: 0,
    dropped: 0,
    lost: 0,
    retries: 0,
  };
  private pendingDropped: string[] = [];
  private pendingDroppedCount = 0;
  private pendingLost: string[] = [];
  private pendingLostCount = 0;
  private reportScheduled = false;

  constructor(options: TokenledgerOptions = {}) {
    const env = nodeProcess?.env ?? {};
    this.onError = options.onError ?? defaultOnError;
    this.apiKey = options.apiKey ?? env.TOKENLEDGER_API_KEY ?? '';
    const baseUrl = options.baseUrl ?? env.TOKENLEDGER_BASE_URL ?? 'http://127.0.0.1:4000';
    this.url = `${baseUrl.replace(/\/+$/, '')}/v1/events`;
    this.checkUrl = `${baseUrl.replace(/\/+$/, '')}/v1/budgets/check`;
    this.defaults = options.defaults;
    this.maxBatchSize = Math.min(MAX_EVENTS_PER_BATCH, Math.floor(positive(options.maxBatchSize, 500)));
    this.batchSize = this.maxBatchSize;
    this.flushIntervalMs = positive(options.flushIntervalMs, 1000);
    this.maxConcurrent = Math.floor(positive(options.maxConcurrentRequests, 2));
    this.requestTimeoutMs = positive(options.requestTimeoutMs, 10_000);
    this.initialRetryDelayMs = positive(options.initialRetryDelayMs, 500);
    this.maxRetryDelayMs = positive(options.maxRetryDelayMs, 30_000);
    this.maxRetries = options.maxRetries !== undefined && options.maxRetries >= 0 ? options.maxRetries : 5;
    this.shutdownTimeoutMs = positive(options.shutdownTimeoutMs, 10_000);
    this.buffer = new RingBuffer(Math.floor(positive(options.maxBufferSize, 10_000)));
    this.gzipEnabled = options.gzip !== false && gzipAvailable;
    this.fetchImpl =
      options.fetch ?? (typeof globalThis.fetch === 'function' ? (globalThis.fetch as FetchLike) : undefined);

    let enabled = options.enabled !== false;
    if (enabled && !this.apiKey) {
      enabled = false;
      this.report('CONFIGURATION', 'no API key (option apiKey or TOKENLEDGER_API_KEY): events are not sent');
    } else if (enabled && !this.fetchImpl) {
      enabled = false;
      this.report('CONFIGURATION', 'this runtime has no fetch: pass the fetch option; events are not sent');
    }
    this.enabled = enabled;
    if (enabled && options.flushOnExit !== false) nodeProcess?.on?.('beforeExit', this.exitListener);
  }

  /**
   * Asks whether a call with these labels is within its hard budgets (`GET /v1/budgets/check`;
   * `withContext` and `defaults` labels apply as they do to events). As fresh as ingestion, not
   * exact to the cent; when Tokenledger cannot be asked it answers allowed, with `unavailable`.
   */
  async checkBudget(labels: BudgetLabels = {}): Promise<BudgetCheck> {
    const scope = currentScope();
    const merged: BudgetLabels = {
      ...this.defaults,
      ...scope,
      ...labels,
      tags: { ...this.defaults?.tags, ...scope?.tags, ...labels.tags },
    };
    if (!this.apiKey || !this.fetchImpl) return { allowed: true, budgets: [], unavailable: 'not configured' };
    const controller = new AbortController();
    const timer = unref(setTimeout(() => controller.abort(), this.requestTimeoutMs));
    try {
      const query = budgetQuery(merged);
      const get = this.fetchImpl as unknown as (
        url: string,
        init: { method: string; headers: Record<string, string>; signal: AbortSignal },
      ) => ReturnType<FetchLike>;
      const response = await get(`${this.checkUrl}${query ? `?${query}` : ''}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${this.apiKey}` },
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.status !== 200)
        return { allowed: true, budgets: [], unavailable: `HTTP ${response.status}: ${text.slice(0, 200)}` };
      return JSON.parse(text) as BudgetCheck;
    } catch (error) {
      return {
        allowed: true,
        budgets: [],
        unavailable: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Buffers one event and returns its id at once (no I/O on the caller's path). `eventId` and
   * `occurredAt` are filled when absent; labels come from the event, then the current
   * `withContext` scope, then `defaults`. Returns undefined when the event was not taken.
   */
  track(input: TrackEvent): string | undefined {
    try {
      if (!this.enabled) return undefined;
      if (
        typeof input !== 'object' ||
        input === null ||
        typeof input.usage !== 'object' ||
        input.usage === null
      ) {
        this.report('INVALID_EVENT', 'track() needs an event object with a usage object; dropped');
        return undefined;
      }
      const now = Date.now();
      // Labels: the event's own, then the current scope's, then the instance defaults.
      let { feature, customerId, environment, tags } = input;
      const scope = currentScope();
      if (scope !== undefined) {
        feature ??= scope.feature;
        customerId ??= scope.customerId;
        environment ??= scope.environment;
        if (scope.tags !== undefined) tags = tags === undefined ? scope.tags : { ...scope.tags, ...tags };
      }
      const defaults = this.defaults;
      if (defaults !== undefined) {
        feature ??= defaults.feature;
        customerId ??= defaults.customerId;
        environment ??= defaults.environment;
        if (defaults.tags !== undefined)
          tags = tags === undefined ? defaults.tags : { ...defaults.tags, ...tags };
      }
      const { occurredAt } = input;
      // One object shape for every event (undefined fields are left out of the JSON).
      const event: UsageEvent = {
        eventId: input.eventId ?? newEventId(now),
        occurredAt:
          occurredAt === undefined
            ? isoTime(now)
            : typeof occurredAt === 'string'
              ? occurredAt
              : occurredAt.toISOString(),
        provider: input.provider,
        model: input.model,
        usage: input.usage,
        serviceTier: input.serviceTier,
        feature,
        customerId,
        environment,
        inputModalities: input.inputModalities,
        latencyMs: input.latencyMs,
        status: input.status,
        tags,
      };

      this.counters.tracked++;
      if (this.closed) {
        this.noteLost([event.eventId]);
        return undefined;
      }
      const dropped = this.buffer.push({ seq: ++this.seq, attempts: 0, event });
      if (dropped) this.noteDropped([dropped]);
      if (this.buffer.length >= this.batchSize && this.inFlight.size < this.maxConcurrent) {
        this.armTimer(0, false); // a full batch: send it soon, off the caller's path
      } else if (this.timer === undefined) {
        this.armTimer(this.flushIntervalMs);
      }
      return event.eventId;
    } catch (error) {
      this.report('INVALID_EVENT', `track() failed: ${String(error)}`, { cause: error });
      return undefined;
    }
  }

  /** Runs `fn` with labels added to every event tracked inside it (see `withContext`). */
  withContext<R>(context: EventContext, fn: () => R): R {
    return withContext(context, fn);
  }

  /**
   * Sends everything tracked before this call. Resolves when all of it is delivered or settled
   * (rejected, dropped), or after `timeoutMs`; never rejects. Retries wait for their backoff.
   */
  flush(timeoutMs: number = this.shutdownTimeoutMs): Promise<void> {
    const remaining = this.buffer.length + this.inFlightCount();
    if (!this.enabled || remaining === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timeout: Timer | undefined = undefined;
      const waiter: FlushWaiter = {
        target: this.seq,
        remaining,
        resolve: () => {
          if (timeout !== undefined) clearTimeout(timeout);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      this.waiters.add(waiter);
      // Referenced on purpose: an awaited flush keeps a Node process alive until it is done.
      timeout = setTimeout(waiter.resolve, timeoutMs);
      this.drainRequested = true;
      this.pump();
    });
  }

  /**
   * Flushes (within `timeoutMs`), stops timers and the exit hook, and reports what could not be
   * delivered as `EVENTS_LOST`. Idempotent; `track()` after it is a no-op.
   */
  shutdown(timeoutMs: number = this.shutdownTimeoutMs): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.closed = true;
    nodeProcess?.off?.('beforeExit', this.exitListener);
    this.shutdownPromise = this.flush(timeoutMs).then(() => this.finalize());
    return this.shutdownPromise;
  }

  stats(): TokenledgerStats {
    return {
      ...this.counters,
      buffered: this.buffer.length,
      inFlight: this.inFlightCount(),
    };
  }

  private finalize(): void {
    this.finalized = true;
    this.clearTimer();
    const lost = this.buffer.drain();
    for (const batch of this.inFlight) lost.push(...batch);
    this.inFlight.clear();
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
    this.flushReports();
    if (lost.length > 0) {
      this.settle(lost);
      this.counters.lost += lost.length;
      this.report('EVENTS_LOST', `${lost.length} event(s) not delivered before shutdown() gave up`, {
        count: lost.length,
        eventIds: lost.slice(0, MAX_IDS_IN_REPORT).map((e) => e.event.eventId),
      });
    }
  }

  private inFlightCount(): number {
    let n = 0;
    for (const batch of this.inFlight) n += batch.length;
    return n;
  }

  // ── scheduling ────────────────────────────────────────────────────────────────────────────

  /**
   * One timer at a time, the earliest wins. `drain`: when it fires, send partial batches too
   * (the interval, the end of a backoff); otherwise only full ones.
   */
  private armTimer(delay: number, drain = true): void {
    if (this.finalized) return;
    const due = Date.now() + delay;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timerDrains = drain;
    this.timer = unref(setTimeout(this.onTimer, delay));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    if (this.timerDrains) this.drainRequested = true;
    this.pump();
  };

  /** Starts requests while there is capacity, and work: full batches, or anything when draining. */
  private pump(): void {
    if (this.finalized) return;
    const now = Date.now();
    if (now < this.backoffUntil) {
      if (this.buffer.length > 0) this.armTimer(this.backoffUntil - now);
      return;
    }
    while (this.inFlight.size < this.maxConcurrent && this.buffer.length > 0) {
      if (!this.drainRequested && this.buffer.length < this.batchSize) break;
      void this.send(this.buffer.take(this.batchSize));
    }
    if (this.buffer.length === 0) this.drainRequested = false;
    else if (this.inFlight.size < this.maxConcurrent) this.armTimer(this.flushIntervalMs);
    // Otherwise a request finishing calls pump() again.
  }

  // ── delivery ──────────────────────────────────────────────────────────────────────────────

  private async send(entries: Entry[]): Promise<void> {
    this.inFlight.add(entries);
    const controller = new AbortController();
    this.controllers.add(controller);
    let timeout: Timer | undefined;
    let gzipped = false;
    let outcome: Outcome;
    try {
      const json = JSON.stringify({ events: entries.map((e) => e.event) });
      if (json.length * 3 > MAX_BATCH_BYTES && new TextEncoder().encode(json).length > MAX_BATCH_BYTES) {
        outcome = { kind: 'too-large', status: 0, message: 'the batch is larger than 5 MB' };
      } else {
        const headers: Record<string, string> = {
          authorization: `Bearer ${this.apiKey}`,
          'content-type': 'application/json',
        };
        let body: string | Uint8Array = json;
        if (this.gzipEnabled && json.length >= GZIP_MIN_BYTES) {
          try {
            body = await gzip(json);
            headers['content-encoding'] = 'gzip';
            gzipped = true;
          } catch {
            this.gzipEnabled = false; // a runtime whose CompressionStream fails: send as it is
          }
        }
        timeout = unref(setTimeout(() => controller.abort(), this.requestTimeoutMs));
        const response = await this.fetchImpl!(this.url, {
          method: 'POST',
          headers,
          body,
          signal: controller.signal,
        });
        outcome = await classify(response, entries.length);
      }
    } catch (error) {
      const message = controller.signal.aborted
        ? `no answer within ${this.requestTimeoutMs} ms`
        : `cannot reach ${this.url}: ${error instanceof Error ? error.message : String(error)}`;
      outcome = { kind: 'retry', message, serverError: false, cause: error };
    } finally {
      if (timeout !== undefined) clearTimeout(timeout);
      this.controllers.delete(controller);
    }
    // After finalize() these entries were already reported lost.
    if (!this.inFlight.delete(entries)) return;
    try {
      this.handle(entries, outcome, gzipped);
    } catch (error) {
      this.report('BATCH_REJECTED', `internal error while handling a response: ${String(error)}`, {
        cause: error,
      });
    }
    this.pump();
  }

  private handle(entries: Entry[], outcome: Outcome, gzipped: boolean): void {
    switch (outcome.kind) {
      case 'accepted':
        this.consecutiveFailures = 0;
        this.backoffUntil = 0;
        if (this.batchSize < this.maxBatchSize)
          this.batchSize = Math.min(this.maxBatchSize, this.batchSize * 2);
        this.accepted(entries, outcome.result);
        return;
      case 'retry':
        this.retry(entries, outcome);
        return;
      case 'too-large':
        if (entries.length > 1) {
          this.batchSize = Math.max(1, Math.floor(entries.length / 2));
          this.putBack(entries);
          this.drainRequested = true;
        } else {
          this.refuse(entries, outcome.status, outcome.apiCode, `event too large (${outcome.message})`);
        }
        return;
      case 'unsupported-encoding':
        if (gzipped) {
          this.gzipEnabled = false;
          this.putBack(entries);
          this.drainRequested = true;
        } else {
          this.refuse(entries, outcome.status, outcome.apiCode, outcome.message);
        }
        return;
      case 'rejected':
        this.refuse(entries, outcome.status, outcome.apiCode, outcome.message);
        return;
    }
  }

  private accepted(entries: Entry[], result: IngestResult): void {
    const rejected: RejectedEventReport[] = [];
    for (const r of result.rejected) {
      const entry = entries[r.index];
      if (entry) rejected.push({ eventId: entry.event.eventId, errors: r.errors, event: entry.event });
    }
    this.counters.delivered += entries.length - rejected.length;
    this.counters.rejected += rejected.length;
    this.settle(entries);
    if (rejected.length > 0) {
      const first = rejected[0]!;
      const detail = first.errors.map((e) => `${e.path} ${e.message}`).join('; ');
      this.report(
        'EVENTS_REJECTED',
        `${rejected.length} event(s) rejected by the API, not retried (first: ${first.eventId}: ${detail})`,
        { status: 202, rejected, eventIds: rejected.map((r) => r.eventId) },
      );
    }
  }

  private retry(entries: Entry[], outcome: Extract<Outcome, { kind: 'retry' }>): void {
    this.consecutiveFailures++;
    const giveUp: Entry[] = [];
    const keep: Entry[] = [];
    for (const entry of entries) {
      entry.attempts++;
      if (outcome.serverError && entry.attempts > this.maxRetries) giveUp.push(entry);
      else keep.push(entry);
    }
    if (giveUp.length > 0) {
      this.refuse(
        giveUp,
        outcome.status ?? 0,
        outcome.apiCode,
        `${outcome.message} (after ${this.maxRetries} retries)`,
      );
    }
    if (keep.length === 0) return;
    const delay =
      outcome.retryAfterMs !== undefined
        ? Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS)
        : this.backoffDelay(this.consecutiveFailures);
    this.backoffUntil = Math.max(this.backoffUntil, Date.now() + delay);
    this.counters.retries++;
    this.putBack(keep);
    this.drainRequested = true;
    this.armTimer(Math.max(0, this.backoffUntil - Date.now()));
    this.report(
      'DELIVERY_RETRYING',
      `${outcome.message}; ${keep.length} event(s) kept, retrying in ${delay} ms`,
      {
        status: outcome.status,
        apiCode: outcome.apiCode,
        count: keep.length,
        retryInMs: delay,
        attempt: this.consecutiveFailures,
        cause: outcome.cause,
      },
    );
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  private backoffDelay(failures: number): number {
    const exponential = Math.min(
      this.maxRetryDelayMs,
      this.initialRetryDelayMs * 2 ** Math.min(failures - 1, 30),
    );
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }

  private putBack(entries: Entry[]): void {
    const dropped = this.buffer.unshiftAll(entries);
    if (dropped.length > 0) this.noteDropped(dropped);
  }

  private refuse(entries: Entry[], status: number, apiCode: string | undefined, message: string): void {
    this.counters.rejected += entries.length;
    this.settle(entries);
    this.report('BATCH_REJECTED', `${entries.length} event(s) dropped: ${message}`, {
      status: status || undefined,
      apiCode,
      count: entries.length,
      eventIds: entries.slice(0, MAX_IDS_IN_REPORT).map((e) => e.event.eventId),
    });
  }

  /** Entries that are done with, one way or another: flush() waiters count them down. */
  private settle(entries: Entry[]): void {
    if (this.waiters.size === 0) return;
    for (const waiter of this.waiters) {
      for (const entry of entries) if (entry.seq <= waiter.target) waiter.remaining--;
      if (waiter.remaining <= 0) waiter.resolve();
    }
  }

  // ── reporting ─────────────────────────────────────────────────────────────────────────────

  private noteDropped(entries: Entry[]): void {
    this.counters.dropped += entries.length;
    this.settle(entries);
    this.pendingDroppedCount += entries.length;
    for (const e of entries)
      if (this.pendingDropped.length < MAX_IDS_IN_REPORT) this.pendingDropped.push(e.event.eventId);
    this.scheduleReports();
  }

  private noteLost(eventIds: string[]): void {
    this.counters.lost += eventIds.length;
    this.pendingLostCount += eventIds.length;
    for (const id of eventIds) if (this.pendingLost.length < MAX_IDS_IN_REPORT) this.pendingLost.push(id);
    this.scheduleReports();
  }

  /** Drops and losses in one burst of calls become one report each, not one per event. */
  private scheduleReports(): void {
    if (this.reportScheduled) return;
    this.reportScheduled = true;
    queueMicrotask(() => this.flushReports());
  }

  private flushReports(): void {
    this.reportScheduled = false;
    if (this.pendingDroppedCount > 0) {
      const count = this.pendingDroppedCount;
      const eventIds = this.pendingDropped;
      this.pendingDroppedCount = 0;
      this.pendingDropped = [];
      this.report(
        'BUFFER_OVERFLOW',
        `buffer full (${this.buffer.capacity} events): dropped the ${count} oldest`,
        {
          count,
          eventIds,
        },
      );
    }
    if (this.pendingLostCount > 0) {
      const count = this.pendingLostCount;
      const eventIds = this.pendingLost;
      this.pendingLostCount = 0;
      this.pendingLost = [];
      this.report('EVENTS_LOST', `${count} event(s) tracked after shutdown(): not sent`, { count, eventIds });
    }
  }

  private report(code: TokenledgerSdkError['code'], message: string, init?: TokenledgerSdkErrorInit): void {
    try {
      this.onError(new TokenledgerSdkError(code, message, init));
    } catch {
      // The hook is the application's code: its failures must not break delivery.
    }
  }
}
