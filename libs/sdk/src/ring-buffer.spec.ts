import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('is first in, first out, and grows up to its capacity', () => {
    const b = new RingBuffer<number>(5000);
    for (let i = 0; i < 3000; i++) expect(b.push(i)).toBeUndefined();
    expect(b.length).toBe(3000);
    expect(b.take(2)).toEqual([0, 1]);
    expect(b.shift()).toBe(2);
    expect(b.drain()).toHaveLength(2997);
    expect(b.length).toBe(0);
    expect(b.shift()).toBeUndefined();
  });

  it('drops and returns the oldest item when full', () => {
    const b = new RingBuffer<number>(3);
    b.push(1);
    b.push(2);
    b.push(3);
    expect(b.push(4)).toBe(1);
    expect(b.push(5)).toBe(2);
    expect(b.drain()).toEqual([3, 4, 5]);
  });

  it('puts items back at the front in order, wrapping around the array', () => {
    const b = new RingBuffer<number>(6);
    for (let i = 0; i < 6; i++) b.push(i);
    const batch = b.take(4); // 0..3
    b.push(6);
    b.push(7);
    expect(b.unshiftAll(batch.slice(2))).toEqual([]); // 2, 3 back in front of 4..7
    expect(b.drain()).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('when putting back into a full buffer, drops the oldest of what is put back', () => {
    const b = new RingBuffer<number>(4);
    for (let i = 10; i < 13; i++) b.push(i);
    expect(b.unshiftAll([1, 2, 3])).toEqual([1, 2]);
    expect(b.drain()).toEqual([3, 10, 11, 12]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
