import { describe, expect, it } from 'vitest';
import { dayStart, eachDay, isYmd, monthToDate, rangeDays, resolveRange, ymdInZone } from './time-range';

const NOW = new Date('2026-11-30T02:30:00Z');

describe('time ranges', () => {
  it('resolves presets to whole days in UTC', () => {
    expect(resolveRange({ preset: '7d' }, NOW, 'UTC')).toEqual({
      from: '2026-11-24T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(resolveRange({ preset: 'today' }, NOW, 'UTC')).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(rangeDays({ preset: 'last-month' }, NOW, 'UTC')).toEqual({
      first: '2026-10-01',
      last: '2026-10-31',
    });
    expect(rangeDays({ preset: 'mtd' }, NOW, 'UTC')).toEqual({ first: '2026-11-01', last: '2026-11-30' });
  });

  it("uses the calendar of the viewer's zone: 02:30 UTC is still the 29th in New York", () => {
    expect(ymdInZone(NOW, 'America/New_York')).toBe('2026-11-29');
    expect(resolveRange({ preset: 'today' }, NOW, 'America/New_York')).toEqual({
      from: '2026-11-29T05:00:00.000Z',
      to: '2026-11-30T05:00:00.000Z',
    });
  });

  it('finds midnight on daylight-saving days', () => {
    // Europe/Berlin leaves summer time on 2026-10-25: that day starts at +02:00, the next at +01:00.
    expect(dayStart('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(dayStart('2026-10-26', 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(dayStart('2026-03-08', 'America/Los_Angeles').toISOString()).toBe('2026-03-08T08:00:00.000Z');
  });

  it('orders a custom range given backwards', () => {
    expect(rangeDays({ preset: 'custom', from: '2026-11-10', to: '2026-11-01' }, NOW, 'UTC')).toEqual({
      first: '2026-11-01',
      last: '2026-11-10',
    });
  });

  it('compares month to date with the same days of last month, clamped to its length', () => {
    const mtd = monthToDate(new Date('2026-03-31T12:00:00Z'), 'UTC');
    expect(mtd.days).toBe(31);
    expect(mtd.current).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    expect(mtd.previous).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    const mid = monthToDate(new Date('2026-11-15T12:00:00Z'), 'UTC');
    expect(mid.previous).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-10-16T00:00:00.000Z' });
  });

  it('lists every day of a range and validates calendar dates', () => {
    expect(eachDay('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(isYmd('2026-02-29')).toBe(false);
    expect(isYmd('2028-02-29')).toBe(true);
    expect(isYmd('2026-1-01')).toBe(false);
  });
});
