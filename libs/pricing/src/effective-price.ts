import { canonicalDecimal, DECIMAL_STRING, Usd } from './money';
import { ModelIndex } from './match';
import { isAdjustment, parseModelMatch, type RateCard } from './rate-card';
import type { TableInForce } from './snapshot';

/** One step of how a price in force was found: the rate that prices, and a discount above it. */
export interface PriceStep {
  kind: 'base' | 'discount';
  /** Index into the `inForce` list given to `effectivePrice`. */
  table: number;
  /** The rate as its version states it (a price card, or `{ discountPercent }`). */
  prices: unknown;
  match: unknown;
  source: string;
}

export interface EffectivePrice {
  /** The card that prices the model now: the base card with any discount applied to every price. */
  prices: unknown;
  /** The table that states the base price (index into `inForce`). */
  base: PriceStep;
  /** The discount applied, when an override above the base holds one. */
  discount: PriceStep | null;
}

/** Every USD price in a card multiplied by `factor` (prices, tiers, rules, service tiers' own prices). */
export function scaleCard(card: unknown, factor: string): unknown {
  const f = new Usd(factor);
  const walk = (value: unknown, key: string | null): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        // Multipliers, thresholds and windows are not prices; everything else holding a decimal is.
        if (k === 'multiplier' || k === 'aboveInputTokens' || k === 'when' || k === 'label' || k === 'notes')
          out[k] = v;
        else out[k] = walk(v, k);
      }
      return out;
    }
    if (typeof value === 'string' && key !== null && DECIMAL_STRING.test(value))
      return canonicalDecimal(new Usd(value).times(f));
    return value;
  };
  return walk(card, null);
}

/**
 * The price in force for one catalog model id, as the pricer finds it for that exact id: the
 * tables in force in consult order (`tablesInForce`), the first with a price card for the model
 * wins, and a discount stated by a table above it applies to every price of that card
 * (docs/PRICING.md). Null when no table prices it.
 */
export function effectivePrice(
  inForce: TableInForce[],
  provider: string,
  model: string,
): EffectivePrice | null {
  let discount: PriceStep | null = null;
  for (let i = 0; i < inForce.length; i++) {
    const rate =
      inForce[i]!.rates.find((r) => r.provider === provider && r.model === model) ??
      inForce[i]!.rates.find(
        (r) => r.provider === provider && isDiscount(r.prices) && matches(r.match, model),
      );
    if (!rate) continue;
    const card = rate.prices as RateCard;
    const step = { table: i, prices: rate.prices, match: rate.match, source: rate.source };
    if (isDiscount(card)) {
      discount ??= { kind: 'discount', ...step };
      continue;
    }
    const factor = discount
      ? canonicalDecimal(
          new Usd(100)
            .minus(new Usd((discount.prices as { discountPercent: string }).discountPercent))
            .div(100),
        )
      : null;
    return {
      prices: factor ? scaleCard(rate.prices, factor) : rate.prices,
      base: { kind: 'base', ...step },
      discount,
    };
  }
  return null;
}

function matches(match: unknown, model: string): boolean {
  const parsed = parseModelMatch(match, 'match');
  if (!parsed.ok) return false;
  const index = new ModelIndex<true>();
  index.add(true, parsed.value);
  return index.hits(model).length > 0;
}

const isDiscount = (prices: unknown): boolean =>
  prices !== null && typeof prices === 'object' && isAdjustment(prices as RateCard);
