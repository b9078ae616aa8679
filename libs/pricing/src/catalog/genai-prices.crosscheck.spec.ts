// Tokenledger's engine on the built-in catalog against @pydantic/genai-prices' own calcPrice, on
// generated events across its whole catalog: equal to 1e-9 USD wherever both price. Every other
// outcome must be one of the differences named below, each on purpose.
import { calcPrice, waitForUpdate, type Provider } from '@pydantic/genai-prices';
import Decimal from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPricer, type Pricer, type PricingResult } from '../pricer';
import { snapshotOf } from '../snapshot';
import { generateEvents, genaiUsage, makeEvent, randomUsage, rng } from '../testing/generate';
import { buildBuiltInCatalog } from './builtin';
import { isoWeekday, msOfDay } from '../compile';

const EVENTS = 3000;
const TOLERANCE = new Decimal('1e-9');

let providers: Provider[];
let pricer: Pricer;

beforeAll(async () => {
  providers = (await waitForUpdate())!;
  const builtin = buildBuiltInCatalog(providers, 'test');
  pricer = buildPricer(
    snapshotOf([
      {
        slug: 'genai-prices',
        versions: [
          {
            effectiveFrom: '1970-01-01T00:00:00Z',
            rates: builtin.catalog.rates,
            providers: builtin.catalog.providers,
          },
        ],
      },
    ]),
  );
});

type Theirs =
  { kind: 'priced'; total: number; model: string } | { kind: 'null' } | { kind: 'throws'; message: string };

function theirs(provider: string, model: string, usage: Record<string, number>, at: string): Theirs {
  try {
    const r = calcPrice(usage, model, { providerId: provider, timestamp: new Date(at) });
    return r ? { kind: 'priced', total: r.total_price, model: r.model.id } : { kind: 'null' };
  } catch (error) {
    return { kind: 'throws', message: (error as Error).message };
  }
}

/**
 * DeepSeek V4 (provider deepseek): genai-prices applies the peak windows before 2026-08-17 and on
 * weekends after 2026-08-23, which its own notes call a limitation of its layout (issue #582).
 * Tokenledger's curated rules do not.
 */
function deepseekWindowDiffers(provider: string, model: string, at: string): boolean {
  if (provider !== 'deepseek' || !model.startsWith('deepseek-v4')) return false;
  const ms = Date.parse(at);
  const t = msOfDay(ms) / 3_600_000;
  const inWindow = (t >= 1 && t < 4) || (t >= 6 && t < 10);
  if (!inWindow) return false;
  if (ms < Date.parse('2026-08-17T00:00:00Z')) return true;
  return ms >= Date.parse('2026-08-23T00:00:00Z') && isoWeekday(ms) >= 6;
}

interface Tally {
  compared: number;
  equal: number;
  namedDifferences: Record<string, number>;
  failures: string[];
}

function crossCheck(events: ReturnType<typeof generateEvents>): Tally {
  const tally: Tally = { compared: 0, equal: 0, namedDifferences: {}, failures: [] };
  const named = (why: string) => (tally.namedDifferences[why] = (tally.namedDifferences[why] ?? 0) + 1);
  for (const event of events) {
    const ours: PricingResult = pricer.price(event, null);
    const them = theirs(event.provider, event.model, genaiUsage(event.usage), event.occurredAt);
    const where = `${event.provider}/${event.model} at ${event.occurredAt} ${JSON.stringify(event.usage)}`;
    if (them.kind === 'priced' && ours.status === 'priced') {
      tally.compared++;
      if (ours.pricedModel !== them.model)
        tally.failures.push(`${where}: matched ${ours.pricedModel}, genai ${them.model}`);
      const diff = ours.totalUsd!.minus(them.total).abs();
      if (diff.lte(TOLERANCE)) tally.equal++;
      else if (deepseekWindowDiffers(event.provider, them.model, event.occurredAt))
        named('deepseek-v4 peak windows');
      else tally.failures.push(`${where}: ours ${ours.totalUsd!.toFixed()} vs calcPrice ${them.total}`);
    } else if (them.kind === 'throws') {
      // genai-prices refuses some price layouts outright (a 1-hour cache price without a 5-minute
      // one, audio and cache prices without their joint price): it gives no number to compare.
      named(`calcPrice throws: ${them.message.replace(/ for .*/, '').slice(0, 60)}`);
    } else if (them.kind === 'null' && ours.status === 'priced') {
      // A dated snapshot of a known model (`gpt-5.5-2026-09-01` → gpt-5.5): genai-prices only
      // knows the snapshots it lists.
      if (ours.flags.some((f) => f.startsWith('match:snapshot'))) named('dated snapshot priced by its model');
      else
        tally.failures.push(
          `${where}: ours ${ours.totalUsd!.toFixed()} (${ours.flags.join(',')}), calcPrice null`,
        );
    } else if (them.kind === 'priced' && ours.status !== 'priced') {
      // Never a silent $0: tokens of a kind the model has no price for (output tokens of an
      // embedding model) cost nothing in genai-prices; Tokenledger says it cannot price them.
      if (ours.status === 'unpriced_component') named('unpriced component instead of $0');
      else tally.failures.push(`${where}: ours ${ours.status} (${ours.reason}), calcPrice ${them.total}`);
    } else if (them.kind === 'null' && ours.status !== 'unpriced_model') {
      tally.failures.push(`${where}: ours ${ours.status} (${ours.reason}), calcPrice null`);
    }
  }
  return tally;
}

