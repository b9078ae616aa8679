// Event timestamps to milliseconds, fast for the form validated events carry.

/** Milliseconds of a catalog date or instant. */
export function toMs(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

/**
 * Milliseconds of a timestamp. Validated events carry `toISOString()` form
 * (2026-06-01T12:00:00.000Z), read here digit by digit (Date.parse costs more than the rest of
 * pricing); anything else goes through Date.parse.
 */
export function parseTimestamp(s: string): number {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  )
    return Date.parse(s);
  for (const i of DIGIT_POSITIONS) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return Date.parse(s);
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > DAYS_IN_MONTH[month - 1]! + leap ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return Date.parse(s);
  return Date.UTC(
    year,
    month - 1,
    day,
    hour,
    minute,
    second,
    digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22),
  );
}
