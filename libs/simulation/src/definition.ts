import type { FieldError } from '@tokenledger/contracts';
import {
  DEFAULT_BENCHMARK,
  type CachePolicy,
  type Efficiency,
  type Move,
  type Scenario,
  type ServiceTierName,
} from './scenario';

/**
 * A scenario as clients write it and as it is saved (JSON: times as ISO strings, enums in capitals,
 * the GraphQL `ScenarioInput`'s shape).
 */
export interface ScenarioDefinition {
  filter: {
    from: string;
    to: string;
    projects?: string[] | null;
    providers?: string[] | null;
    models?: string[] | null;
    features?: string[] | null;
    customers?: string[] | null;
    environments?: string[] | null;
  };
  moves: MoveDefinition[];
  prices?: 'EVENT_TIME' | 'TODAY' | null;
  benchmark?: string | null;
  featureBenchmarks?: { feature: string; benchmark: string }[] | null;
}

export interface MoveDefinition {
  fromProvider?: string | null;
  fromModel?: string | null;
  toProvider: string;
  toModel: string;
  maxPromptTokens?: number | null;
  share?: number | null;
  serviceTier?: 'STANDARD' | 'BATCH' | 'FLEX' | 'PRIORITY' | null;
  inputEfficiency?: EfficiencyDefinition | null;
  outputEfficiency?: EfficiencyDefinition | null;
  cache?: { mode: 'KEEP' | 'NONE' | 'SHARE'; share?: number | null } | null;
  requiredCapabilities?: string[] | null;
}

export interface EfficiencyDefinition {
  mode: 'FIXED' | 'CALIBRATED';
  value?: number | null;
}

function efficiency(
  e: EfficiencyDefinition | null | undefined,
  path: string,
  errors: FieldError[],
): Efficiency | undefined {
  if (!e) return undefined;
  if (e.mode === 'CALIBRATED') return { mode: 'calibrated' };
  if (e.value === null || e.value === undefined) {
    errors.push({ path: `${path}.value`, message: 'is required when mode is FIXED' });
    return undefined;
  }
  return { mode: 'fixed', value: e.value };
}

function cache(c: MoveDefinition['cache'], path: string, errors: FieldError[]): CachePolicy | undefined {
  if (!c) return undefined;
  if (c.mode === 'KEEP') return { mode: 'keep' };
  if (c.mode === 'NONE') return { mode: 'none' };
  if (c.share === null || c.share === undefined) {
    errors.push({ path: `${path}.share`, message: 'is required when mode is SHARE' });
    return undefined;
  }
  return { mode: 'share', share: c.share };
}

/** The library's scenario from its definition, or the errors of the definition's shape (by field). */
export function scenarioFromDefinition(
  d: ScenarioDefinition,
  prefix = 'scenario',
): { ok: true; scenario: Scenario } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const moves: Move[] = (d.moves ?? []).map((m, i) => {
    const at = `${prefix}.moves[${i}]`;
    return {
      source: m.fromModel ? { provider: m.fromProvider ?? null, model: m.fromModel } : null,
      target: { provider: m.toProvider, model: m.toModel },
      maxPromptTokens: m.maxPromptTokens ?? null,
      share: m.share ?? null,
      serviceTier: m.serviceTier ? (m.serviceTier.toLowerCase() as ServiceTierName) : null,
      inputEfficiency: efficiency(m.inputEfficiency, `${at}.inputEfficiency`, errors),
      outputEfficiency: efficiency(m.outputEfficiency, `${at}.outputEfficiency`, errors),
      cache: cache(m.cache, `${at}.cache`, errors),
      requiredCapabilities: m.requiredCapabilities ?? [],
    };
  });
  if (errors.length > 0) return { ok: false, errors };
  const featureBenchmarks: Record<string, string> = {};
  for (const fb of d.featureBenchmarks ?? []) featureBenchmarks[fb.feature] = fb.benchmark;
  return {
    ok: true,
    scenario: {
      filter: {
        ...d.filter,
        from: new Date(d.filter.from),
        to: new Date(d.filter.to),
      },
      moves,
      prices: d.prices === 'TODAY' ? 'today' : 'event-time',
      benchmark: d.benchmark || DEFAULT_BENCHMARK,
      featureBenchmarks,
    },
  };
}
