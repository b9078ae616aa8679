import type { FieldError } from '@tokenledger/contracts';
import { compileCard, type CompiledCard } from './compile';
import { compilePattern, ModelIndex, type PatternTest } from './match';
import {
  isAdjustment,
  parseModelMatch,
  parseRateCard,
  providerSpecErrors,
  PROVIDER_ID,
  type ProviderSpec,
} from './rate-card';
import { Resolver } from './resolution';
import type { CatalogSnapshot, SnapshotTable, SnapshotVersion } from './snapshot';
import { toMs } from './timestamp';

// The compiled catalog: every version's rates indexed by provider and model, tables layered per
// organization, and a cache of which versions are in force over which spans of time.

/** A catalog that cannot be loaded as it is: every problem, each naming where it is. */
export class CatalogError extends Error {
  constructor(readonly problems: FieldError[]) {
    super(
      `the rate catalog is invalid: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
    );
    this.name = 'CatalogError';
  }
}

export interface Rate {
  provider: string;
  model: string;
  card: CompiledCard;
  version: CompiledVersion;
}

export interface CompiledProvider {
  spec: ProviderSpec;
  aliases: PatternTest[];
  modelPatterns: PatternTest[];
}

export class CompiledVersion {
  readonly priced = new Map<string, ModelIndex<Rate>>();
  readonly adjustments = new Map<string, ModelIndex<Rate>>();
  readonly providers = new Map<string, CompiledProvider>();

  constructor(
    readonly ordinal: number,
    readonly id: string,
    readonly table: SnapshotTable,
    readonly effectiveFromMs: number,
    readonly version: number,
  ) {}

  knows(provider: string): boolean {
    return this.priced.has(provider) || this.adjustments.has(provider) || this.providers.has(provider);
  }
}

class CompiledTable {
  /** Sorted by effectiveFrom, then version number. */
  readonly versions: CompiledVersion[];
  private readonly starts: Float64Array;

  constructor(
    readonly table: SnapshotTable,
    versions: CompiledVersion[],
  ) {
    this.versions = [...versions].sort(
      (a, b) => a.effectiveFromMs - b.effectiveFromMs || a.version - b.version,
    );
    this.starts = Float64Array.from(this.versions.map((v) => v.effectiveFromMs));
  }

  /** The start of the first version after the one in force at `ms` (Infinity when none). */
  nextStart(ms: number): number {
    for (let i = 0; i < this.starts.length; i++) if (this.starts[i]! > ms) return this.starts[i]!;
    return Infinity;
  }

  /** The version in force at `ms`: the latest effectiveFrom ≤ ms (ties: the later version). */
  at(ms: number): CompiledVersion | null {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= ms) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : this.versions[found]!;
  }
}

function compileProvider(spec: ProviderSpec): CompiledProvider {
  return {
    spec,
    aliases: (spec.aliases ?? []).map(compilePattern),
    modelPatterns: (spec.modelPatterns ?? []).map(compilePattern),
  };
}

/**
 * Compiles the rates of one version; problems (invalid JSON, two rates for one model, names that
 * two rates match equally well) are collected under `where`.
 */
function compileVersion(
  table: SnapshotTable,
  version: SnapshotVersion,
  ordinal: number,
  cards: Map<string, CompiledCard>,
  problems: FieldError[],
): CompiledVersion {
  const where = `tables[${table.slug}${table.organizationId ? `@${table.organizationId}` : ''}].versions[${version.version}]`;
  const effectiveFromMs = toMs(version.effectiveFrom);
  if (Number.isNaN(effectiveFromMs))
    problems.push({ path: `${where}.effectiveFrom`, message: 'is not a valid date' });
  const compiled = new CompiledVersion(ordinal, version.id, table, effectiveFromMs, version.version);

  const providers = version.providers ?? [];
  if (!Array.isArray(providers)) problems.push({ path: `${where}.providers`, message: 'must be an array' });
  else
    providers.forEach((raw, i) => {
      const errors = providerSpecErrors(raw, `${where}.providers[${i}]`);
      if (errors.length > 0) problems.push(...errors);
      else {
        const spec = raw as ProviderSpec;
        if (compiled.providers.has(spec.id))
          problems.push({ path: `${where}.providers[${i}].id`, message: `"${spec.id}" is listed twice` });
        compiled.providers.set(spec.id, compileProvider(spec));
      }
    });

  const seen = new Set<string>();
  version.rates.forEach((raw) => {
    const at = `${where}.rates[${raw.provider}/${raw.model}]`;
    if (typeof raw.provider !== 'string' || !PROVIDER_ID.test(raw.provider)) {
      problems.push({ path: `${at}.provider`, message: 'must be a lower-case provider id' });
      return;
    }
    const key = `${raw.provider}\n${raw.model}`;
    if (seen.has(key)) problems.push({ path: at, message: 'appears twice in one version' });
    seen.add(key);
    const match = parseModelMatch(raw.match, `${at}.match`);
    if (!match.ok) {
      problems.push(...match.errors);
      return;
    }
    const cardKey = JSON.stringify(raw.prices);
    let card = cards.get(cardKey);
    if (!card) {
      const parsed = parseRateCard(raw.prices, `${at}.prices`);
      if (!parsed.ok) {
        problems.push(...parsed.errors);
        return;
      }
      card = compileCard(parsed.value);
      cards.set(cardKey, card);
      if (isAdjustment(parsed.value) && table.kind !== 'override')
        problems.push({
          path: `${at}.prices`,
          message: 'a discount belongs in an organization override table',
        });
    }
    const rate: Rate = { provider: raw.provider, model: raw.model, card, version: compiled };
    const indexes = card.adjustment ? compiled.adjustments : compiled.priced;
    let index = indexes.get(raw.provider);
    if (!index) indexes.set(raw.provider, (index = new ModelIndex<Rate>()));
    index.add(rate, match.value);
  });

  for (const [kind, indexes] of [
    ['rates', compiled.priced],
    ['discounts', compiled.adjustments],
  ] as const) {
    for (const [provider, index] of indexes) {
      for (const { name, entries } of index.findAmbiguities()) {
        problems.push({
          path: `${where}.rates[${provider}]`,
          message: `ambiguous ${kind}: "${name}" matches ${entries.map((e) => `"${e.model}"`).join(' and ')} equally well`,
        });
      }
      if (index.allModelsCount > 1)
        problems.push({
          path: `${where}.rates[${provider}]`,
          message: `ambiguous ${kind}: more than one covers every model of "${provider}"`,
        });
    }
  }
  return compiled;
}

interface CachedSpan {
  /** The resolver holds for instants in [from, until). */
  from: number;
  until: number;
  resolver: Resolver | null;
}

/**
 * Every table compiled, layered per organization (its own tables by priority, then the global
 * ones), with the resolvers met so far: one per combination of versions in force, found again by
 * the span of time it holds for.
 */
export class RateIndex {
  private readonly resolvers = new Map<string, Resolver>();
  /** Per list of tables: the resolvers met so far and the time spans they hold for. */
  private readonly spans = new Map<CompiledTable[], CachedSpan[]>();

  private constructor(private readonly layers: Map<string | null, CompiledTable[]>) {}

  /** Compiles a snapshot of every rate table. Throws CatalogError when the catalog is invalid. */
  static build(snapshot: CatalogSnapshot): RateIndex {
    const problems: FieldError[] = [];
    const cards = new Map<string, CompiledCard>();
    let ordinal = 0;
    const globalTables: CompiledTable[] = [];
    const orgTables = new Map<string, CompiledTable[]>();
    for (const table of snapshot.tables) {
      const versions = table.versions.map((v) => compileVersion(table, v, ordinal++, cards, problems));
      const compiled = new CompiledTable(table, versions);
      if (table.organizationId === null) globalTables.push(compiled);
      else {
        const list = orgTables.get(table.organizationId) ?? [];
        list.push(compiled);
        orgTables.set(table.organizationId, list);
      }
    }
    if (problems.length > 0) throw new CatalogError(problems);
    const byPriority = (a: CompiledTable, b: CompiledTable) =>
      a.table.priority - b.table.priority || a.table.slug.localeCompare(b.table.slug);
    globalTables.sort(byPriority);
    const layers = new Map<string | null, CompiledTable[]>([[null, globalTables]]);
    for (const [org, tables] of orgTables) layers.set(org, [...tables.sort(byPriority), ...globalTables]);
    return new RateIndex(layers);
  }

  /** The resolver over the versions an organization's tables (null: the catalog's) have in force at `ms`. */
  resolverAt(organizationId: string | null, ms: number): Resolver | null {
    const tables = this.layers.get(organizationId) ?? this.layers.get(null)!;
    let spans = this.spans.get(tables);
    if (spans === undefined) this.spans.set(tables, (spans = []));
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (ms >= span.from && ms < span.until) return span.resolver;
    }
    let key = '';
    let from = -Infinity;
    let until = Infinity;
    const versions: CompiledVersion[] = [];
    for (const t of tables) {
      const v = t.at(ms);
      until = Math.min(until, t.nextStart(ms));
      if (v) {
        key += `${v.ordinal},`;
        from = Math.max(from, v.effectiveFromMs);
        versions.push(v);
      }
    }
    let resolver: Resolver | null = null;
    if (versions.length > 0) {
      resolver = this.resolvers.get(key) ?? null;
      if (!resolver) this.resolvers.set(key, (resolver = new Resolver(versions)));
    }
    if (spans.length < 64) spans.push({ from, until, resolver });
    return resolver;
  }
}
