/**
 * A bounded double-ended queue over a circular array: O(1) push at the back, take from the front,
 * put back at the front (a failed batch goes back where it was) and drop the oldest when full.
 */
export class RingBuffer<T> {
  private items: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    // Grows by doubling up to `capacity`, so a large bound costs nothing until it is used.
    this.items = new Array<T | undefined>(Math.min(capacity, 1024));
  }

  get length(): number {
    return this.size;
  }

  /** Appends; when full, removes and returns the oldest item to make room. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size === this.capacity) dropped = this.shift();
    else if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
    return dropped;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }

  /** Removes and returns up to `n` items from the front, oldest first. */
  take(n: number): T[] {
    const count = Math.min(n, this.size);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = this.shift()!;
    return out;
  }

  /**
   * Puts items back at the front, in their order, ahead of everything queued since. Items that do
   * not fit are the oldest and are returned as dropped (the last `capacity` items are kept).
   */
  unshiftAll(items: readonly T[]): T[] {
    const dropped: T[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      if (this.size === this.capacity) {
        // Full: everything still to put back is older than what is here, so it is what drops.
        for (let j = i; j >= 0; j--) dropped.unshift(items[j]!);
        break;
      }
      if (this.size === this.items.length) this.grow();
      this.head = (this.head - 1 + this.items.length) % this.items.length;
      this.items[this.head] = items[i];
      this.size++;
    }
    return dropped;
  }

  /** Removes everything, oldest first. */
  drain(): T[] {
    return this.take(this.size);
  }

  private grow(): void {
    const next = new Array<T | undefined>(Math.min(this.capacity, this.items.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
