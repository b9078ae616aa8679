import Decimal from 'decimal.js';
import { validateUsageEvent, type UsageEvent } from '@tokenledger/contracts';
import { describe, expect, it } from 'vitest';
import type { EventPricing } from './priced-event';
import { tagRollupCells } from './tag-rollup.sql';

let n = 0;
const event = (tags: Record<string, string>, occurredAt = '2026-06-01T12:34:00Z'): UsageEvent => {
  const r = validateUsageEvent(
    {
      eventId: `e-${++n}`,
      occurredAt,
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 100, outputTokens: 10 },
      tags,
    },
    new Date('2030-01-01T00:00:00Z'),
  );
  if (!r.ok) throw new Error('bad event');
  return r.event;
};
const priced = (usd: string): EventPricing => ({
  status: 'priced',
  reason: null,
  totalUsd: new Decimal(usd),
  breakdown: null,
  rateVersionId: null,
  pricedModel: 'gpt-5.5',
  flags: [],
});

describe('tagRollupCells', () => {
  it('adds an event to one cell per tag, by hour, sorted by key', () => {
    const cells = tagRollupCells([
      { event: event({ team: 'core', tier: 'paid' }), pricing: priced('1.5') },
      { event: event({ team: 'core' }, '2026-06-01T12:59:00Z'), pricing: priced('0.5') },
      { event: event({}), pricing: priced('9') },
    ]);
    expect(
      cells.map((c) => [c.hour, c.tagKey, c.tagValue, c.delta.requests, c.delta.costUsd.toFixed()]),
    ).toEqual([
      ['2026-06-01T12:00:00.000Z', 'team', 'core', 2, '2'],
      ['2026-06-01T12:00:00.000Z', 'tier', 'paid', 1, '1.5'],
    ]);
    expect(cells[0]!.delta.inputTokens).toBe(200);
  });

  it('moves a re-priced event by the difference only', () => {
    const e = event({ team: 'core' });
    const [cell] = tagRollupCells([
      { event: e, pricing: priced('1.5'), sign: -1 },
      { event: e, pricing: priced('2'), sign: 1 },
    ]);
    expect(cell!.delta.requests).toBe(0);
    expect(cell!.delta.inputTokens).toBe(0);
    expect(cell!.delta.costUsd.toFixed()).toBe('0.5');
  });
});
