import { describe, expect, it } from 'vitest';
import { createRandom, logNormalInt, weighted, WeightedTable } from './random';

const draws = (seed: number, ...stream: (string | number)[]) => {
  const r = createRandom(seed, ...stream);
  return Array.from({ length: 5 }, () => r.next());
};

describe('seeded randomness', () => {
  it('repeats a stream exactly and keeps streams apart', () => {
    expect(draws(7, 'hour', 3)).toEqual(draws(7, 'hour', 3));
    expect(draws(7, 'hour', 3)).not.toEqual(draws(7, 'hour', 4));
    expect(draws(7, 'hour', 3)).not.toEqual(draws(8, 'hour', 3));
    expect(draws(2 ** 40, 'x')).not.toEqual(draws(2 ** 40 + 2 ** 32, 'x'));
  });

  it('is uniform on [0, 1)', () => {
    const r = createRandom(1);
    const n = 100_000;
    let sum = 0;
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(n / 100);
  });

  it('draws weighted options in proportion', () => {
    const r = createRandom(3);
    const table = new WeightedTable(['a', 'b', 'c'], [1, 2, 7]);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const direct: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 50_000; i++) {
      counts[table.draw(r)]!++;
      direct[
        weighted(r, [
          ['a', 1],
          ['b', 2],
          ['c', 7],
        ])
      ]!++;
    }
    for (const c of [counts, direct]) {
      expect(c.a! / 50_000).toBeCloseTo(0.1, 1);
      expect(c.c! / 50_000).toBeCloseTo(0.7, 1);
    }
    expect(() => new WeightedTable([], [])).toThrow('one weight per value');
  });

  it('draws log-normal whole numbers around the median, within bounds', () => {
    const r = createRandom(5);
    const xs = Array.from({ length: 20_001 }, () => logNormalInt(r, 1000, 0.5, 100, 5000)).sort(
      (a, b) => a - b,
    );
    expect(xs[10_000]! / 1000).toBeGreaterThan(0.95);
    expect(xs[10_000]! / 1000).toBeLessThan(1.05);
    expect(xs[0]).toBeGreaterThanOrEqual(100);
    expect(xs.at(-1)).toBeLessThanOrEqual(5000);
    expect(xs.every(Number.isInteger)).toBe(true);
  });
});
