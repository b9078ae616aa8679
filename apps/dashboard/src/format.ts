/** Money arrives as exact decimal strings; it is rounded here, for display only. */
export function usd(value: string | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  if (n !== 0 && Math.abs(n) < 10 ** -digits) return `$${n.toPrecision(2)}`;
  return n.toLocaleString('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function compact(n: number): string {
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—';
}
