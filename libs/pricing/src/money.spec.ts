import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { bigScaledToDecimal, canonicalDecimal, decimalFromFloat, scaledToDecimal, Usd } from './money';
import { rng } from './testing/generate';

describe('scaledToDecimal', () => {
  it('builds exactly the value decimal.js parses, for every magnitude and scale', () => {
    const random = rng(11);
    const samples = [
      0,
      1,
      9,
      10,
      999_999,
      1_000_000,
      9_999_999,
      10_000_000,
      10_000_001,
      123_456_789,
      Number.MAX_SAFE_INTEGER,
    ];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor(random() * 10 ** Math.floor(random() * 16)));
    for (const n of samples) {
      for (const scale of [0, 7, 14, 21, 28]) {
        const built = scaledToDecimal(n, scale);
        const parsed = new Usd(`${n}e-${scale}`);
        expect(built.eq(parsed), `${n}e-${scale}`).toBe(true);
        expect(built.toFixed()).toBe(parsed.toFixed());
        // Arithmetic on a built value is arithmetic on the parsed one.
        expect(built.plus('0.1').times(3).toFixed()).toBe(parsed.plus('0.1').times(3).toFixed());
      }
    }
  });

  it('gives ordinary decimal.js values', () => {
    const d = scaledToDecimal(50, 7);
    expect(d).toBeInstanceOf(Decimal);
    expect(Decimal.isDecimal(d)).toBe(true);
    expect(d.toFixed()).toBe('0.000005');
    expect(new Decimal(d).toFixed()).toBe('0.000005');
  });

  it('handles integers past 2^53 through BigInt', () => {
    expect(bigScaledToDecimal(123456789012345678901234567890n, 21).toFixed()).toBe(
      '123456789.01234567890123456789',
    );
  });
});

describe('decimals read from price files', () => {
  it('keeps the literal a float was written as, and drops float arithmetic artefacts', () => {
    expect(decimalFromFloat(0.003625).toFixed()).toBe('0.003625');
    expect(decimalFromFloat(2.5e-6).toFixed()).toBe('0.0000025');
    expect(decimalFromFloat(3e-6 + 1e-21).toFixed()).toBe('0.000003');
    expect(decimalFromFloat(0.08333333333333334).toFixed()).toBe('0.0833333333333333');
    expect(() => decimalFromFloat(Number.NaN)).toThrow();
  });

  it('writes decimals canonically', () => {
    expect(canonicalDecimal('2.50')).toBe('2.5');
    expect(canonicalDecimal('1e-7')).toBe('0.0000001');
  });
});
