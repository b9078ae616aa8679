import type { EventContext } from './event.js';

/**
 * Context per scope: `withContext({ customerId }, fn)` labels every event tracked while `fn` and
 * whatever it awaits run, without threading labels through calls. Backed by AsyncLocalStorage
 * where the runtime has one (Node, Deno, Bun, Vercel Edge, Cloudflare Workers with
 * `nodejs_compat`); elsewhere the scope covers only the synchronous part of `fn`.
 */

interface Storage<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}
type StorageConstructor = new <T>() => Storage<T>;

interface RuntimeGlobals {
  AsyncLocalStorage?: StorageConstructor;
  process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } };
}
const runtime = globalThis as RuntimeGlobals;

function findAsyncLocalStorage(): StorageConstructor | undefined {
  if (typeof runtime.AsyncLocalStorage === 'function') return runtime.AsyncLocalStorage;
  try {
    // Node 20.16+ and 22.3+: a built-in module without a static import, so edge bundlers see none.
    const hooks = runtime.process?.getBuiltinModule?.('node:async_hooks') as
      { AsyncLocalStorage?: StorageConstructor } | undefined;
    return hooks?.AsyncLocalStorage;
  } catch {
    return undefined;
  }
}

/** A scope stack for runtimes without AsyncLocalStorage: correct for synchronous code only. */
class SyncStorage<T> implements Storage<T> {
  private current: T | undefined;
  getStore(): T | undefined {
    return this.current;
  }
  run<R>(store: T, fn: () => R): R {
    const previous = this.current;
    this.current = store;
    try {
      return fn();
    } finally {
      this.current = previous;
    }
  }
}

const AsyncLocalStorageImpl = findAsyncLocalStorage();
let storage: Storage<EventContext> = AsyncLocalStorageImpl
  ? new AsyncLocalStorageImpl<EventContext>()
  : new SyncStorage<EventContext>();

/** Whether scopes follow `await` (AsyncLocalStorage is available). */
export let contextPropagatesAcrossAwait = AsyncLocalStorageImpl !== undefined;

if (!AsyncLocalStorageImpl && runtime.process?.versions?.node) {
  // Older Node (18, 20 before 20.16): load it asynchronously. The specifier is a variable so that
  // bundlers for edge runtimes leave it alone; until it resolves, scopes are synchronous only.
  const specifier = 'node:async_hooks';
  import(specifier).then(
    (hooks: { AsyncLocalStorage?: StorageConstructor }) => {
      if (typeof hooks.AsyncLocalStorage !== 'function') return;
      storage = new hooks.AsyncLocalStorage<EventContext>();
      contextPropagatesAcrossAwait = true;
    },
    () => undefined,
  );
}

/**
 * Merges labels: fields of `inner` win; tags are merged key by key. Returns `outer` itself when
 * `inner` adds nothing, so the common path allocates nothing.
 */
export function mergeContext(outer: EventContext | undefined, inner: EventContext | undefined): EventContext {
  if (!inner) return outer ?? EMPTY;
  if (!outer || outer === EMPTY) return inner;
  const merged: EventContext = {
    feature: inner.feature ?? outer.feature,
    customerId: inner.customerId ?? outer.customerId,
    environment: inner.environment ?? outer.environment,
  };
  if (outer.tags || inner.tags) merged.tags = { ...outer.tags, ...inner.tags };
  return merged;
}

const EMPTY: EventContext = Object.freeze({}) as EventContext;

/** Runs `fn` with these labels added to every event tracked inside it (nested scopes merge). */
export function withContext<R>(context: EventContext, fn: () => R): R {
  return storage.run(mergeContext(storage.getStore(), context), fn);
}

/** The labels of the current scope (empty outside any). */
export function getContext(): EventContext {
  return storage.getStore() ?? EMPTY;
}

/** The current scope's labels, or undefined outside any scope (the hot path's check). */
export function currentScope(): EventContext | undefined {
  return storage.getStore();
}
