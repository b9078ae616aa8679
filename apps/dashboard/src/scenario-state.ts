import { addDays, resolveRange, type Instants, type RangeChoice } from './time-range';
import { parseRange, writeRange } from './url-state';

/**
 * A what-if scenario as the Savings page keeps it in the URL, and its mapping to GraphQL's
 * `ScenarioInput` (docs/SIMULATION.md). Parsing never throws: a part it cannot read is dropped.
 *
 * A move is one `move` parameter, `from>to` then `;key:value` options:
 *   `openai/gpt-5.5>deepseek/deepseek-v4-pro;share:0.5;max:8000;out:cal;in:1.1;cache:0.3;tier:BATCH`
 * `from` is `provider/model`, `*` then `/model` (that model from any provider), or `*` alone (every
 * model); `to` is `provider/model`.
 * The model part may itself hold slashes: the provider ends at the first one.
 */

export const TIERS = ['STANDARD', 'BATCH', 'FLEX', 'PRIORITY'] as const;
export type Tier = (typeof TIERS)[number];

/** Prompt sizes routing can cut at: the traffic mix keeps exact buckets at these. */
export const ROUTING_SIZES = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000] as const;

export type Efficiency = { mode: 'CALIBRATED' } | { mode: 'FIXED'; value: number };
export type Cache = { mode: 'KEEP' } | { mode: 'NONE' } | { mode: 'SHARE'; share: number };

export interface Move {
  /** null: every model. */
  fromProvider: string | null;
  fromModel: string | null;
  toProvider: string;
  toModel: string;
  /** (0, 1]; 1 moves every eligible request. */
  share: number;
  /** Only prompts of at most this many tokens move; null: any size. */
  maxPromptTokens: number | null;
  tier: Tier | null;
  input: Efficiency;
  output: Efficiency;
  cache: Cache;
  capabilities: string[];
}

export type PriceBasis = 'EVENT_TIME' | 'TODAY';

export interface ScenarioState {
  range: RangeChoice;
  prices: PriceBasis;
  benchmark: string;
  /** Traffic the scenario looks at (none: all of it). */
  features: string[];
  projects: string[];
  moves: Move[];
  /** Recommendations: benchmark points a target may lose. */
  tolerance: number;
  /** The saved scenario this view was opened from, if any. */
  saved: string | null;
}

export const DEFAULT_BENCHMARK = 'swe-bench-pro';

export const DEFAULT_SCENARIO: ScenarioState = {
  range: { preset: '30d' },
  prices: 'EVENT_TIME',
  benchmark: DEFAULT_BENCHMARK,
  features: [],
  projects: [],
  moves: [],
  tolerance: 2,
  saved: null,
};

export function newMove(partial: Partial<Move> = {}): Move {
  return {
    fromProvider: null,
    fromModel: null,
    toProvider: '',
    toModel: '',
    share: 1,
    maxPromptTokens: null,
    tier: null,
    input: { mode: 'FIXED', value: 1 },
    output: { mode: 'FIXED', value: 1 },
    cache: { mode: 'KEEP' },
    capabilities: [],
    ...partial,
  };
}

/** "openai/gpt-5.5" → ["openai", "gpt-5.5"]; the provider ends at the first slash. */
export function splitModel(ref: string): [string, string] | null {
  const i = ref.indexOf('/');
  if (i <= 0 || i === ref.length - 1) return null;
  return [ref.slice(0, i), ref.slice(i + 1)];
}

