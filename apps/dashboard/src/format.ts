/**
 * Display formatting in the viewer's locale. Money arrives as exact decimal strings in USD and is
 * rounded here for display only: cents from a dollar up, two significant digits below a cent.
 */

export function money(value: string | null | undefined, locale?: string, digits = 2): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return '—';
  const base = { style: 'currency', currency: 'USD' } as const;
  if (n !== 0 && Math.abs(n) < 10 ** -digits)
    return n.toLocaleString(locale, { ...base, maximumSignificantDigits: 2 });
  return n.toLocaleString(locale, { ...base, minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Kept for the pages written against it: money in USD, US-formatted unless a locale is given. */
export function usd(value: string | null | undefined, digits = 2, locale?: string): string {
  return money(value, locale, digits);
}

/** A compact axis label: $1.2K, $3M. */
export function moneyCompact(n: number, locale?: string): string {
  return n.toLocaleString(locale, {
    style: 'currency',
    currency: 'USD',
    notation: 'compact',
    maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 2 : 1,
  });
}

export function count(n: number, locale?: string): string {
  return n.toLocaleString(locale);
}

export function compact(n: number, locale?: string): string {
  return n.toLocaleString(locale, { notation: 'compact', maximumFractionDigits: 1 });
}

export function pct(part: number, whole: number, locale?: string): string {
  return whole > 0
    ? (part / whole).toLocaleString(locale, {
        style: 'percent',
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      })
    : '—';
}

/** Relative change, signed: "+12.3%", "−4.0%"; null when there is nothing to compare with. */
export function change(current: number, previous: number, locale?: string): string | null {
  if (!(previous > 0)) return null;
  return ((current - previous) / previous).toLocaleString(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
}

/** A date and time in the viewer's locale, in `timeZone`. */
export function dateTime(iso: string, timeZone: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

export function date(iso: string, timeZone = 'UTC', locale?: string): string {
  return new Date(iso).toLocaleDateString(locale, { timeZone, dateStyle: 'medium' });
}

/** A bucket's label: hours with time, days as a short date, months as month and year. */
export function periodLabel(
  iso: string,
  interval: 'HOUR' | 'DAY' | 'MONTH',
  timeZone: string,
  locale?: string,
): string {
  const d = new Date(iso);
  if (interval === 'MONTH')
    return d.toLocaleDateString(locale, { timeZone, month: 'short', year: 'numeric' });
  if (interval === 'DAY') return d.toLocaleDateString(locale, { timeZone, month: 'short', day: 'numeric' });
  return d.toLocaleString(locale, { timeZone, month: 'short', day: 'numeric', hour: 'numeric' });
}
