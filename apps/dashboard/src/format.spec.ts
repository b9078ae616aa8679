import { describe, expect, it } from 'vitest';
import { change, money, pct } from './format';

describe('money and numbers', () => {
  it('shows dollars with cents and the currency', () => {
    expect(money('1.25', 'en-US')).toBe('$1.25');
    expect(money('1234567.891', 'en-US')).toBe('$1,234,567.89');
    expect(money('0', 'en-US')).toBe('$0.00');
  });

  it('keeps two significant digits below a cent instead of rounding to $0.00', () => {
    expect(money('0.000123', 'en-US')).toBe('$0.00012');
    expect(money('0.0049', 'en-US')).toBe('$0.0049');
  });

  it('follows the locale', () => {
    expect(money('1234.5', 'de-DE')).toBe('1.234,50\u00a0$');
  });

  it('shows a dash for what is missing, never $0', () => {
    expect(money(null)).toBe('—');
    expect(money(undefined)).toBe('—');
    expect(money('not a number')).toBe('—');
  });

  it('signs changes and refuses to divide by nothing', () => {
    expect(change(110, 100, 'en-US')).toBe('+10.0%');
    expect(change(90, 100, 'en-US')).toBe('-10.0%');
    expect(change(5, 0, 'en-US')).toBeNull();
    expect(pct(1, 4, 'en-US')).toBe('25.0%');
    expect(pct(1, 0, 'en-US')).toBe('—');
  });
});
