import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('equals Date#toISOString, across seconds and for every millisecond width', () => {
    const base = Date.parse('2026-06-01T12:00:59.000Z');
    for (const ms of [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 86_400_000, -1000 + 1]) {
      expect(isoTime(base + ms)).toBe(new Date(base + ms).toISOString());
    }
    for (let i = 0; i < 2000; i += 7) expect(isoTime(base + i)).toBe(new Date(base + i).toISOString());
  });
});
