/**
 * The budget form's fields and their mapping to GraphQL's BudgetInput (and back, to edit one).
 * Pure, so the mapping is tested without a browser.
 */

export const SCOPE_KINDS = [
  ['organization', 'organization'],
  ['project', 'project'],
  ['feature', 'feature'],
  ['customer', 'customer'],
  ['environment', 'environment'],
  ['model', 'model'],
  ['tag', 'tag'],
  ['api_key', 'API key'],
] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number][0];

export interface BudgetDraft {
  name: string;
  scopeKind: ScopeKind;
  project: string;
  tagKey: string;
  value: string;
  amountUsd: string;
  period: 'month' | 'week' | 'day' | 'custom';
  periodDays: string;
  /** "50, 80, 100" */
  thresholds: string;
  kind: 'soft' | 'hard';
  timeZone: string;
}

export function emptyDraft(timeZone: string): BudgetDraft {
  return {
    name: '',
    scopeKind: 'organization',
    project: '',
    tagKey: '',
    value: '',
    amountUsd: '',
    period: 'month',
    periodDays: '30',
    thresholds: '50, 80, 100',
    kind: 'soft',
    timeZone,
  };
}

export interface BudgetInputShape {
  name: string;
  amountUsd: string;
  period: string;
  periodDays?: number;
  kind: string;
  thresholds?: number[];
  timeZone: string;
  scope: { kind: string; project?: string; key?: string; value?: string };
}

/** "50, 80,100" → [50, 80, 100]; what is not a whole number is left for the API to refuse. */
export function parseThresholds(text: string): number[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map(Number);
}

export function budgetInputOf(d: BudgetDraft): BudgetInputShape {
  const scope: BudgetInputShape['scope'] = { kind: d.scopeKind };
  if (d.scopeKind === 'project') scope.project = d.project;
  else if (d.scopeKind === 'tag') {
    scope.key = d.tagKey.trim();
    scope.value = d.value.trim();
  } else if (d.scopeKind !== 'organization') scope.value = d.value.trim();
  const thresholds = parseThresholds(d.thresholds);
  return {
    name: d.name.trim(),
    amountUsd: d.amountUsd.trim(),
    period: d.period,
    ...(d.period === 'custom' ? { periodDays: Number(d.periodDays) } : {}),
    kind: d.kind,
    ...(thresholds.length ? { thresholds } : {}),
    timeZone: d.timeZone.trim() || 'UTC',
    scope,
  };
}

export interface BudgetLike {
  name: string;
  amountUsd: string;
  period: string;
  periodDays: number | null;
  kind: string;
  thresholds: number[];
  timeZone: string;
  scope: { kind: string; project: string | null; key: string | null; value: string | null };
}

/** An existing budget as form fields, to edit it. */
export function draftOf(b: BudgetLike): BudgetDraft {
  const kinds = SCOPE_KINDS.map(([k]) => k as string);
  const period = ['month', 'week', 'day', 'custom'].includes(b.period) ? b.period : 'month';
  return {
    name: b.name,
    scopeKind: (kinds.includes(b.scope.kind) ? b.scope.kind : 'organization') as ScopeKind,
    project: b.scope.project ?? '',
    tagKey: b.scope.key ?? '',
    value: b.scope.value ?? '',
    amountUsd: b.amountUsd,
    period: period as BudgetDraft['period'],
    periodDays: String(b.periodDays ?? 30),
    thresholds: b.thresholds.join(', '),
    kind: b.kind === 'hard' ? 'hard' : 'soft',
    timeZone: b.timeZone,
  };
}

/** An API key as the form and the budget list name it. */
export interface KeyLike {
  id: string;
  name: string;
  prefix: string;
}

/** "Ingest prod (tlk_ab12cd34…)": what a person recognises a key by (never its id). */
export function keyLabel(k: KeyLike): string {
  return `${k.name} (${k.prefix}…)`;
}

/**
 * "project web", "feature support-chat", "tag team=search", "API key Ingest prod (tlk_…)",
 * "whole organization". Keys are named from `keys` (the organization's); an unknown id is shown as is.
 */
export function scopeLabel(s: BudgetLike['scope'], keys: readonly KeyLike[] = []): string {
  switch (s.kind) {
    case 'api_key': {
      const key = keys.find((k) => k.id === s.value);
      return `API key ${key ? keyLabel(key) : (s.value ?? '?')}`;
    }
    case 'organization':
      return 'whole organization';
    case 'project':
      return `project ${s.project ?? '?'}`;
    case 'tag':
      return `tag ${s.key ?? '?'}=${s.value ?? ''}`;
    default:
      return `${s.kind} ${s.value ?? ''}`;
  }
}
