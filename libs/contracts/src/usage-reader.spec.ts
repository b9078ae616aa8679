import { describe, expect, it } from 'vitest';
import { USAGE_FIELDS } from './token-kinds';
import { readCountsFast, readCountsSlowly } from './usage-rules';

// The unrolled reader pricing uses must answer exactly as the plain loop over TOKEN_KINDS.
const ODD: unknown[] = [undefined, null, 0, 1, 7, 1e15, 2 ** 53, -1, 1.5, NaN, Infinity, '3', true, {}, []];

describe('readCountsFast', () => {
  it('reads and refuses exactly as the loop it unrolls, on generated usage', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 5000; n++) {
      const usage: Record<string, unknown> = {};
      for (const field of USAGE_FIELDS) {
        const r = random();
        if (r < 0.6) usage[field] = Math.floor(random() * 100_000);
        else if (r < 0.8) continue;
        else usage[field] = ODD[Math.floor(random() * ODD.length)];
      }
      const fast = new Array<number>(USAGE_FIELDS.length).fill(-7);
      const slow = new Array<number>(USAGE_FIELDS.length).fill(-7);
      const a = readCountsFast(usage, fast);
      const b = readCountsSlowly(usage, slow);
      expect([a, a < 0 ? fast : fast.slice(0, a)]).toEqual([b, b < 0 ? slow : slow.slice(0, b)]);
    }
  });
});
