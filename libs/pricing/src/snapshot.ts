/**
 * Everything `buildPricer` needs, as plain data: every rate table (the global catalog tables and
 * every organization's override tables), every version of each, and every rate of each version —
 * exactly what `RateTableRepository.loadSnapshot()` reads from the database. `match`, `prices`
 * and `providers` are the stored JSON, validated when the pricer is built.
 */
export interface CatalogSnapshot {
  tables: SnapshotTable[];
}

export type RateTableKind = 'catalog' | 'override';

export interface SnapshotTable {
  id: string;
  /** null for the global catalog; an organization's id for its overrides. */
  organizationId: string | null;
  slug: string;
  /** The table's display name, when the snapshot was read with it. */
  name?: string;
  kind: RateTableKind | string;
  /** Lower is consulted first (within global tables, and within one organization's tables). */
  priority: number;
  versions: SnapshotVersion[];
}

export interface SnapshotVersion {
  id: string;
  version: number;
  effectiveFrom: Date | string;
  /** ProviderSpec[] (JSON). */
  providers: unknown;
  rates: SnapshotRate[];
}

export interface SnapshotRate {
  provider: string;
  model: string;
  /** ModelMatch (JSON). */
  match: unknown;
  /** RateCard (JSON). */
  prices: unknown;
  source: string;
}

export interface SnapshotTableInput {
  slug: string;
  organizationId?: string | null;
  kind?: RateTableKind;
  priority?: number;
  versions: {
    id?: string;
    effectiveFrom: Date | string;
    providers?: unknown[];
    rates: readonly SnapshotRate[];
  }[];
}

/**
 * A snapshot from plain rate lists, with ids made up from slugs and version numbers
 * (`genai-prices@1`): for tests, benchmarks and quotes that need no database.
 */
export function snapshotOf(tables: SnapshotTableInput[]): CatalogSnapshot {
  return {
    tables: tables.map((t) => ({
      id: `${t.organizationId ?? 'global'}/${t.slug}`,
      organizationId: t.organizationId ?? null,
      slug: t.slug,
      kind: t.kind ?? (t.organizationId ? 'override' : 'catalog'),
      priority: t.priority ?? 100,
      versions: t.versions.map((v, i) => ({
        id: v.id ?? `${t.slug}@${i + 1}`,
        version: i + 1,
        effectiveFrom: v.effectiveFrom,
        providers: v.providers ?? [],
        rates: [...v.rates],
      })),
    })),
  };
}

export interface TableInForce {
  table: Omit<SnapshotTable, 'versions'>;
  version: Omit<SnapshotVersion, 'rates'>;
  rates: SnapshotRate[];
}

/**
 * The version of each table in force at `at`, in the order the pricer consults them (the
 * organization's tables, then the global ones, each by priority): what a catalog view
 * (`models(search)`) lists as "prices in force". Rates of an earlier table win over a later one.
 */
export function tablesInForce(
  snapshot: CatalogSnapshot,
  at: Date | string,
  organizationId: string | null = null,
): TableInForce[] {
  const ms = at instanceof Date ? at.getTime() : Date.parse(at);
  const relevant = snapshot.tables.filter(
    (t) => t.organizationId === null || (organizationId !== null && t.organizationId === organizationId),
  );
  relevant.sort(
    (a, b) =>
      (a.organizationId === null ? 1 : 0) - (b.organizationId === null ? 1 : 0) ||
      a.priority - b.priority ||
      a.slug.localeCompare(b.slug),
  );
  const out: TableInForce[] = [];
  for (const { versions, ...table } of relevant) {
    let best: SnapshotVersion | null = null;
    for (const v of versions) {
      const from = new Date(v.effectiveFrom).getTime();
      if (from > ms) continue;
      if (!best) best = v;
      else {
        const bestFrom = new Date(best.effectiveFrom).getTime();
        if (from > bestFrom || (from === bestFrom && v.version > best.version)) best = v;
      }
    }
    if (best) {
      const { rates, ...version } = best;
      out.push({ table, version, rates });
    }
  }
  return out;
}
