import { currentScope, mergeContext } from './context.js';
import { isoTime } from './iso-time.js';
import { USAGE_PARTS, type EventContext, type Modality, type ServiceTier, type Usage } from './event.js';
import type { Tokenledger } from './tokenledger.js';

/** Options of `wrapOpenAI` / `wrapAnthropic`: where events go and the labels they carry. */
export interface WrapOptions extends EventContext {
  /** The client events are tracked through. */
  tokenledger: Pick<Tokenledger, 'track'>;
  /** Catalog provider id, for OpenAI-compatible or proxied endpoints (default per wrapper). */
  provider?: string;
}

/** A method replacement: gets the original and the object it belongs to. */
export type MethodWrapper = (
  original: (...args: unknown[]) => unknown,
  owner: object,
) => (...args: unknown[]) => unknown;
/** Which properties to intercept, by path: a nested spec for objects, a wrapper for methods. */
export interface ProxySpec {
  [key: string]: ProxySpec | MethodWrapper;
}

/**
 * Wraps a provider client in a Proxy that replaces the methods named by `spec` and leaves the
 * client itself untouched (an unwrapped reference keeps working, untracked). Resources reached
 * through the proxy see the proxied client as their `_client`, so the clients' own helpers
 * (`stream()`, `parse()`, tool runners), which call `create` through it, are tracked too. Methods
 * of the root client run bound to the real client, whose private fields a Proxy cannot reach.
 */
export function proxyClient<T extends object>(client: T, spec: ProxySpec): T {
  const make = (target: object, level: ProxySpec, isRoot: boolean): object => {
    const cache = new Map<PropertyKey, { value: unknown; proxy: unknown }>();
    return new Proxy(target, {
      get(t, prop) {
        if (prop === '_client' && !isRoot) return root;
        const value: unknown = Reflect.get(t, prop, t);
        const rule = typeof prop === 'string' && Object.hasOwn(level, prop) ? level[prop] : undefined;
        if (rule === undefined && !(isRoot && typeof value === 'function')) return value;
        const hit = cache.get(prop);
        if (hit && hit.value === value) return hit.proxy;
        let proxy: unknown = value;
        if (rule === undefined) proxy = (value as (...args: unknown[]) => unknown).bind(t);
        else if (typeof rule === 'function') {
          if (typeof value === 'function') proxy = rule(value as (...args: unknown[]) => unknown, t);
        } else if (typeof value === 'object' && value !== null) proxy = make(value, rule, false);
        cache.set(prop, { value, proxy });
        return proxy;
      },
    });
  };
  // `root` is read lazily by the resources' `_client`, after this assignment.
  const root = make(client, spec, true) as T;
  return root;
}

interface ThenableLike<T> {
  then(onfulfilled?: (value: T) => unknown, onrejected?: (reason: unknown) => unknown): unknown;
}

/** The parts of the clients' `APIPromise` used here (both SDKs have had them since 2024). */
interface APIPromiseLike<T> extends ThenableLike<T> {
  _thenUnwrap?<U>(transform: (data: T) => U): APIPromiseLike<U>;
  _responseProps?(): ThenableLike<unknown>;
  asResponse?(): ThenableLike<unknown>;
}

function isThenable<T>(value: unknown): value is ThenableLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as ThenableLike<T>).then === 'function'
  );
}

/**
 * Observes a provider call without changing what the caller gets: the result is still the
 * client's `APIPromise` (`withResponse()`, `asResponse()` keep working), its value goes through
 * `transform` when the caller reads it, and a failed request reaches `onFailure` without the body
 * being read early. If observing itself fails, the caller gets the original value.
 */
export function observeResult<T>(
  result: unknown,
  transform: (data: T) => unknown,
  onFailure: (error: unknown) => void,
): unknown {
  if (!isThenable<T>(result)) return result;
  const safe = (data: T): unknown => {
    try {
      return transform(data);
    } catch {
      return data;
    }
  };
  const promise = result as APIPromiseLike<T>;
  const raw =
    typeof promise._responseProps === 'function'
      ? promise._responseProps()
      : typeof promise.asResponse === 'function'
        ? promise.asResponse()
        : undefined;
  if (raw && typeof promise._thenUnwrap === 'function') {
    raw.then(undefined, onFailure);
    return promise._thenUnwrap(safe);
  }
  // Any other thenable: a plain promise chain (loses client-specific helpers, keeps the value).
  return Promise.resolve(result as ThenableLike<T>).then(safe, (error: unknown) => {
    onFailure(error);
    throw error;
  });
}

export interface StreamObserver<C> {
  /** Sees each item; returns false to hide it from the caller. */
  onItem(item: C): boolean;
  /** Once: at the end (`error` if the stream failed, `aborted` if the caller stopped early). */
  onEnd(outcome: { error?: unknown; aborted?: boolean }): void;
}

interface StreamLike<C> extends AsyncIterable<C> {
  controller?: AbortController;
}
type StreamConstructor<C> = new (
  iterator: () => AsyncIterator<C>,
  controller: AbortController,
) => StreamLike<C>;

/**
 * A stream of the same class as the client's (`Stream`, with `tee()`, `toReadableStream()`,
 * `controller`), built with its public constructor over an iterator that shows each item to
 * `observer` as the caller consumes it.
 */
