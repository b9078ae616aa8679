/** A calendar month as reports name it: "2026-10". */
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface Month {
  year: number;
  /** 1-12 */
  month: number;
}

export function parseMonth(value: string): Month | null {
  const m = MONTH.exec(value);
  return m ? { year: Number(m[1]), month: Number(m[2]) } : null;
}

export function formatMonth(m: Month): string {
  return `${m.year}-${String(m.month).padStart(2, '0')}`;
}

export function previousMonth(value: string): string {
  const m = parseMonth(value)!;
  return m.month === 1
    ? formatMonth({ year: m.year - 1, month: 12 })
    : formatMonth({ ...m, month: m.month - 1 });
}

export function nextMonth(value: string): string {
  const m = parseMonth(value)!;
  return m.month === 12
    ? formatMonth({ year: m.year + 1, month: 1 })
    : formatMonth({ ...m, month: m.month + 1 });
}

export function daysInMonth(value: string): number {
  const m = parseMonth(value)!;
  return new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
}

/** Every day of the month, "YYYY-MM-DD". */
export function daysOf(value: string): string[] {
  return Array.from({ length: daysInMonth(value) }, (_, i) => `${value}-${String(i + 1).padStart(2, '0')}`);
}

/** The month before the one `at` falls in, in time zone `timeZone` (what the 1st-of-month job reports). */
export function monthBefore(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(at);
  const year = Number(parts.find((p) => p.type === 'year')!.value);
  const month = Number(parts.find((p) => p.type === 'month')!.value);
  return previousMonth(formatMonth({ year, month }));
}

/** The offset of `timeZone` from UTC at instant `at`, in minutes (east positive). */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant local midnight starts `day` ("YYYY-MM-DD") in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, mo - 1, d);
  // Two passes settle DST transitions: the offset at the guess, then at the corrected instant.
  let guess = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  guess = naive - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** The month's bounds as instants: [start, end). */
export function monthBounds(value: string, timeZone: string): { start: Date; end: Date } {
  return { start: startOfDay(`${value}-01`, timeZone), end: startOfDay(`${nextMonth(value)}-01`, timeZone) };
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