describe('cross-check against @pydantic/genai-prices calcPrice', () => {
  it(`agrees to 1e-9 USD on ${EVENTS} generated events across the whole catalog`, () => {
    const events = generateEvents(providers, EVENTS);
    const models = new Set(events.map((e) => `${e.provider}/${e.model}`));
    const tally = crossCheck(events);
    expect(tally.failures.slice(0, 10)).toEqual([]);
    expect(tally.compared).toBeGreaterThanOrEqual(1000);
    expect(tally.equal / tally.compared).toBeGreaterThan(0.99);
    // It really covers the catalog: every provider, over a thousand model names.
    expect(new Set(events.map((e) => e.provider)).size).toBe(providers.length);
    expect(models.size).toBeGreaterThan(1000);
    console.info('cross-check', { events: events.length, ...tally, failures: tally.failures.length });
  });

  it('agrees around every tier threshold of the catalog (at, one below and one above)', () => {
    const random = rng(3);
    const events = [];
    let i = 0;
    for (const p of providers)
      for (const m of p.models) {
        const prices = Array.isArray(m.prices) ? m.prices[0]!.prices : m.prices;
        const starts = new Set<number>();
        for (const v of Object.values(prices))
          if (typeof v === 'object' && v !== null) for (const t of v.tiers) starts.add(t.start);
        const name =
          'or' in m.match ? m.match.or.find((x) => 'equals' in x) : 'equals' in m.match ? m.match : null;
        if (!name || !('equals' in name)) continue;
        for (const start of starts)
          for (const input of [start - 1, start, start + 1]) {
            const usage = {
              ...randomUsage(random),
              inputTokens: input,
              cacheReadTokens: Math.floor(input / 3),
            };
            usage.cacheWriteTokens = Math.min(usage.cacheWriteTokens, Math.floor(input / 3));
            usage.cacheWrite1hTokens = 0;
            usage.inputAudioTokens = 0;
            usage.inputImageTokens = 0;
            events.push(makeEvent(i++, { provider: p.id, name: name.equals }, usage, '2026-06-01T12:00:00Z'));
          }
      }
    const tally = crossCheck(events);
    expect(tally.failures).toEqual([]);
    expect(tally.compared).toBeGreaterThan(100);
  });

  it('prices dated snapshots that genai-prices does not list, and names the difference', () => {
    const event = makeEvent(
      0,
      { provider: 'openai', name: 'gpt-5.5-2026-09-01' },
      randomUsage(rng(1)),
      '2026-10-01T00:00:00Z',
    );
    expect(theirs('openai', event.model, genaiUsage(event.usage), event.occurredAt)).toEqual({
      kind: 'null',
    });
    const ours = pricer.price(event, null);
    expect(ours.status).toBe('priced');
    expect(ours.pricedModel).toBe('gpt-5.5');
    expect(ours.flags).toContain('match:snapshot(gpt-5.5)');
  });

  it('differs on purpose for DeepSeek V4 in peak hours before 2026-08-17 and on weekends after 2026-08-23', () => {
    const usage = { ...randomUsage(rng(2)), inputTokens: 1_000_000, outputTokens: 1_000_000 };
    for (const k of [
      'cacheReadTokens',
      'cacheWriteTokens',
      'cacheWrite1hTokens',
      'inputAudioTokens',
      'inputImageTokens',
    ] as const)
      usage[k] = 0;
    usage.reasoningTokens = 0;
    usage.outputAudioTokens = 0;
    const both = (at: string) => {
      const e = makeEvent(0, { provider: 'deepseek', name: 'deepseek-v4-pro' }, usage, at);
      const them = theirs('deepseek', e.model, genaiUsage(e.usage), at);
      return {
        ours: pricer.price(e, null).totalUsd!.toFixed(),
        theirs: them.kind === 'priced' ? them.total : null,
      };
    };
    // genai-prices: the peak price (1.32 + 3.96) before peak pricing existed; Tokenledger: the launch price.
    expect(both('2026-05-05T02:00:00Z')).toEqual({ ours: '1.305', theirs: 5.28 });
    // A Saturday after 2026-08-23: off-peak all day (0.66 + 1.98) in Tokenledger.
    expect(both('2026-08-29T02:00:00Z')).toEqual({ ours: '2.64', theirs: 5.28 });
    // Everywhere else they agree.
    expect(both('2026-08-31T02:00:00Z')).toEqual({ ours: '5.28', theirs: 5.28 });
    expect(both('2026-08-29T12:00:00Z')).toEqual({ ours: '2.64', theirs: 2.64 });
    expect(both('2026-05-05T12:00:00Z')).toEqual({ ours: '1.305', theirs: 1.305 });
  });
});