function finite(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function parseEfficiency(v: string | undefined): Efficiency | null {
  if (v === 'cal') return { mode: 'CALIBRATED' };
  const n = finite(v);
  return n !== null && n > 0 ? { mode: 'FIXED', value: n } : null;
}

function writeEfficiency(e: Efficiency): string | null {
  if (e.mode === 'CALIBRATED') return 'cal';
  return e.value === 1 ? null : String(e.value);
}

export function parseMove(text: string): Move | null {
  const [head = '', ...options] = text.split(';');
  const arrow = head.indexOf('>');
  if (arrow < 0) return null;
  const from = head.slice(0, arrow);
  const target = head.slice(arrow + 1);
  // An empty target is a move being written (kept so the row stays); a target must be provider/model.
  const to: [string, string] | null = target === '' ? ['', ''] : splitModel(target);
  if (!to) return null;
  const move = newMove({ toProvider: to[0], toModel: to[1] });
  if (from !== '*' && from !== '') {
    const parts = splitModel(from);
    if (!parts) return null;
    move.fromProvider = parts[0] === '*' ? null : parts[0];
    move.fromModel = parts[1];
  }
  for (const option of options) {
    const colon = option.indexOf(':');
    if (colon < 0) continue;
    const key = option.slice(0, colon);
    const value = option.slice(colon + 1);
    switch (key) {
      case 'share': {
        const n = finite(value);
        if (n !== null && n > 0 && n <= 1) move.share = n;
        break;
      }
      case 'max': {
        const n = finite(value);
        if (n !== null && Number.isInteger(n) && n > 0) move.maxPromptTokens = n;
        break;
      }
      case 'tier':
        if ((TIERS as readonly string[]).includes(value)) move.tier = value as Tier;
        break;
      case 'in':
        move.input = parseEfficiency(value) ?? move.input;
        break;
      case 'out':
        move.output = parseEfficiency(value) ?? move.output;
        break;
      case 'cache': {
        if (value === 'none') move.cache = { mode: 'NONE' };
        else if (value === 'keep') move.cache = { mode: 'KEEP' };
        else {
          const n = finite(value);
          if (n !== null && n >= 0 && n <= 1) move.cache = { mode: 'SHARE', share: n };
        }
        break;
      }
      case 'cap':
        move.capabilities = value.split(',').filter(Boolean);
        break;
    }
  }
  return move;
}

export function writeMove(m: Move): string {
  const from = m.fromModel === null ? '*' : `${m.fromProvider ?? '*'}/${m.fromModel}`;
  const parts = [`${from}>${isComplete(m) ? `${m.toProvider}/${m.toModel}` : ''}`];
  if (m.share !== 1) parts.push(`share:${m.share}`);
  if (m.maxPromptTokens !== null) parts.push(`max:${m.maxPromptTokens}`);
  if (m.tier) parts.push(`tier:${m.tier}`);
  const input = writeEfficiency(m.input);
  if (input) parts.push(`in:${input}`);
  const output = writeEfficiency(m.output);
  if (output) parts.push(`out:${output}`);
  if (m.cache.mode === 'NONE') parts.push('cache:none');
  if (m.cache.mode === 'SHARE') parts.push(`cache:${m.cache.share}`);
  if (m.capabilities.length) parts.push(`cap:${m.capabilities.join(',')}`);
  return parts.join(';');
}

export function parseScenario(params: URLSearchParams): ScenarioState {
  const tolerance = finite(params.get('tol') ?? undefined);
  return {
    range: parseRange(params, DEFAULT_SCENARIO.range),
    prices: params.get('prices') === 'TODAY' ? 'TODAY' : 'EVENT_TIME',
    benchmark: params.get('bench') || DEFAULT_BENCHMARK,
    features: [...new Set(params.getAll('feature'))],
    projects: [...new Set(params.getAll('project'))],
    moves: params
      .getAll('move')
      .map(parseMove)
      .filter((m): m is Move => m !== null),
    tolerance: tolerance !== null && tolerance >= 0 ? tolerance : DEFAULT_SCENARIO.tolerance,
    saved: params.get('saved') || null,
  };
}

/** The query string of a scenario; defaults are left out so links stay short. */
export function serializeScenario(state: ScenarioState): URLSearchParams {
  const params = new URLSearchParams();
  writeRange(params, state.range);
  if (state.prices !== 'EVENT_TIME') params.set('prices', state.prices);
  if (state.benchmark !== DEFAULT_BENCHMARK) params.set('bench', state.benchmark);
  if (state.tolerance !== DEFAULT_SCENARIO.tolerance) params.set('tol', String(state.tolerance));
  for (const f of state.features) params.append('feature', f);
  for (const p of state.projects) params.append('project', p);
  for (const m of state.moves) params.append('move', writeMove(m));
  if (state.saved) params.set('saved', state.saved);
  return params;
}

/** Whether a move names its target: an unfinished row is left out of what is simulated. */
export function isComplete(m: Move): boolean {
  return m.toProvider !== '' && m.toModel !== '';
}

/** The simulation counts whole UTC days, so the page resolves its range in UTC. */
export function scenarioInstants(range: RangeChoice, now: Date): Instants {
  return resolveRange(range, now, 'UTC');
}

export interface MoveInput {
  fromProvider?: string;
  fromModel?: string;
  toProvider: string;
  toModel: string;
  share?: number;
  maxPromptTokens?: number;
  serviceTier?: Tier;
  inputEfficiency?: { mode: 'FIXED' | 'CALIBRATED'; value?: number };
  outputEfficiency?: { mode: 'FIXED' | 'CALIBRATED'; value?: number };
  cache?: { mode: 'KEEP' | 'NONE' | 'SHARE'; share?: number };
  requiredCapabilities?: string[];
}

export interface ScenarioInputShape {
  filter: { from: string; to: string; features?: string[]; projects?: string[] };
  moves: MoveInput[];
  prices: PriceBasis;
  benchmark: string;
}

function efficiencyInput(e: Efficiency): MoveInput['inputEfficiency'] {
  return e.mode === 'CALIBRATED' ? { mode: 'CALIBRATED' } : { mode: 'FIXED', value: e.value };
}

/** GraphQL's ScenarioInput for a state: only complete moves; defaults left to the API. */
export function toScenarioInput(state: ScenarioState, now: Date): ScenarioInputShape {
  const range = scenarioInstants(state.range, now);
  return {
    filter: {
      ...range,
      ...(state.features.length ? { features: state.features } : {}),
      ...(state.projects.length ? { projects: state.projects } : {}),
    },
    moves: state.moves.filter(isComplete).map((m) => {
      const input: MoveInput = { toProvider: m.toProvider, toModel: m.toModel };
      if (m.fromModel !== null) {
        input.fromModel = m.fromModel;
        if (m.fromProvider) input.fromProvider = m.fromProvider;
      }
      if (m.share !== 1) input.share = m.share;
      if (m.maxPromptTokens !== null) input.maxPromptTokens = m.maxPromptTokens;
      if (m.tier) input.serviceTier = m.tier;
      if (!(m.input.mode === 'FIXED' && m.input.value === 1))
        input.inputEfficiency = efficiencyInput(m.input);
      if (!(m.output.mode === 'FIXED' && m.output.value === 1))
        input.outputEfficiency = efficiencyInput(m.output);
      if (m.cache.mode !== 'KEEP') input.cache = m.cache;
      if (m.capabilities.length) input.requiredCapabilities = m.capabilities;
      return input;
    }),
    prices: state.prices,
    benchmark: state.benchmark,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function efficiencyOf(v: unknown): Efficiency {
  if (isObject(v) && v.mode === 'CALIBRATED') return { mode: 'CALIBRATED' };
  if (isObject(v) && typeof v.value === 'number' && v.value > 0) return { mode: 'FIXED', value: v.value };
  return { mode: 'FIXED', value: 1 };
}

/**
 * A saved scenario's definition (the ScenarioInput as JSON, with instants) back into page state:
 * its instants become the UTC calendar days they cover.
 */
export function fromDefinition(definition: unknown, savedId: string | null = null): ScenarioState {
  const d = isObject(definition) ? definition : {};
  const filter = isObject(d.filter) ? d.filter : {};
  const from = typeof filter.from === 'string' ? filter.from : '';
  const to = typeof filter.to === 'string' ? filter.to : '';
  const range: RangeChoice =
    from && to
      ? {
          preset: 'custom',
          from: from.slice(0, 10),
          // `to` is exclusive: the last day is the one before (or the day it starts within).
          to: to.slice(11, 19) === '00:00:00' ? addDays(to.slice(0, 10), -1) : to.slice(0, 10),
        }
      : DEFAULT_SCENARIO.range;
  const moves = (Array.isArray(d.moves) ? d.moves : []).filter(isObject).flatMap((m): Move[] => {
    if (typeof m.toProvider !== 'string' || typeof m.toModel !== 'string') return [];
    const cache: Cache =
      isObject(m.cache) && m.cache.mode === 'NONE'
        ? { mode: 'NONE' }
        : isObject(m.cache) && m.cache.mode === 'SHARE' && typeof m.cache.share === 'number'
          ? { mode: 'SHARE', share: m.cache.share }
          : { mode: 'KEEP' };
    return [
      newMove({
        fromProvider: typeof m.fromProvider === 'string' ? m.fromProvider : null,
        fromModel: typeof m.fromModel === 'string' ? m.fromModel : null,
        toProvider: m.toProvider,
        toModel: m.toModel,
        share: typeof m.share === 'number' && m.share > 0 && m.share <= 1 ? m.share : 1,
        maxPromptTokens: typeof m.maxPromptTokens === 'number' ? m.maxPromptTokens : null,
        tier: (TIERS as readonly unknown[]).includes(m.serviceTier) ? (m.serviceTier as Tier) : null,
        input: efficiencyOf(m.inputEfficiency),
        output: efficiencyOf(m.outputEfficiency),
        cache,
        capabilities: strings(m.requiredCapabilities),
      }),
    ];
  });
  return {
    ...DEFAULT_SCENARIO,
    range,
    prices: d.prices === 'TODAY' ? 'TODAY' : 'EVENT_TIME',
    benchmark: typeof d.benchmark === 'string' && d.benchmark ? d.benchmark : DEFAULT_BENCHMARK,
    features: strings(filter.features),
    projects: strings(filter.projects),
    moves,
    saved: savedId,
  };
}

/** A recommendation opened as a scenario: its feature's traffic, its one move, the rest kept. */
export function fromRecommendation(
  state: ScenarioState,
  rec: {
    feature: string;
    sourceProvider: string;
    sourceModel: string;
    targetProvider: string;
    targetModel: string;
  },
): ScenarioState {
  return {
    ...state,
    features: [rec.feature],
    moves: [
      newMove({
        fromProvider: rec.sourceProvider,
        fromModel: rec.sourceModel,
        toProvider: rec.targetProvider,
        toModel: rec.targetModel,
      }),
    ],
    saved: null,
  };
}
