import Decimal from 'decimal.js';
import { alignScale, pow10, toScaledInteger, Usd } from './money';
import {
  isAdjustment,
  parseInstant,
  parseTimeOfDay,
  PRICE_KEYS,
  type PriceFields,
  type PriceKey,
  type PriceSet,
  type PricedServiceTier,
  type RateCard,
  type Rule,
} from './rate-card';

/** Component slots of a compiled price list (PRICE_KEYS order). */
export const SLOT = Object.fromEntries(PRICE_KEYS.map((key, slot) => [key, slot])) as Readonly<
  Record<PriceKey, number>
>;
export const SLOT_COUNT = PRICE_KEYS.length;

/**
 * One price list as exact integers: slot i costs `num[i] × 10^-scale` USD per token (per request
 * for `request`), or is unpriced when `num[i]` is -1. `scale` is a multiple of 7 (see
 * `scaledToDecimal`). `num` holds safe integers when `safe`; `big` always holds the exact values.
 */
export class CompiledPrices {
  private readonly derived = new Map<string, CompiledPrices>();

  constructor(
    readonly scale: number,
    readonly big: readonly (bigint | null)[],
    readonly num: Float64Array,
    readonly safe: boolean,
  ) {}

  static fromFields(fields: PriceFields): CompiledPrices {
    const decimals = PRICE_KEYS.map((k) => (fields[k] === undefined ? null : new Usd(fields[k]!)));
    let digits = 0;
    const scaled = decimals.map((d, i) => {
      if (d === null) return null;
      const s = toScaledInteger(d);
      // Token prices are per 1,000,000 tokens: six more decimals per token.
      digits = Math.max(digits, s.digits + (i === SLOT.request ? 0 : 6));
      return s;
    });
    const scale = alignScale(digits);
    const big = scaled.map((s, i) =>
      s === null ? null : s.int * pow10(scale - s.digits - (i === SLOT.request ? 0 : 6)),
    );
    return CompiledPrices.fromBig(scale, big);
  }

  static fromBig(scale: number, big: (bigint | null)[]): CompiledPrices {
    const num = new Float64Array(SLOT_COUNT);
    let safe = true;
    big.forEach((b, i) => {
      if (b === null) num[i] = -1;
      else {
        num[i] = Number(b);
        if (b > BigInt(Number.MAX_SAFE_INTEGER)) safe = false;
      }
    });
    return new CompiledPrices(scale, big, num, safe);
  }

  has(slot: number): boolean {
    return this.big[slot] !== null;
  }

  /** USD per 1M tokens (per request for `request`) of a slot, for display. */
  perMillion(slot: number): Decimal | null {
    const b = this.big[slot];
    if (b === null || b === undefined) return null;
    return new Usd(`${b.toString()}e-${this.scale - (slot === SLOT.request ? 0 : 6)}`);
  }

  /** These prices times an exact decimal multiplier (a service tier, a discount), cached. */
  multiplied(multiplier: string): CompiledPrices {
    const cached = this.derived.get(multiplier);
    if (cached) return cached;
    const m = toScaledInteger(new Usd(multiplier));
    const scale = alignScale(this.scale + m.digits);
    const pad = pow10(scale - this.scale - m.digits);
    const result = CompiledPrices.fromBig(
      scale,
      this.big.map((b) => (b === null ? null : b * m.int * pad)),
    );
    this.derived.set(multiplier, result);
    return result;
  }
}

export interface CompiledTier {
  above: number;
  prices: CompiledPrices;
  flag: string;
}

export interface CompiledPriceSet {
  base: CompiledPrices;
  /** Ascending thresholds. */
  tiers: CompiledTier[];
}

export interface CompiledRule {
  fromMs: number;
  untilMs: number;
  /** Milliseconds after UTC midnight; -1 when the rule has no daily window. */
  startMs: number;
  endMs: number;
  /** Bit (1 << isoWeekday); 0 means every day. */
  weekdays: number;
  flag: string;
  set: CompiledPriceSet;
}

export type CompiledServiceTier = { multiplier: string } | { set: CompiledPriceSet };

