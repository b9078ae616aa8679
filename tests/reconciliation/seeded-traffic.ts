import type { UsageEvent } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import { usageEvent } from '../support/events';

/**
 * One month of seeded traffic and the provider reports built from the same traffic, with known
 * deliberate differences: a day × model × project missing on Tokenledger's side, one price changed
 * on the provider's side, and a credit.
 */
export const MONTH = '2026-10';
const DAYS = 31;
const TRAFFIC_DAYS = 28; // the last three days are empty buckets

interface ModelSpec {
  provider: 'openai' | 'anthropic';
  model: string;
  /** USD per token */
  input: string;
  output: string;
}

export const MODELS: ModelSpec[] = [
  { provider: 'openai', model: 'gpt-5.5', input: '0.00000125', output: '0.00001' },
  { provider: 'openai', model: 'gpt-5-mini', input: '0.00000025', output: '0.000002' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', input: '0.000003', output: '0.000015' },
];

export interface Cell {
  day: number;
  provider: 'openai' | 'anthropic';
  model: string;
  /** 'web' | 'batch' (the Tokenledger project role) */
  project: 'web' | 'batch';
  events: { event: UsageEvent; cost: Decimal }[];
  input: number;
  cache: number;
  output: number;
  cost: Decimal;
}

export interface Deliberate {
  missing: { day: number; model: string; project: 'web' | 'batch' };
  price: { day: number; model: string; project: 'web' | 'batch'; factor: string };
  credit: { day: number; usd: string };
}

export const DELIBERATE: Record<'openai' | 'anthropic', Deliberate> = {
  openai: {
    missing: { day: 7, model: 'gpt-5.5', project: 'web' },
    price: { day: 12, model: 'gpt-5-mini', project: 'batch', factor: '1.1' },
    credit: { day: 20, usd: '-25' },
  },
  anthropic: {
    missing: { day: 9, model: 'claude-sonnet-4-5', project: 'batch' },
    price: { day: 15, model: 'claude-sonnet-4-5', project: 'web', factor: '0.9' },
    credit: { day: 22, usd: '-15' },
  },
};

const dayString = (d: number) => `${MONTH}-${String(d).padStart(2, '0')}`;
export { dayString };

/** Every cell of the month (both providers), each with its events and their cost at our prices. */
export function seededCells(): Cell[] {
  const cells: Cell[] = [];
  for (let day = 1; day <= TRAFFIC_DAYS; day++)
    for (const m of MODELS)
      for (const project of ['web', 'batch'] as const) {
        const events = [0, 1].map((i) => {
          const input = 1_000_000 + day * 1000 + i * 7 + (project === 'batch' ? 3 : 0);
          const cache = 100_000 + i;
          const output = 50_000 + day * 100 + i;
          const event = usageEvent(
            {
              occurredAt: `${dayString(day)}T${String(8 + i * 5).padStart(2, '0')}:15:00Z`,
              provider: m.provider,
              model: m.model,
            },
            { inputTokens: input, outputTokens: output, cacheReadTokens: cache },
          );
          const cost = new Decimal(input).times(m.input).plus(new Decimal(output).times(m.output));
          return { event, cost };
        });
        cells.push({
          day,
          provider: m.provider,
          model: m.model,
          project,
          events,
          input: events.reduce((s, e) => s + e.event.usage.inputTokens, 0),
          cache: events.reduce((s, e) => s + (e.event.usage.cacheReadTokens ?? 0), 0),
          output: events.reduce((s, e) => s + e.event.usage.outputTokens, 0),
          cost: events.reduce((s, e) => s.plus(e.cost), new Decimal(0)),
        });
      }
  return cells;
}

/** Whether Tokenledger ingests this cell (the deliberately missing one it never received). */
export function weReceived(c: Cell): boolean {
  const m = DELIBERATE[c.provider].missing;
  return !(c.day === m.day && c.model === m.model && c.project === m.project);
}

/** What the provider charged for a cell. */
export function providerCost(c: Cell): Decimal {
  const p = DELIBERATE[c.provider].price;
  return c.day === p.day && c.model === p.model && c.project === p.project ? c.cost.times(p.factor) : c.cost;
}

export const EXTERNAL = {
  openai: { web: 'proj_web', batch: 'proj_batch' },
  anthropic: { web: 'wrkspc_web', batch: null },
} as const;

/** OpenAI's daily usage and cost buckets of the month, from the seeded cells. */
export function openAiBuckets(cells: Cell[]) {
  const usage = [];
  const costs = [];
  const t0 = Date.UTC(2026, 9, 1) / 1000;
  for (let day = 1; day <= DAYS; day++) {
    const start_time = t0 + (day - 1) * 86_400;
    const end_time = start_time + 86_400;
    const today = cells.filter((c) => c.provider === 'openai' && c.day === day);
    usage.push({
      object: 'bucket',
      start_time,
      end_time,
      results: today.map((c) => ({
        object: 'organization.usage.completions.result',
        input_tokens: c.input,
        output_tokens: c.output,
        input_cached_tokens: c.cache,
        input_audio_tokens: 0,
        output_audio_tokens: 0,
        num_model_requests: c.events.length,
        project_id: EXTERNAL.openai[c.project],
        user_id: null,
        api_key_id: null,
        model: c.model,
        batch: false,
        service_tier: null,
      })),
    });
    const results: unknown[] = today.map((c) => ({
      object: 'organization.costs.result',
      amount: { value: Number(providerCost(c).toFixed()), currency: 'usd' },
      line_item: `${c.model}, input`,
      project_id: EXTERNAL.openai[c.project],
    }));
    if (day === DELIBERATE.openai.credit.day)
      results.push({
        object: 'organization.costs.result',
        amount: { value: Number(DELIBERATE.openai.credit.usd), currency: 'usd' },
        line_item: 'Credit grant',
        project_id: 'proj_web',
      });
    costs.push({ object: 'bucket', start_time, end_time, results });
  }
  return { usage, costs };
}

/** Anthropic's daily usage and cost buckets of the month (amounts in cents, as strings). */
export function anthropicBuckets(cells: Cell[]) {
  const usage = [];
  const costs = [];
  for (let day = 1; day <= DAYS; day++) {
    const starting_at = `${dayString(day)}T00:00:00Z`;
    const ending_at = new Date(Date.parse(starting_at) + 86_400_000).toISOString().replace('.000', '');
    const today = cells.filter((c) => c.provider === 'anthropic' && c.day === day);
    usage.push({
      starting_at,
      ending_at,
      results: today.map((c) => ({
        uncached_input_tokens: c.input - c.cache,
        cache_read_input_tokens: c.cache,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: c.output,
        server_tool_use: { web_search_requests: 0 },
        api_key_id: null,
        workspace_id: EXTERNAL.anthropic[c.project],
        model: c.model,
        service_tier: 'standard',
        context_window: '0-200k',
      })),
    });
    const results: unknown[] = today.map((c) => ({
      currency: 'USD',
      amount: providerCost(c).times(100).toFixed(),
      workspace_id: EXTERNAL.anthropic[c.project],
      description: 'Claude Sonnet 4.5 Usage',
      cost_type: 'tokens',
      context_window: '0-200k',
      model: c.model,
      service_tier: 'standard',
      token_type: 'uncached_input_tokens',
    }));
    if (day === DELIBERATE.anthropic.credit.day)
      results.push({
        currency: 'USD',
        amount: new Decimal(DELIBERATE.anthropic.credit.usd).times(100).toFixed(),
        workspace_id: 'wrkspc_web',
        description: 'Promotional credit',
        cost_type: null,
        context_window: null,
        model: null,
        service_tier: null,
        token_type: null,
      });
    costs.push({ starting_at, ending_at, results });
  }
  return { usage, costs };
}
