import type { FieldError } from '@tokenledger/contracts';

/** Which traffic a scenario looks at: what `spend` takes. Days count when they start in [from, to) (UTC). */
export interface TrafficFilter {
  from: Date;
  to: Date;
  projects?: readonly string[] | null;
  providers?: readonly string[] | null;
  models?: readonly string[] | null;
  features?: readonly string[] | null;
  customers?: readonly string[] | null;
  environments?: readonly string[] | null;
}

/** Token efficiency of the target: its tokens per request ÷ the source's. */
export type Efficiency = { mode: 'fixed'; value: number } | { mode: 'calibrated' };

export type CachePolicy = { mode: 'keep' } | { mode: 'none' } | { mode: 'share'; share: number };

export const SERVICE_TIER_NAMES = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTierName = (typeof SERVICE_TIER_NAMES)[number];

export interface ModelRef {
  provider: string;
  model: string;
}

/** Traffic of `source` (every model the filter selects when null) moves to `target`. */
export interface Move {
  source: { provider?: string | null; model: string } | null;
  target: ModelRef;
  /** Only requests whose prompt is at most this many tokens (routing by prompt size). */
  maxPromptTokens?: number | null;
  /** Only this share (0–1] of the requests. */
  share?: number | null;
  /** The service tier on the target; null keeps each request's own. */
  serviceTier?: ServiceTierName | null;
  inputEfficiency?: Efficiency;
  outputEfficiency?: Efficiency;
  cache?: CachePolicy;
  /** Capabilities the moved traffic needs (`tools`, `computer-use`): a target without them takes none of it. */
  requiredCapabilities?: readonly string[];
}

export type PriceBasis = 'event-time' | 'today';

export interface Scenario {
  filter: TrafficFilter;
  moves: readonly Move[];
  prices: PriceBasis;
  /** The benchmark quality is judged on (a catalog benchmark id such as `swe-bench-pro`). */
  benchmark: string;
  /** Per feature, the benchmark that matters to it (overrides `benchmark`). */
  featureBenchmarks?: Readonly<Record<string, string>>;
}

export const DEFAULT_BENCHMARK = 'swe-bench-pro';

/** Checks a scenario's shape and values; `knownModel` says whether the catalog has a model. Errors name the field. */
export function scenarioErrors(
  s: Scenario,
  knownModel: (ref: { provider?: string | null; model: string }) => boolean,
  prefix = 'scenario',
): FieldError[] {
  const errors: FieldError[] = [];
  const err = (path: string, message: string) => errors.push({ path: `${prefix}.${path}`, message });
  errors.push(...filterErrors(s.filter, `${prefix}.filter`));
  if (s.moves.length === 0) err('moves', 'must name at least one move');
  if (s.moves.length > 20) err('moves', 'at most 20 moves');
  s.moves.forEach((m, i) => {
    const at = `moves[${i}]`;
    if (!m.target.model) err(`${at}.target.model`, 'is required');
    else if (!knownModel(m.target))
      err(`${at}.target`, `unknown model "${m.target.provider}/${m.target.model}" (not in the catalog)`);
    if (m.source && !m.source.model) err(`${at}.source.model`, 'is required');
    if (
      m.maxPromptTokens !== undefined &&
      m.maxPromptTokens !== null &&
      !(Number.isInteger(m.maxPromptTokens) && m.maxPromptTokens > 0)
    )
      err(`${at}.maxPromptTokens`, 'must be a positive whole number of tokens');
    if (m.share !== undefined && m.share !== null && !(m.share > 0 && m.share <= 1))
      err(`${at}.share`, 'must be above 0 and at most 1');
    for (const [name, e] of [
      ['inputEfficiency', m.inputEfficiency],
      ['outputEfficiency', m.outputEfficiency],
    ] as const)
      if (e?.mode === 'fixed' && !(Number.isFinite(e.value) && e.value > 0 && e.value <= 100))
        err(`${at}.${name}`, 'must be a positive ratio (at most 100)');
    if (m.cache?.mode === 'share' && !(m.cache.share >= 0 && m.cache.share <= 1))
      err(`${at}.cache.share`, 'must be between 0 and 1');
  });
  if (!s.benchmark) err('benchmark', 'is required');
  return errors;
}

const MAX_RANGE_DAYS = 400;

export function filterErrors(f: TrafficFilter, prefix = 'filter'): FieldError[] {
  const errors: FieldError[] = [];
  const from = f.from.getTime();
  const to = f.to.getTime();
  if (Number.isNaN(from)) errors.push({ path: `${prefix}.from`, message: 'is not a valid time' });
  if (Number.isNaN(to)) errors.push({ path: `${prefix}.to`, message: 'is not a valid time' });
  if (errors.length > 0) return errors;
  if (from > to) errors.push({ path: `${prefix}.from`, message: 'must not be after filter.to' });
  else if (from === to) errors.push({ path: `${prefix}.to`, message: 'the range is empty (from equals to)' });
  else if (to - from > MAX_RANGE_DAYS * 86_400_000)
    errors.push({ path: `${prefix}.to`, message: `the range may cover at most ${MAX_RANGE_DAYS} days` });
  return errors;
}

/** Whole UTC days from `from` (inclusive) to `to` (exclusive): a day counts when it starts in the range. */
export function daysOf(filter: TrafficFilter): { first: string; last: string; count: number } {
  const dayMs = 86_400_000;
  const firstMs = Math.ceil(filter.from.getTime() / dayMs) * dayMs;
  const endMs = Math.ceil(filter.to.getTime() / dayMs) * dayMs;
  const count = Math.max(0, Math.round((endMs - firstMs) / dayMs));
  return {
    first: new Date(firstMs).toISOString().slice(0, 10),
    last: new Date(endMs - dayMs).toISOString().slice(0, 10),
    count,
  };
}