export interface CompiledCard {
  adjustment: { multiplier: string; flag: string } | null;
  base: CompiledPriceSet;
  rules: CompiledRule[];
  serviceTiers: Map<PricedServiceTier, CompiledServiceTier>;
}

const PRICE_FIELD_KEYS = new Set<string>(PRICE_KEYS);

function fieldsOf(set: PriceFields): PriceFields {
  const out: PriceFields = {};
  for (const key of PRICE_KEYS) if (set[key] !== undefined) out[key] = set[key];
  return out;
}

export function compilePriceSet(set: PriceSet): CompiledPriceSet {
  const fields = fieldsOf(set);
  return {
    base: CompiledPrices.fromFields(fields),
    tiers: (set.tiers ?? []).map((tier) => {
      const merged: PriceFields = { ...fields };
      for (const [k, v] of Object.entries(tier))
        if (PRICE_FIELD_KEYS.has(k)) merged[k as PriceKey] = v as string;
      return {
        above: tier.aboveInputTokens,
        prices: CompiledPrices.fromFields(merged),
        flag: `tier:>${tier.aboveInputTokens}`,
      };
    }),
  };
}

function ruleFlag(rule: Rule): string {
  if (rule.label) return `window:${rule.label}`;
  const w = rule.when;
  if (w.timeOfDay) return `window:${w.timeOfDay.start}-${w.timeOfDay.end}`;
  if (w.weekdays) return `window:weekdays-${w.weekdays.join('')}`;
  if (w.from) return `since:${w.from.slice(0, 10)}`;
  return `until:${w.until!.slice(0, 10)}`;
}

export function compileRule(rule: Rule): CompiledRule {
  const w = rule.when;
  return {
    fromMs: w.from ? parseInstant(w.from) : -Infinity,
    untilMs: w.until ? parseInstant(w.until) : Infinity,
    startMs: w.timeOfDay ? parseTimeOfDay(w.timeOfDay.start) : -1,
    endMs: w.timeOfDay ? parseTimeOfDay(w.timeOfDay.end) : -1,
    weekdays: (w.weekdays ?? []).reduce((mask, d) => mask | (1 << d), 0),
    flag: ruleFlag(rule),
    set: compilePriceSet(rule),
  };
}

export function compileCard(card: RateCard): CompiledCard {
  if (isAdjustment(card)) {
    const pct = new Usd(card.discountPercent);
    return {
      adjustment: {
        multiplier: new Usd(100).minus(pct).div(100).toFixed(),
        flag: `override:discount-${pct.toFixed()}%`,
      },
      base: compilePriceSet({}),
      rules: [],
      serviceTiers: new Map(),
    };
  }
  const serviceTiers = new Map<PricedServiceTier, CompiledServiceTier>();
  for (const [tier, value] of Object.entries(card.serviceTiers ?? {})) {
    if (!value) continue;
    serviceTiers.set(
      tier as PricedServiceTier,
      'multiplier' in value ? { multiplier: value.multiplier } : { set: compilePriceSet(value) },
    );
  }
  return {
    adjustment: null,
    base: compilePriceSet(card),
    rules: (card.rules ?? []).map(compileRule),
    serviceTiers,
  };
}

const DAY_MS = 86_400_000;

/** ISO weekday (1 = Monday) of an instant, in UTC. */
export function isoWeekday(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

export function msOfDay(ms: number): number {
  return ((ms % DAY_MS) + DAY_MS) % DAY_MS;
}

export function ruleApplies(rule: CompiledRule, ms: number): boolean {
  if (ms < rule.fromMs || ms >= rule.untilMs) return false;
  if (rule.weekdays !== 0 && (rule.weekdays & (1 << isoWeekday(ms))) === 0) return false;
  if (rule.startMs >= 0) {
    const t = msOfDay(ms);
    if (rule.startMs < rule.endMs) return t >= rule.startMs && t < rule.endMs;
    return t >= rule.startMs || t < rule.endMs;
  }
  return true;
}

/** Combines two exact multipliers ("0.5" × "0.9" = "0.45"). */
export function combineMultipliers(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return new Usd(a).times(b).toFixed();
}
