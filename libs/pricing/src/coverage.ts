import { compilePattern, ModelIndex, normalizeName, type PatternTest } from './match';
import { parseModelMatch, type ProviderSpec, providerSpecErrors } from './rate-card';
import { GATEWAY_PROVIDERS } from './resolution';
import type { CatalogSnapshot, SnapshotRate, SnapshotVersion } from './snapshot';
import { toMs } from './timestamp';

/** Whether a reported provider and model could be priced differently because of a publication. */
export type CoverageTest = (provider: string, model: string) => boolean;

const ALL: CoverageTest = () => true;

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const rateKey = (r: SnapshotRate) => `${r.provider}\n${r.model}`;
const sameRate = (a: SnapshotRate, b: SnapshotRate) =>
  stable(a.match) === stable(b.match) && stable(a.prices) === stable(b.prices);

/**
 * Which reported (provider, model) names a published version can price differently over
 * [since, until): the names matched by the rates it adds, changes or drops compared with each
 * version of its table that was in force somewhere in that range before it (the one in force at
 * `since` and any that start inside the range). A correction to one model of a 20-model table
 * covers that model's names only; a version that changes the table's providers covers every
 * name. Provider aliases and fallbacks are followed as the pricer follows them (from every
 * table's provider specs); events from a gateway that does not name its provider are always
 * covered. It errs on the side of covering: a name it covers may still price the same.
 */
export function versionCoverage(
  snapshot: CatalogSnapshot,
  versionId: string,
  since: Date,
  until: Date | null,
): CoverageTest {
  const table = snapshot.tables.find((t) => t.versions.some((v) => v.id === versionId));
  if (!table) return ALL;
  const target = table.versions.find((v) => v.id === versionId)!;
  const sinceMs = since.getTime();
  const untilMs = until ? until.getTime() : Infinity;
  const others = table.versions
    .filter((v) => v.id !== versionId)
    .sort((a, b) => toMs(a.effectiveFrom) - toMs(b.effectiveFrom) || a.version - b.version);
  const atSince = others.filter((v) => toMs(v.effectiveFrom) <= sinceMs).pop();
  const compared: SnapshotVersion[] = [
    ...(atSince ? [atSince] : []),
    ...others.filter((v) => toMs(v.effectiveFrom) > sinceMs && toMs(v.effectiveFrom) < untilMs),
  ];

  const touched: SnapshotRate[] = [];
  if (compared.length === 0) touched.push(...target.rates);
  for (const old of compared) {
    if (stable(old.providers ?? []) !== stable(target.providers ?? [])) return ALL;
    const before = new Map(old.rates.map((r) => [rateKey(r), r]));
    const after = new Map(target.rates.map((r) => [rateKey(r), r]));
    for (const [k, r] of after) {
      const o = before.get(k);
      if (!o || !sameRate(o, r)) touched.push(r, ...(o ? [o] : []));
    }
    for (const [k, o] of before) if (!after.has(k)) touched.push(o);
  }

  const byProvider = new Map<string, ModelIndex<true>>();
  for (const rate of touched) {
    const match = parseModelMatch(rate.match, 'match');
    if (!match.ok) return ALL;
    let index = byProvider.get(rate.provider);
    if (!index) byProvider.set(rate.provider, (index = new ModelIndex<true>()));
    index.add(true, match.value);
  }
  if (byProvider.size === 0) return () => false;

  const aliases: { id: string; test: PatternTest }[] = [];
  const fallbacks = new Map<string, Set<string>>();
  for (const t of snapshot.tables) {
    if (t.organizationId !== null && t.organizationId !== table.organizationId) continue;
    for (const version of t.versions) {
      if (!Array.isArray(version.providers)) continue;
      for (const raw of version.providers as unknown[]) {
        if (providerSpecErrors(raw, 'provider').length > 0) continue;
        const spec = raw as ProviderSpec;
        for (const pattern of spec.aliases ?? [])
          aliases.push({ id: spec.id, test: compilePattern(pattern) });
        const set = fallbacks.get(spec.id) ?? new Set<string>();
        for (const f of spec.fallbackProviders ?? []) set.add(f);
        fallbacks.set(spec.id, set);
      }
    }
  }

  return (providerRaw, model) => {
    const provider = normalizeName(providerRaw);
    if (GATEWAY_PROVIDERS.has(provider)) return true;
    const candidates = new Set<string>([provider]);
    for (const a of aliases) if (a.test(provider) >= 0) candidates.add(a.id);
    for (const c of [...candidates]) for (const f of fallbacks.get(c) ?? []) candidates.add(f);
    for (const c of candidates) if ((byProvider.get(c)?.hits(model).length ?? 0) > 0) return true;
    return false;
  };
}
