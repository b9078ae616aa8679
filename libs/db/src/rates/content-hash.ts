import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface VersionContent {
  providers: readonly unknown[];
  rates: readonly { provider: string; model: string; match: unknown; prices: unknown }[];
}

/**
 * The digest of what a version prices: its providers and its rates (match and prices), in a stable
 * order. Sources and notes are not content: the same prices re-read from a newer package release
 * are the same version.
 */
export function versionContentHash(content: VersionContent): string {
  const rates = [...content.rates]
    .map((r) => ({ provider: r.provider, model: r.model, match: r.match, prices: r.prices }))
    .sort((a, b) =>
      a.provider === b.provider ? (a.model < b.model ? -1 : 1) : a.provider < b.provider ? -1 : 1,
    );
  const providers = [...content.providers].sort((a, b) => {
    const ia = String((a as { id?: unknown }).id);
    const ib = String((b as { id?: unknown }).id);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  return createHash('sha256').update(canonicalJson({ providers, rates })).digest('hex');
}
