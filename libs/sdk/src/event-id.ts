/**
 * Time-sortable event ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32,
 * 26 characters), monotonic within one millisecond so ids sort in the order they were made.
 *
 * Randomness comes from `crypto.getRandomValues` (Node 18+ with web crypto, every edge runtime),
 * drawn in blocks so one id costs a few hundred nanoseconds; `Math.random` only where no web
 * crypto exists (an id needs uniqueness, not secrecy).
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL_SIZE = 4096;
const RANDOM_40_BITS = 2 ** 40;

interface RandomSource {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
}

const webCrypto = (globalThis as { crypto?: Partial<RandomSource> }).crypto;
const fill: (bytes: Uint8Array) => void =
  typeof webCrypto?.getRandomValues === 'function'
    ? (bytes) => void (webCrypto as RandomSource).getRandomValues(bytes)
    : (bytes) => {
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
      };

const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Five random bytes as a number in [0, 2^40). */
function random40(): number {
  if (poolOffset + 5 > POOL_SIZE) {
    fill(pool);
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 5;
  return (
    pool[o]! * 2 ** 32 +
    ((pool[o + 1]! << 24) >>> 0) +
    (pool[o + 2]! << 16) +
    (pool[o + 3]! << 8) +
    pool[o + 4]!
  );
}

function encode(value: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[value % 32]! + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** 40 bits as 8 characters: two 20-bit halves, unrolled (this runs on every track()). */
function encode40(value: number): string {
  const a = ALPHABET;
  const hi = Math.floor(value / 1048576);
  const lo = value - hi * 1048576;
  return (
    a[(hi >>> 15) & 31]! +
    a[(hi >>> 10) & 31]! +
    a[(hi >>> 5) & 31]! +
    a[hi & 31]! +
    a[(lo >>> 15) & 31]! +
    a[(lo >>> 10) & 31]! +
    a[(lo >>> 5) & 31]! +
    a[lo & 31]!
  );
}

let lastTime = -1;
let prefix = '';
let high = 0;
let low = 0;

/** A new ULID. `now` is for tests; ids made in the same millisecond increase by one. */
export function newEventId(now: number = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    high = random40();
    low = random40();
    prefix = encode(now, 10) + encode40(high);
  } else {
    // Same millisecond (or a clock that went back): increment the random part, keeping order.
    low += 1;
    if (low === RANDOM_40_BITS) {
      low = 0;
      high = (high + 1) % RANDOM_40_BITS;
      prefix = encode(lastTime, 10) + encode40(high);
    }
  }
  return prefix + encode40(low);
}

/** The millisecond time encoded in a ULID made by {@link newEventId}. */
export function eventIdTime(id: string): number {
  let time = 0;
  for (let i = 0; i < 10; i++) time = time * 32 + ALPHABET.indexOf(id[i]!);
  return time;
}
