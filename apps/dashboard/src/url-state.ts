import { isYmd, RANGE_PRESETS, type RangeChoice, type RangePreset } from './time-range';

/**
 * A view's state lives in the URL's query string, so a view is a link: it survives a reload and
 * can be shared. Parsing never throws: anything unknown falls back to the default.
 */

export const DIMENSIONS = {
  MODEL: { label: 'Model', param: 'model', filter: 'models', field: 'model' },
  PROVIDER: { label: 'Provider', param: 'provider', filter: 'providers', field: 'provider' },
  FEATURE: { label: 'Feature', param: 'feature', filter: 'features', field: 'feature' },
  CUSTOMER: { label: 'Customer', param: 'customer', filter: 'customers', field: 'customer' },
  PROJECT: { label: 'Project', param: 'project', filter: 'projects', field: 'project' },
  ENVIRONMENT: { label: 'Environment', param: 'environment', filter: 'environments', field: 'environment' },
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_KEYS = Object.keys(DIMENSIONS) as Dimension[];

export const INTERVALS = { HOUR: 'Hour', DAY: 'Day', MONTH: 'Month' } as const;
export type Interval = keyof typeof INTERVALS;

export const SORT_KEYS = ['label', 'cost', 'requests', 'inputTokens', 'outputTokens', 'unpriced'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export type Filters = Partial<Record<Dimension, string[]>>;

export interface ExplorerState {
  range: RangeChoice;
  /** One or two dimensions, never the same twice. */
  groupBy: Dimension[];
  interval: Interval;
  filters: Filters;
  utc: boolean;
  sort: { key: SortKey; desc: boolean };
}

export const DEFAULT_EXPLORER: ExplorerState = {
  range: { preset: '30d' },
  groupBy: ['MODEL'],
  interval: 'DAY',
  filters: {},
  utc: false,
  sort: { key: 'cost', desc: true },
};

function isDimension(v: string): v is Dimension {
  return v in DIMENSIONS;
}

export function parseRange(params: URLSearchParams, fallback: RangeChoice = { preset: '30d' }): RangeChoice {
  const range = params.get('range');
  if (range === 'custom') {
    const from = params.get('from');
    const to = params.get('to');
    if (isYmd(from) && isYmd(to)) return { preset: 'custom', from, to };
    return fallback;
  }
  return range && range in RANGE_PRESETS ? { preset: range as RangePreset } : fallback;
}

export function writeRange(params: URLSearchParams, range: RangeChoice): void {
  params.set('range', range.preset);
  if (range.preset === 'custom') {
    params.set('from', range.from);
    params.set('to', range.to);
  } else {
    params.delete('from');
    params.delete('to');
  }
}

/** Filters from repeated parameters: `?model=a&model=b`; an empty value selects "none set". */
export function parseFilters(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const d of DIMENSION_KEYS) {
    const values = [...new Set(params.getAll(DIMENSIONS[d].param))];
    if (values.length) filters[d] = values;
  }
  return filters;
}

export function writeFilters(params: URLSearchParams, filters: Filters): void {
  for (const d of DIMENSION_KEYS) {
    params.delete(DIMENSIONS[d].param);
    for (const v of filters[d] ?? []) params.append(DIMENSIONS[d].param, v);
  }
}

export function parseExplorer(params: URLSearchParams): ExplorerState {
  const groupBy = (params.get('by') ?? '')
    .split(',')
    .filter(isDimension)
    .filter((d, i, all) => all.indexOf(d) === i)
    .slice(0, 2);
  const interval = params.get('every');
  const [sortKey, sortDir] = (params.get('sort') ?? '').split(':');
  return {
    range: parseRange(params, DEFAULT_EXPLORER.range),
    groupBy: groupBy.length ? groupBy : DEFAULT_EXPLORER.groupBy,
    interval: interval && interval in INTERVALS ? (interval as Interval) : DEFAULT_EXPLORER.interval,
    filters: parseFilters(params),
    utc: params.get('tz') === 'utc',
    sort: (SORT_KEYS as readonly string[]).includes(sortKey ?? '')
      ? { key: sortKey as SortKey, desc: sortDir !== 'asc' }
      : DEFAULT_EXPLORER.sort,
  };
}

/** The query string of a state; defaults are left out so links stay short. */
export function serializeExplorer(state: ExplorerState): URLSearchParams {
  const params = new URLSearchParams();
  writeRange(params, state.range);
  params.set('by', state.groupBy.join(','));
  if (state.interval !== DEFAULT_EXPLORER.interval) params.set('every', state.interval);
  if (state.utc) params.set('tz', 'utc');
  const { key, desc } = state.sort;
  if (key !== DEFAULT_EXPLORER.sort.key || desc !== DEFAULT_EXPLORER.sort.desc)
    params.set('sort', `${key}:${desc ? 'desc' : 'asc'}`);
  writeFilters(params, state.filters);
  return params;
}

/** `spend`'s filter fields for the chosen values (`""` is "none set", as the API reads it). */
export function spendFilterFields(
  filters: Filters,
): Partial<Record<(typeof DIMENSIONS)[Dimension]['filter'], string[]>> {
  const out: Partial<Record<(typeof DIMENSIONS)[Dimension]['filter'], string[]>> = {};
  for (const d of DIMENSION_KEYS) {
    const values = filters[d];
    if (values?.length) out[DIMENSIONS[d].filter] = values;
  }
  return out;
}

/** The same selection as an events-page link (drill-down), for one row's dimension values. */
export function eventsLink(
  instants: { from: string; to: string },
  filters: Filters,
  row: Partial<Record<Dimension, string | null>> = {},
): string {
  const params = new URLSearchParams();
  params.set('from', instants.from);
  params.set('to', instants.to);
  const merged: Filters = { ...filters };
  for (const d of DIMENSION_KEYS) {
    const v = row[d];
    if (v !== undefined) merged[d] = [v ?? ''];
  }
  writeFilters(params, merged);
  return `/events?${params.toString()}`;
}
