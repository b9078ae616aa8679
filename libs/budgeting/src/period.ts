import { TZDate } from '@date-fns/tz';

/** How a budget's periods repeat. */
export const BUDGET_PERIODS = ['month', 'week', 'day', 'custom'] as const;
export type BudgetPeriodKind = (typeof BUDGET_PERIODS)[number];

/** What fixes a budget's periods. */
export interface PeriodRule {
  period: BudgetPeriodKind;
  /** IANA zone: months, weeks (Monday) and days start at local midnight there. */
  timeZone: string;
  /** Custom periods: their length in days, counted in calendar days of `timeZone`. */
  periodDays?: number | null;
  /** Custom periods: the first one starts at local midnight of this instant's date. */
  startsAt: Date;
}

/** One period: [start, end). */
export interface Period {
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

/** The local calendar date of an instant in a zone. */
function localDate(at: Date, timeZone: string): { y: number; m: number; d: number; weekday: number } {
  const t = new TZDate(at.getTime(), timeZone);
  return { y: t.getFullYear(), m: t.getMonth(), d: t.getDate(), weekday: t.getDay() };
}

/** The instant of local midnight starting a calendar date (month and day may overflow: Date rules). */
function midnight(y: number, m: number, d: number, timeZone: string): Date {
  return new Date(new TZDate(y, m, d, timeZone).getTime());
}

/** Whole days between two calendar dates (no zone: pure date arithmetic). */
function daysBetween(a: { y: number; m: number; d: number }, b: { y: number; m: number; d: number }): number {
  return Math.round((Date.UTC(b.y, b.m, b.d) - Date.UTC(a.y, a.m, a.d)) / DAY_MS);
}

/**
 * The period of a budget that contains `at`. Calendar periods follow the zone's clock, so a month
 * in Europe/Paris starts at 22:00 or 23:00 UTC on the last day before, and a day across a DST
 * change lasts 23 or 25 hours.
 */
export function periodAt(rule: PeriodRule, at: Date): Period {
  const tz = rule.timeZone;
  const { y, m, d, weekday } = localDate(at, tz);
  switch (rule.period) {
    case 'month':
      return { start: midnight(y, m, 1, tz), end: midnight(y, m + 1, 1, tz) };
    case 'day':
      return { start: midnight(y, m, d, tz), end: midnight(y, m, d + 1, tz) };
    case 'week': {
      const back = (weekday + 6) % 7; // days since Monday
      return { start: midnight(y, m, d - back, tz), end: midnight(y, m, d - back + 7, tz) };
    }
    case 'custom': {
      const n = rule.periodDays ?? 0;
      if (!Number.isInteger(n) || n < 1) throw new RangeError('custom periods need periodDays ≥ 1');
      const anchor = localDate(rule.startsAt, tz);
      const k = Math.floor(daysBetween(anchor, { y, m, d }) / n);
      return {
        start: midnight(anchor.y, anchor.m, anchor.d + k * n, tz),
        end: midnight(anchor.y, anchor.m, anchor.d + (k + 1) * n, tz),
      };
    }
  }
}

/** The `count` periods before the one containing `at`, most recent first. */
export function previousPeriods(rule: PeriodRule, at: Date, count: number): Period[] {
  const out: Period[] = [];
  let current = periodAt(rule, at);
  for (let i = 0; i < count; i++) {
    const before = periodAt(rule, new Date(current.start.getTime() - 1));
    if (rule.period === 'custom' && before.end.getTime() <= firstStart(rule).getTime()) break;
    out.push(before);
    current = before;
  }
  return out;
}

/** Where a custom budget's first period starts. */
function firstStart(rule: PeriodRule): Date {
  const a = localDate(rule.startsAt, rule.timeZone);
  return midnight(a.y, a.m, a.d, rule.timeZone);
}

/** Whole days until the period resets, rounded up ("resets in 3 days"); 0 once it has. */
export function resetsInDays(period: Period, now: Date): number {
  return Math.max(0, Math.ceil((period.end.getTime() - now.getTime()) / DAY_MS));
}

/** One local calendar day: when it starts and its weekday (0 = Sunday). */
export interface LocalDay {
  start: Date;
  weekday: number;
}

/** The local days of `timeZone` that start in [from, to), in order. */
export function localDays(from: Date, to: Date, timeZone: string): LocalDay[] {
  const days: LocalDay[] = [];
  const rule: PeriodRule = { period: 'day', timeZone, startsAt: from };
  let day = periodAt(rule, from);
  if (day.start.getTime() < from.getTime()) day = periodAt(rule, day.end);
  while (day.start.getTime() < to.getTime()) {
    days.push({ start: day.start, weekday: localDate(day.start, timeZone).weekday });
    day = periodAt(rule, day.end);
  }
  return days;
}