export function observeStream<C>(stream: unknown, observer: StreamObserver<C>): unknown {
  const source = stream as StreamLike<C>;
  if (typeof source?.[Symbol.asyncIterator] !== 'function') return stream;
  let ended = false;
  const end = (outcome: { error?: unknown; aborted?: boolean }) => {
    if (ended) return;
    ended = true;
    try {
      observer.onEnd(outcome);
    } catch {
      // Recording must never break the caller's stream.
    }
  };
  const iterator = (): AsyncIterator<C> => {
    const inner = source[Symbol.asyncIterator]();
    return {
      async next() {
        try {
          for (;;) {
            const step = await inner.next();
            if (step.done) {
              end({});
              return step;
            }
            let show = true;
            try {
              show = observer.onItem(step.value);
            } catch {
              show = true;
            }
            if (show) return step;
          }
        } catch (error) {
          end({ error });
          throw error;
        }
      },
      async return(value?: unknown) {
        end({ aborted: true });
        return inner.return ? inner.return(value) : { done: true, value: undefined };
      },
      async throw(error?: unknown) {
        end({ error });
        if (inner.throw) return inner.throw(error);
        throw error;
      },
    };
  };
  const Ctor = source.constructor as StreamConstructor<C> | undefined;
  if (typeof Ctor === 'function' && source.controller) {
    try {
      return new Ctor(iterator, source.controller);
    } catch {
      // Fall through to a plain async iterable.
    }
  }
  return { [Symbol.asyncIterator]: iterator, controller: source.controller };
}

/** Omits zeros and absent counts, clamps parts to their totals (the API rejects a larger part). */
export function compactUsage(
  u: Pick<Usage, 'inputTokens' | 'outputTokens'> & {
    [K in (typeof USAGE_PARTS)[number][0]]?: number | null;
  },
): Usage {
  const usage: Usage = { inputTokens: wholeTokens(u.inputTokens), outputTokens: wholeTokens(u.outputTokens) };
  for (const [part, total] of USAGE_PARTS) {
    const v = wholeTokens(u[part]);
    if (v > 0) usage[part] = Math.min(v, usage[total]);
  }
  return usage;
}

function wholeTokens(value: number | null | undefined): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? Math.round(value) : 0;
}

const TEXT_ONLY: Modality[] = Object.freeze(['text']) as unknown as Modality[];

/**
 * Adds the modalities of content parts (`[{ type }]`) to `found`, by part type. Returns the list
 * (created with `text` first on the first find); `undefined` while only text was seen.
 */
export function collectModalities(
  parts: unknown,
  modalityOf: (type: string) => Modality | undefined,
  found: Modality[] | undefined,
): Modality[] | undefined {
  if (!Array.isArray(parts)) return found;
  for (const part of parts as { type?: unknown }[]) {
    const type = part?.type;
    if (typeof type !== 'string') continue;
    const modality = modalityOf(type);
    if (modality !== undefined && (found === undefined || !found.includes(modality))) {
      found ??= ['text'];
      found.push(modality);
    }
  }
  return found;
}

/** Where a wrapped client's events go and the labels they carry: made once per wrap. */
export class Recorder {
  readonly labels: EventContext;
  constructor(
    readonly options: WrapOptions,
    readonly provider: string,
  ) {
    const { feature, customerId, environment, tags } = options;
    this.labels = { feature, customerId, environment, tags };
  }

  /**
   * Starts observing one call (captures the time and the current scope's labels); undefined when
   * that fails, so the caller's own request always goes ahead untouched.
   */
  start(
    requestedModel: string | undefined,
    modalities: () => Modality[] | undefined,
  ): CallRecord | undefined {
    try {
      return new CallRecord(this, requestedModel, modalities);
    } catch {
      return undefined;
    }
  }
}

/** One provider call being observed: the labels and time it started with, recorded once. */
export class CallRecord {
  readonly startedAt = Date.now();
  private readonly labels: EventContext;
  private done = false;

  constructor(
    private readonly recorder: Recorder,
    readonly requestedModel: string | undefined,
    private readonly modalities: () => Modality[] | undefined,
  ) {
    const scope = currentScope();
    this.labels = scope === undefined ? recorder.labels : mergeContext(recorder.labels, scope);
  }

  finish(result: {
    model?: string | null;
    usage?: Usage;
    status: 'success' | 'error';
    serviceTier?: ServiceTier;
  }): void {
    if (this.done) return;
    this.done = true;
    try {
      let inputModalities: Modality[] | undefined;
      try {
        inputModalities = this.modalities() ?? TEXT_ONLY;
      } catch {
        inputModalities = undefined;
      }
      const labels = this.labels;
      this.recorder.options.tokenledger.track({
        occurredAt: isoTime(this.startedAt),
        provider: this.recorder.provider,
        model: result.model || this.requestedModel || 'unknown',
        usage: result.usage ?? { inputTokens: 0, outputTokens: 0 },
        serviceTier: result.serviceTier,
        feature: labels.feature,
        customerId: labels.customerId,
        environment: labels.environment,
        inputModalities,
        latencyMs: Math.max(0, Date.now() - this.startedAt),
        status: result.status,
        tags: labels.tags,
      });
    } catch {
      // Never into the application.
    }
  }
}
