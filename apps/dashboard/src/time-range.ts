/**
 * Time ranges as people pick them (presets and calendar days) turned into the half-open UTC
 * instants `spend` takes, in the viewer's time zone or in UTC. Pure: `now` is always handed in.
 */

export const RANGE_PRESETS = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  mtd: 'Month to date',
  'last-month': 'Last month',
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS;

/** A range as the URL keeps it: a preset, or calendar days `from`..`to` (both inclusive, YYYY-MM-DD). */
export type RangeChoice = { preset: RangePreset } | { preset: 'custom'; from: string; to: string };

export interface Instants {
  from: string;
  to: string;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isYmd(value: string | null | undefined): value is string {
  const m = value ? YMD.exec(value) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

const ZONE_FORMATS = {
  ymd: { year: 'numeric', month: '2-digit', day: '2-digit' },
  wall: {
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone and shape, kept (building one costs far more than using it). */
function zoneFormat(shape: keyof typeof ZONE_FORMATS, timeZone: string): Intl.DateTimeFormat {
  const key = `${shape} ${timeZone}`;
  let f = zoneFormats.get(key);
  if (!f) zoneFormats.set(key, (f = new Intl.DateTimeFormat('en-US', { ...ZONE_FORMATS[shape], timeZone })));
  return f;
}

/** The calendar day `t` falls on in `timeZone`, as YYYY-MM-DD. */
export function ymdInZone(t: Date, timeZone: string): string {
  const parts = zoneFormat('ymd', timeZone).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function addMonths(ymd: string, months: number): string {
  const [y, m] = ymd.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 10);
}

/** Milliseconds `timeZone` is ahead of UTC at instant `t`. */
function offsetMs(t: number, timeZone: string): number {
  const parts = zoneFormat('wall', timeZone).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant a calendar day starts in `timeZone` (daylight-saving days included). */
export function dayStart(ymd: string, timeZone: string): Date {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - offsetMs(wall, timeZone);
  const again = wall - offsetMs(t, timeZone);
  if (again !== t) t = again;
  return new Date(t);
}

/** The calendar days a choice covers, first and last inclusive, seen from `now` in `timeZone`. */
export function rangeDays(choice: RangeChoice, now: Date, timeZone: string): { first: string; last: string } {
  const today = ymdInZone(now, timeZone);
  switch (choice.preset) {
    case 'today':
      return { first: today, last: today };
    case '7d':
      return { first: addDays(today, -6), last: today };
    case '30d':
      return { first: addDays(today, -29), last: today };
    case '90d':
      return { first: addDays(today, -89), last: today };
    case 'mtd':
      return { first: `${today.slice(0, 7)}-01`, last: today };
    case 'last-month': {
      const first = addMonths(today, -1);
      return { first, last: addDays(addMonths(today, 0), -1) };
    }
    case 'custom':
      return choice.from <= choice.to
        ? { first: choice.from, last: choice.to }
        : { first: choice.to, last: choice.from };
  }
}

/** `spend`'s filter range: from the first day's start to the day after the last's start. */
export function resolveRange(choice: RangeChoice, now: Date, timeZone: string): Instants {
  const { first, last } = rangeDays(choice, now, timeZone);
  return {
    from: dayStart(first, timeZone).toISOString(),
    to: dayStart(addDays(last, 1), timeZone).toISOString(),
  };
}

/**
 * Month to date (through today) and the same days of last month (day 1 to the same day number,
 * clamped to that month's length), for a like-for-like comparison.
 */
export function monthToDate(
  now: Date,
  timeZone: string,
): { current: Instants; previous: Instants; days: number } {
  const today = ymdInZone(now, timeZone);
  const monthStart = `${today.slice(0, 7)}-01`;
  const days = Number(today.slice(8, 10));
  const prevStart = addMonths(today, -1);
  const prevLength = Number(addDays(monthStart, -1).slice(8, 10));
  const prevLast = addDays(prevStart, Math.min(days, prevLength) - 1);
  return {
    current: {
      from: dayStart(monthStart, timeZone).toISOString(),
      to: dayStart(addDays(today, 1), timeZone).toISOString(),
    },
    previous: {
      from: dayStart(prevStart, timeZone).toISOString(),
      to: dayStart(addDays(prevLast, 1), timeZone).toISOString(),
    },
    days,
  };
}

/** Every calendar day of a range, for charts where a quiet day must show as a gap, not vanish. */
export function eachDay(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last && out.length < 1000; d = addDays(d, 1)) out.push(d);
  return out;
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
