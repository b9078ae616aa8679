import { describe, expect, it } from 'vitest';
import { localDays, periodAt, previousPeriods, resetsInDays, type PeriodRule } from './period';

const rule = (over: Partial<PeriodRule>): PeriodRule => ({
  period: 'month',
  timeZone: 'UTC',
  startsAt: new Date('2026-01-01T00:00:00Z'),
  ...over,
});
const iso = (p: { start: Date; end: Date }) => [p.start.toISOString(), p.end.toISOString()];

describe('periodAt', () => {
  it('starts months at local midnight of the first (Europe/Paris, winter and summer offsets)', () => {
    const paris = rule({ timeZone: 'Europe/Paris' });
    // 31 Oct 23:30 UTC is already 1 Nov 00:30 in Paris (UTC+1 after the DST change of 25 Oct).
    expect(iso(periodAt(paris, new Date('2026-10-31T23:30:00Z')))).toEqual([
      '2026-10-31T23:00:00.000Z',
      '2026-11-30T23:00:00.000Z',
    ]);
    // October: starts under summer time (UTC+2), ends under winter time (UTC+1).
    expect(iso(periodAt(paris, new Date('2026-10-31T22:30:00Z')))).toEqual([
      '2026-09-30T22:00:00.000Z',
      '2026-10-31T23:00:00.000Z',
    ]);
  });

  it('has 23- and 25-hour days at DST changes (America/New_York)', () => {
    const ny = rule({ period: 'day', timeZone: 'America/New_York' });
    const spring = periodAt(ny, new Date('2026-03-08T12:00:00Z'));
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const fall = periodAt(ny, new Date('2026-11-01T12:00:00Z'));
    expect(fall.end.getTime() - fall.start.getTime()).toBe(25 * 3_600_000);
    expect(fall.start.toISOString()).toBe('2026-11-01T04:00:00.000Z');
  });

  it('starts weeks on local Monday', () => {
    const tokyo = rule({ period: 'week', timeZone: 'Asia/Tokyo' });
    // Sunday 2026-11-29 16:00 UTC is Monday 30 Nov 01:00 in Tokyo.
    expect(iso(periodAt(tokyo, new Date('2026-11-29T16:00:00Z')))).toEqual([
      '2026-11-29T15:00:00.000Z',
      '2026-12-06T15:00:00.000Z',
    ]);
  });

  it('counts custom periods in calendar days from the start date', () => {
    const custom = rule({
      period: 'custom',
      periodDays: 10,
      timeZone: 'Europe/Paris',
      startsAt: new Date('2026-10-20T10:00:00Z'),
    });
    const p = periodAt(custom, new Date('2026-10-31T12:00:00Z'));
    // 30 Oct local midnight (UTC+1 after the change) to 9 Nov.
    expect(iso(p)).toEqual(['2026-10-29T23:00:00.000Z', '2026-11-08T23:00:00.000Z']);
  });

  it('every instant lies in its period, and periods tile time without gaps', () => {
    for (const r of [
      rule({ timeZone: 'Australia/Lord_Howe' }),
      rule({ period: 'week', timeZone: 'America/Santiago' }),
      rule({ period: 'day', timeZone: 'Europe/London' }),
      rule({ period: 'custom', periodDays: 3, timeZone: 'Asia/Kolkata' }),
    ]) {
      for (let t = Date.UTC(2026, 0, 2); t < Date.UTC(2027, 0, 1); t += 7 * 3_600_000 + 13 * 60_000) {
        const p = periodAt(r, new Date(t));
        expect(p.start.getTime()).toBeLessThanOrEqual(t);
        expect(p.end.getTime()).toBeGreaterThan(t);
        expect(periodAt(r, p.end).start.getTime()).toBe(p.end.getTime());
      }
    }
  });
});

describe('history and reset', () => {
  it('lists past periods, most recent first, and stops before a custom budget began', () => {
    const month = rule({ timeZone: 'America/New_York' });
    expect(
      previousPeriods(month, new Date('2026-03-15T12:00:00Z'), 2).map((p) => p.start.toISOString()),
    ).toEqual(['2026-02-01T05:00:00.000Z', '2026-01-01T05:00:00.000Z']);
    const custom = rule({ period: 'custom', periodDays: 7, startsAt: new Date('2026-03-01T00:00:00Z') });
    expect(previousPeriods(custom, new Date('2026-03-16T00:00:00Z'), 5)).toHaveLength(2);
  });

  it('says when the period resets, in whole days rounded up', () => {
    const p = periodAt(rule({}), new Date('2026-11-30T02:00:00Z'));
    expect(resetsInDays(p, new Date('2026-11-30T02:00:00Z'))).toBe(1);
    expect(resetsInDays(p, new Date('2026-11-10T00:00:00Z'))).toBe(21);
    expect(resetsInDays(p, new Date('2026-12-01T00:00:00Z'))).toBe(0);
  });
});

describe('localDays', () => {
  it('lists local midnights with their weekdays across a DST change', () => {
    const days = localDays(
      new Date('2026-10-24T22:00:00Z'),
      new Date('2026-10-27T23:00:00Z'),
      'Europe/Paris',
    );
    expect(days.map((d) => [d.start.toISOString(), d.weekday])).toEqual([
      ['2026-10-24T22:00:00.000Z', 0],
      ['2026-10-25T23:00:00.000Z', 1],
      ['2026-10-26T23:00:00.000Z', 2],
    ]);
  });
});
