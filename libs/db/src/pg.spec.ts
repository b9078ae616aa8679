import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './pg';

/** pg's own conversion of a JS array query parameter. */
const { prepareValue } = createRequire(__filename)('pg/lib/utils') as {
  prepareValue: (value: unknown) => string;
};

describe('arrayLiteral', () => {
  it('writes exactly what pg would send for the same array', () => {
    const samples: unknown[][] = [
      [],
      ['a', 'b'],
      ['with "quotes"', 'back\\slash', 'comma, and {braces}', '', 'NULL', 'üñí©ødé ✓', 'x\u001fy', ' pad '],
      [1, 0, -3, 10_000_000_000, 1.5],
      ['2026-06-01T12:00:00.000Z', null, undefined, '0.000123000000000000'],
      ['{"team":"growth"}', '[1,2]', 'a\\"b'],
      [3, 'plain', -0, 2 ** 53, 'x y'],
      [1, null, 2],
    ];
    for (const values of samples)
      expect(arrayLiteral(values), JSON.stringify(values)).toBe(prepareValue(values));
  });

  it('writes NULL only for null and undefined', () => {
    expect(arrayLiteral([null, 'NULL', undefined])).toBe('{NULL,"NULL",NULL}');
  });
});
