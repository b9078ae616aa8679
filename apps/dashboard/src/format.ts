/**
 * Display formatting in the viewer's locale. Money arrives as exact decimal strings in USD and is
 * rounded here for display only: cents from a dollar up, two significant digits below a cent.
 */

const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

/**
 * One Intl formatter per locale and options, kept: building one costs far more than formatting with
 * it, and a chart or table formats thousands of values (a number's own locale method builds one on
 * every call).
 */
function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n\u001f${locale ?? ''}\u001f${JSON.stringify(options)}`;
  let f = formats.get(key) as Intl.NumberFormat | undefined;
  if (!f) formats.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export function dateFormat(
  locale: string | undefined,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `d\u001f${locale ?? ''}\u001f${JSON.stringify(options)}`;
  let f = formats.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

/** A calendar day (YYYY-MM-DD) as a short label in the viewer's locale: "Nov 30". */
export function dayLabel(ymd: string, locale?: string): string {
  return dateFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${ymd}T12:00:00Z`),
  );
}

export function money(value: string | null | undefined, locale?: string, digits = 2): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return '—';
  const base = { style: 'currency', currency: 'USD' } as const;
  if (n !== 0 && Math.abs(n) < 10 ** -digits)
    return numberFormat(locale, { ...base, maximumSignificantDigits: 2 }).format(n);
  return numberFormat(locale, {
    ...base,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

/** Kept for the pages written against it: money in USD, US-formatted unless a locale is given. */
export function usd(value: string | null | undefined, digits = 2, locale?: string): string {
  return money(value, locale, digits);
}

/** A compact axis label: $1.2K, $3M. */
export function moneyCompact(n: number, locale?: string): string {
  return numberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    notation: 'compact',
    maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 2 : 1,
  }).format(n);
}

export function count(n: number, locale?: string): string {
  return numberFormat(locale, {}).format(n);
}

export function compact(n: number, locale?: string): string {
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

export function pct(part: number, whole: number, locale?: string): string {
  return whole > 0
    ? numberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
        part / whole,
      )
    : '—';
}

/** Relative change, signed: "+12.3%", "−4.0%"; null when there is nothing to compare with. */
export function change(current: number, previous: number, locale?: string): string | null {
  if (!(previous > 0)) return null;
  return numberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format((current - previous) / previous);
}

/** A date and time in the viewer's locale, in `timeZone`. */
export function dateTime(iso: string, timeZone: string, locale?: string): string {
  return dateFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function date(iso: string, timeZone = 'UTC', locale?: string): string {
  return dateFormat(locale, { timeZone, dateStyle: 'medium' }).format(new Date(iso));
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
    return dateFormat(locale, { timeZone, month: 'short', year: 'numeric' }).format(d);
  if (interval === 'DAY') return dateFormat(locale, { timeZone, month: 'short', day: 'numeric' }).format(d);
  return dateFormat(locale, { timeZone, month: 'short', day: 'numeric', hour: 'numeric' }).format(d);
}
