/**
 * Labels and small helpers for the reconciliation views (docs/RECONCILIATION.md): the providers'
 * own usage and cost reports against what Tokenledger priced.
 */

export const RECONCILE_PROVIDERS = ['OPENAI', 'ANTHROPIC'] as const;
export type ReconcileProvider = (typeof RECONCILE_PROVIDERS)[number];

export const PROVIDER_LABELS: Record<ReconcileProvider, string> = {
  OPENAI: 'OpenAI',
  ANTHROPIC: 'Anthropic',
};

export const EXPLANATION_LABELS: Record<string, string> = {
  UNMAPPED: 'Not mapped to a project',
  NOT_RECEIVED: 'Not received by Tokenledger',
  NOT_REPORTED: 'Not reported by the provider',
  PRICE_DIFFERENCE: 'Price difference',
  CREDIT: 'Credit',
  EXCLUDED_TIER: 'Excluded tier',
  OTHER_CHARGES: 'Other charges',
};

export function isReconcileProvider(v: string | null): v is ReconcileProvider {
  return v !== null && (RECONCILE_PROVIDERS as readonly string[]).includes(v);
}

/** "2026-10" for a real month, else null. */
export function isMonth(v: string | null): v is string {
  return v !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(v);
}

/** The UTC month `offset` months from `now`'s: the providers' buckets are UTC days. */
export function utcMonth(now: Date, offset = 0): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
}

/** The month and provider the page shows, from its URL; last month and OpenAI by default. */
export function parseReconciliation(
  params: URLSearchParams,
  now: Date,
): { month: string; provider: ReconcileProvider } {
  const month = params.get('month');
  const provider = params.get('provider')?.toUpperCase() ?? null;
  return {
    month: isMonth(month) ? month : utcMonth(now, -1),
    provider: isReconcileProvider(provider) ? provider : 'OPENAI',
  };
}

export function reconciliationLink(month: string, provider: ReconcileProvider): string {
  return `/reconciliation?${new URLSearchParams({ month, provider: provider.toLowerCase() }).toString()}`;
}

/** A difference with its sign: "+$1.20", "−$0.40", "$0.00". */
export function signedMoney(value: string | null | undefined, format: (v: string) => string): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return '—';
  if (n === 0) return format('0');
  return `${n > 0 ? '+' : '−'}${format(value.trim().replace(/^[-+]/, ''))}`;
}

/** "+4.2%" of Tokenledger's cost; null when there is nothing to compare with. */
export function signedPercent(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n)) return null;
  const abs = Math.abs(n).toFixed(1);
  return `${n > 0 ? '+' : n < 0 ? '−' : ''}${abs}%`;
}
