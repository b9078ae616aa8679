import { hash } from 'node:crypto';
import { validateUsageEvent, type UsageEvent } from '@tokenledger/contracts';
import { describe, expect, it } from 'vitest';
import { contentHash } from './priced-event';

const event = (tags: Record<string, string>): UsageEvent => {
  const result = validateUsageEvent(
    {
      eventId: 'e1',
      occurredAt: '2026-06-01T12:00:00Z',
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 10, outputTokens: 2 },
      tags,
    },
    new Date('2026-06-02T00:00:00Z'),
  );
  if (!result.ok) throw new Error('invalid');
  return result.event;
};

/** The definition: SHA-256 of the event as JSON, its tags sorted by key. */
const reference = (e: UsageEvent) =>
  hash(
    'sha256',
    JSON.stringify({
      ...e,
      tags: Object.fromEntries(Object.entries(e.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    }),
    'base64url',
  );

describe('contentHash', () => {
  const tagSets: Record<string, string>[] = [
    {},
    { team: 'search' },
    { a: '1', b: '2' },
    { b: '2', a: '1' },
    { '10': 'x', '9': 'y', '-x': 'z', A: 'w' },
    { zeta: '1', alpha: '2', ü: '3', Beta: '4' },
  ];

  it('is SHA-256 of the event with its tags in key order, whatever order they came in', () => {
    for (const tags of tagSets)
      expect(contentHash(event(tags)), JSON.stringify(tags)).toBe(reference(event(tags)));
    expect(contentHash(event({ a: '1', b: '2' }))).toBe(contentHash(event({ b: '2', a: '1' })));
  });

  it('changes with any field', () => {
    const base = event({ a: '1' });
    expect(contentHash({ ...base, model: 'gpt-5.4' })).not.toBe(contentHash(base));
    expect(contentHash({ ...base, tags: { a: '2' } })).not.toBe(contentHash(base));
    expect(contentHash({ ...base, usage: { ...base.usage, outputTokens: 3 } })).not.toBe(contentHash(base));
  });
});
