import { describe, expect, it } from 'vitest';
import { eventIdTime, newEventId } from './event-id.js';

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('newEventId', () => {
  it('makes 26-character Crockford base32 ULIDs that carry their time', () => {
    const at = Date.parse('2026-06-01T12:00:00.123Z');
    const id = newEventId(at);
    expect(id).toMatch(CROCKFORD);
    expect(eventIdTime(id)).toBe(at);
  });

  it('sorts by time, and within one millisecond by creation order', () => {
    const base = Date.parse('2030-01-01T00:00:00Z');
    const ids = [
      newEventId(base),
      newEventId(base),
      newEventId(base),
      newEventId(base + 1),
      newEventId(base + 1),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays ordered when the clock goes back, and unique over many ids', () => {
    const base = Date.parse('2031-01-01T00:00:00Z');
    const first = newEventId(base);
    const after = newEventId(base - 5_000);
    expect(after > first).toBe(true);
    const many = new Set<string>();
    for (let i = 0; i < 50_000; i++) many.add(newEventId());
    expect(many.size).toBe(50_000);
  });
});
