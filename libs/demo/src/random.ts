/**
 * Seeded randomness for the demo traffic: a small, fast PRNG (sfc32) and the few distributions the
 * traffic model draws from. Nothing here reads a clock or Math.random: the same seed gives the same
 * numbers on every machine.
 */

/** A source of uniform numbers in [0, 1). */
export interface Random {
  next(): number;
}

/** 32-bit FNV-1a of a string: turns labels into seed material. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32: spreads nearby integers (seed, seed + 1, …) over the whole 32-bit range. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

class Sfc32 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    this.a = splitmix32(seed);
    this.b = splitmix32(this.a ^ 0x6a09e667);
    this.c = splitmix32(this.b ^ 0xbb67ae85);
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
}

/**
 * A PRNG for one named stream of one seed: `createRandom(42, 'hour', 17)` always yields the same
 * sequence, independent of every other stream, so any part of the traffic can be generated alone.
 */
export function createRandom(seed: number, ...stream: (string | number)[]): Random {
  let h = splitmix32(seed >>> 0) ^ hash32(String(Math.floor(seed / 4294967296)));
  for (const part of stream) h = splitmix32(h ^ hash32(String(part)));
  return new Sfc32(h);
}

/** A whole number in [min, max]. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}

export function chance(random: Random, p: number): boolean {
  return random.next() < p;
}

/** A standard normal draw (Box–Muller). */
export function normal(random: Random): number {
  const u = 1 - random.next(); // (0, 1]: log(0) never happens
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A log-normal draw given its median and the σ of its logarithm, clamped to [min, max] and rounded:
 * the shape of token counts (most requests near the median, a long right tail).
 */
export function logNormalInt(
  random: Random,
  median: number,
  sigma: number,
  min: number,
  max: number,
): number {
  const value = Math.round(median * Math.exp(sigma * normal(random)));
  return Math.min(max, Math.max(min, value));
}

/** Picks from weighted options; weights need not sum to 1. */
export function weighted<T>(random: Random, options: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of options) total += w;
  let r = random.next() * total;
  for (const [value, w] of options) {
    r -= w;
    if (r < 0) return value;
  }
  return options[options.length - 1]![0];
}

/** Cumulative weights for repeated draws: O(log n) per draw over many options. */
export class WeightedTable<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly values: readonly T[],
    weights: readonly number[],
  ) {
    if (values.length === 0 || values.length !== weights.length)
      throw new Error('WeightedTable: one weight per value, and at least one value');
    let sum = 0;
    for (const w of weights) {
      sum += w;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  draw(random: Random): T {
    const r = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }
}
