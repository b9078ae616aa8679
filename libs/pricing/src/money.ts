import Decimal from 'decimal.js';

/**
 * USD amounts. A decimal.js constructor with room for every digit a price can produce (token
 * counts up to 1e10 times prices with many decimals), so sums and products never round. Instances
 * are ordinary decimal.js values (`instanceof Decimal`, `Decimal.isDecimal`).
 */
export const Usd = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

/** Decimal.js stores 7 decimal digits per word; scales that are multiples of 7 keep words aligned. */
export const WORD_DIGITS = 7;
const WORD = 1e7;

/** A non-negative decimal written without exponent or sign: "0", "2.5", "0.003625". */
export const DECIMAL_STRING = /^(0|[1-9]\d*)(\.\d+)?$/;

/** The canonical text of a non-negative decimal: no exponent, no trailing zeros ("2.50" → "2.5"). */
export function canonicalDecimal(value: Decimal.Value): string {
  return new Usd(value).toFixed();
}

/**
 * A float read from a price file (LiteLLM, genai-prices) as the decimal its author wrote. JSON
 * numbers arrive as doubles; `String()` gives the shortest text that reads back as the same double,
 * which is the literal in the file. Doubles carry 15 reliable significant digits, so artefacts of
 * earlier float arithmetic (3.0000000000000004e-06) are rounded to 15 of them.
 */
export function decimalFromFloat(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return new Usd(String(value)).toSignificantDigits(15);
}

/**
 * `n × 10^-scale` as a decimal, for a non-negative safe integer `n` and a `scale` that is a
 * multiple of 7. Pricing produces millions of these per second, and parsing a string or a large
 * number costs ten times more than building the value from its words: with a scale aligned to
 * decimal.js's 7-digit words, the integer's base-1e7 words are exactly the decimal's words and only
 * the exponent moves. Checked against decimal.js's own parsing in money.spec.ts.
 */
export function scaledToDecimal(n: number, scale: number): Decimal {
  if (n === 0) return new Usd(0);
  const words: number[] = [];
  let m = n;
  while (m >= WORD) {
    words.push(m % WORD);
    m = Math.floor(m / WORD);
  }
  words.push(m);
  words.reverse();
  let lead = 1;
  for (let w = words[0]!; w >= 10; w /= 10) lead++;
  const e = lead - 1 + (words.length - 1) * WORD_DIGITS - scale;
  while (words.length > 1 && words[words.length - 1] === 0) words.pop();
  const x = Object.create(Usd.prototype) as Decimal & {
    constructor: typeof Usd;
    s: number;
    e: number;
    d: number[];
  };
  x.constructor = Usd;
  x.s = 1;
  x.e = e;
  x.d = words;
  return x;
}

/** `n × 10^-scale` for integers beyond 2^53 (the slow path). */
export function bigScaledToDecimal(n: bigint, scale: number): Decimal {
  return new Usd(`${n.toString()}e-${scale}`);
}

/**
 * A decimal as an integer at the smallest power of ten that makes it whole:
 * "0.003625" → { int: 3625n, digits: 6 }.
 */
export function toScaledInteger(value: Decimal): { int: bigint; digits: number } {
  const text = value.toFixed();
  const dot = text.indexOf('.');
  if (dot < 0) return { int: BigInt(text), digits: 0 };
  return { int: BigInt(text.slice(0, dot) + text.slice(dot + 1)), digits: text.length - dot - 1 };
}

/** The smallest multiple of 7 at or above `digits`. */
export function alignScale(digits: number): number {
  return Math.ceil(digits / WORD_DIGITS) * WORD_DIGITS;
}

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}
