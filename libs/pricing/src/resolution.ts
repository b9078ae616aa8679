import type { MatchHit } from './match';
import { normalizeName } from './match';
import type { CompiledProvider, CompiledVersion, Rate } from './rate-index';

// Which rate prices a provider's model, among the versions in force at one moment: provider
// aliases, gateways, fallbacks, the most specific match, and a cache of the answers.

/** Gateways whose events name a model but not who served it; the provider is inferred from the model. */
export const GATEWAY_PROVIDERS = new Set(['litellm']);

export interface Resolved {
  kind: 'rate';
  rate: Rate;
  adjustment: Rate | null;
  flags: string[];
}
export type Resolution =
  | Resolved
  | { kind: 'unpriced_model'; reason: string; flags: string[] }
  | { kind: 'error'; reason: string; flags: string[] };

const RESOLUTION_CACHE_LIMIT = 50_000;

/** The versions in force for one combination of tables at one moment, with a cache of lookups. */
export class Resolver {
  /** provider → model → resolution: two lookups, no string building per event. */
  private readonly cache = new Map<string, Map<string, Resolution>>();
  private cached = 0;

  constructor(readonly versions: CompiledVersion[]) {}

  resolve(providerRaw: string, modelRaw: string): Resolution {
    let byModel = this.cache.get(providerRaw);
    if (byModel === undefined) {
      byModel = new Map();
      this.cache.set(providerRaw, byModel);
    }
    let r = byModel.get(modelRaw);
    if (r === undefined) {
      r = this.resolveUncached(providerRaw, modelRaw);
      if (++this.cached > RESOLUTION_CACHE_LIMIT) {
        this.cache.clear();
        this.cached = 1;
        this.cache.set(providerRaw, (byModel = new Map()));
      }
      byModel.set(modelRaw, r);
    }
    return r;
  }

  private knows(provider: string): boolean {
    return this.versions.some((v) => v.knows(provider));
  }

  private providerSpec(id: string): CompiledProvider | undefined {
    for (const v of this.versions) {
      const p = v.providers.get(id);
      if (p) return p;
    }
    return undefined;
  }

  /** The provider a name stands for, by the catalog's aliases (most specific alias wins). */
  private byAlias(name: string): string | null {
    let best: { id: string; score: number } | null = null;
    for (const v of this.versions)
      for (const p of v.providers.values())
        for (const test of p.aliases) {
          const s = test(name);
          if (s >= 0 && (!best || s > best.score)) best = { id: p.spec.id, score: s };
        }
    return best?.id ?? null;
  }

  /** The provider whose model names a gateway's model name looks like. */
  private byModel(model: string): string | null {
    const name = normalizeName(model);
    let best: { id: string; score: number } | null = null;
    for (const v of this.versions)
      for (const p of v.providers.values())
        for (const test of p.modelPatterns) {
          const s = test(name);
          if (s >= 0 && (!best || s > best.score)) best = { id: p.spec.id, score: s };
        }
    return best?.id ?? null;
  }

  private resolveUncached(providerRaw: string, modelRaw: string): Resolution {
    const flags: string[] = [];
    let provider = normalizeName(providerRaw);
    let model = modelRaw;
    if (!this.knows(provider)) {
      let inferred: string | null = null;
      if (GATEWAY_PROVIDERS.has(provider)) {
        const slash = model.indexOf('/');
        const prefix = slash > 0 ? normalizeName(model.slice(0, slash)) : '';
        if (prefix && this.knows(prefix)) {
          inferred = prefix;
          model = model.slice(slash + 1);
        } else inferred = this.byModel(model);
      } else inferred = this.byAlias(provider);
      if (inferred === null)
        return {
          kind: 'unpriced_model',
          reason: `no rate for model "${modelRaw}" from provider "${providerRaw}" (no such provider in the rate tables)`,
          flags,
        };
      provider = inferred;
      flags.push('provider-inferred');
    }
    const direct = this.lookup(provider, model);
    if (direct.kind !== 'unpriced_model') return withFlags(direct, flags);
    for (const fallback of this.providerSpec(provider)?.spec.fallbackProviders ?? []) {
      const r = this.lookup(fallback, model);
      if (r.kind !== 'unpriced_model') return withFlags(r, [...flags, `provider-fallback:${fallback}`]);
    }
    return {
      kind: 'unpriced_model',
      reason: `no rate for model "${modelRaw}" from provider "${providerRaw}"`,
      flags,
    };
  }

  /** Walks the tables in order: the first priced match wins; an adjustment above it applies to it. */
  private lookup(provider: string, model: string): Resolution {
    let adjustment: MatchHit<Rate> | null = null;
    for (const v of this.versions) {
      const priced = v.priced.get(provider)?.match(model);
      if (priced?.kind === 'ambiguous') return ambiguous(provider, model, priced.hits);
      if (priced?.kind === 'hit') {
        const flags = matchFlags(priced.hit, model);
        if (priced.hit.entry.version.table.kind === 'override')
          flags.push(`override:${priced.hit.entry.version.table.slug}`);
        return { kind: 'rate', rate: priced.hit.entry, adjustment: adjustment?.entry ?? null, flags };
      }
      const adj = v.adjustments.get(provider)?.match(model);
      if (adj?.kind === 'ambiguous') return ambiguous(provider, model, adj.hits);
      if (adj?.kind === 'hit' && adjustment === null) adjustment = adj.hit;
    }
    return { kind: 'unpriced_model', reason: '', flags: [] };
  }
}

function withFlags(r: Resolution, flags: string[]): Resolution {
  return flags.length === 0 ? r : { ...r, flags: [...flags, ...r.flags] };
}

/**
 * Names the match that happened: nothing for the model's own id or an exact alias;
 * `match:snapshot(gpt-5.5)` for a dated snapshot read as that id, `match:iso-date(…)`,
 * `match:pattern:startsWith(gpt-5.5-codex)` naming the pattern, `match:all-models`.
 */
function matchFlags(hit: MatchHit<Rate>, model: string): string[] {
  // A pattern that happens to match the rate's own id is still an exact match of that id.
  if (normalizeName(model) === normalizeName(hit.entry.model)) return [];
  if (hit.how === 'snapshot') return [`match:snapshot(${hit.detail ?? hit.entry.model})`];
  if (hit.how === 'iso-date') return [`match:iso-date(${hit.detail ?? hit.entry.model})`];
  if (hit.how === 'pattern') return [hit.detail ? `match:pattern:${hit.detail}` : 'match:pattern'];
  if (hit.how === 'all-models') return ['match:all-models'];
  return [];
}

function ambiguous(provider: string, model: string, hits: MatchHit<Rate>[]): Resolution {
  return {
    kind: 'error',
    reason: `model "${model}" from provider "${provider}" matches several rates equally well (${hits
      .map((h) => `"${h.entry.model}" in ${h.entry.version.table.slug} v${h.entry.version.version}`)
      .join(', ')}): make one of them more specific`,
    flags: [],
  };
}
