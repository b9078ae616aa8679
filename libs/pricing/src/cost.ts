import {
  PART_KINDS,
  partsOf,
  tokenKind,
  TOTAL_KINDS,
  type TotalField,
  type UsageEvent,
  USAGE_FIELDS,
} from '@tokenledger/contracts';
import type Decimal from 'decimal.js';
import { combineMultipliers, ruleApplies, SLOT, type CompiledPrices } from './compile';
import { bigScaledToDecimal, scaledToDecimal } from './money';
import type { PricingResult, PricingStatus } from './pricer';
import type { Rate } from './rate-index';
import type { Resolved } from './resolution';

// The cost of one event at the rate resolved for it, over the named parts of its usage.

/** A part of the breakdown: its name and the price slot that bills it. */
interface Part {
  name: string;
  slot: number;
}

/**
 * Breakdown parts in output order: each total's own part (uncachedInput, output) followed by the
 * parts of it billed apart, then the per-request price.
 */
const PARTS: readonly Part[] = [
  ...TOTAL_KINDS.flatMap((total) => [total, ...partsOf(total.field)]).map((k) => ({
    name: k.part,
    slot: SLOT[k.price],
  })),
  { name: 'requests', slot: SLOT.request },
];
const PART_COUNT = PARTS.length;
const REQUESTS = PART_COUNT - 1;
const partIndex = (name: string) => PARTS.findIndex((p) => p.name === name);

/** A total: its usage field, its own part, its price. */
interface TotalPlan {
  field: TotalField;
  /** Index into the counts (TOKEN_KINDS order). */
  at: number;
  part: number;
  price: string;
  slot: number;
}
const TOTALS: readonly TotalPlan[] = TOTAL_KINDS.map((k) => ({
  field: k.field,
  at: USAGE_FIELDS.indexOf(k.field),
  part: partIndex(k.part),
  price: k.price,
  slot: SLOT[k.price],
}));

/**
 * A part of a total: where its tokens go. The first price that exists bills it: its own, then the
 * kind it is billed as (a 1-hour cache write as a 5-minute one), else its tokens stay in the total's
 * part.
 * Each step but the first is flagged `fallback:<kind>=<price used>`.
 */
interface LadderStep {
  slot: number;
  part: number;
  flag: string | null;
}
interface PartPlan {
  /** Index into the counts (TOKEN_KINDS order). */
  at: number;
  /** Index into TOTALS. */
  total: number;
  ladder: readonly LadderStep[];
  unpricedFlag: string;
}
const PART_PLANS: readonly PartPlan[] = PART_KINDS.map((k) => {
  const total = TOTALS.findIndex((t) => t.field === k.total);
  const ladder: LadderStep[] = [{ slot: SLOT[k.price], part: partIndex(k.part), flag: null }];
  if (k.billedAsIfUnpriced !== null) {
    const as = tokenKind(k.billedAsIfUnpriced);
    ladder.push({ slot: SLOT[as.price], part: partIndex(as.part), flag: `fallback:${k.price}=${as.price}` });
  }
  return {
    at: USAGE_FIELDS.indexOf(k.field),
    total,
    ladder,
    unpricedFlag: `fallback:${k.price}=${TOTALS[total]!.price}`,
  };
});

/** When the parts billed apart add up to more than their total, in words. */
const OVERLAP: Record<TotalField, (parts: number, total: number, rate: Rate) => string> = {
  inputTokens: (parts, total, rate) =>
    `usage: cache and media parts (${parts} tokens) exceed usage.inputTokens (${total}); ` +
    `${rate.model} prices them apart and the event does not say how they overlap`,
  outputTokens: (parts, total) =>
    `usage: reasoning and audio parts (${parts} tokens) exceed usage.outputTokens (${total})`,
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// Scratch space for computeCost, reused by every call: pricing is synchronous, so one event at a
// time uses them, and nothing returned refers to them (millions of events a second allocate none).
const TOKENS = new Array<number>(PART_COUNT).fill(0);
const VALUES = new Array<number>(PART_COUNT).fill(0);
const APART = [0, 0];

/** The prices that apply to an event (time rule, service tier, size tier, discount), with their flags. */
function pricesFor(event: UsageEvent, ms: number, resolved: Resolved, flags: string[]): CompiledPrices {
  const { rate, adjustment } = resolved;
  const card = rate.card;
  let set = card.base;
  for (const rule of card.rules) {
    if (ruleApplies(rule, ms)) {
      set = rule.set;
      flags.push(rule.flag);
      break;
    }
  }
  let multiplier: string | null = adjustment ? adjustment.card.adjustment!.multiplier : null;
  const tier = event.serviceTier;
  if (tier && tier !== 'standard') {
    const st = card.serviceTiers.get(tier);
    if (!st) flags.push(`service-tier:${tier}=standard`);
    else {
      flags.push(`service-tier:${tier}`);
      if ('set' in st) set = st.set;
      else multiplier = combineMultipliers(st.multiplier, multiplier);
    }
  }
  let prices = set.base;
  let tierFlag: string | null = null;
  for (const t of set.tiers) {
    if (event.usage.inputTokens > t.above) {
      prices = t.prices;
      tierFlag = t.flag;
    }
  }
  if (tierFlag) flags.push(tierFlag);
  return multiplier === null ? prices : prices.multiplied(multiplier);
}

/** `counts`: the event's token counts in TOKEN_KINDS order, checked (contracts' readUsage). */
export function computeCost(
  event: UsageEvent,
  counts: readonly number[],
  ms: number,
  resolved: Resolved,
): PricingResult {
  const { rate, adjustment } = resolved;
  const flags = resolved.flags.length === 0 ? [] : resolved.flags.slice();
  if (adjustment) flags.push(adjustment.card.adjustment!.flag, `base-rate-version:${rate.version.id}`);
  const prices = pricesFor(event, ms, resolved, flags);
  const rateVersionId = (adjustment ?? rate).version.id;

  // Tokens per part. A kind without a price is billed at its parent's price (in its parent's part).
  const p = prices.num;
  const tokens = TOKENS.fill(0);
  const apart = APART.fill(0);
  for (let i = 0; i < PART_PLANS.length; i++) {
    const plan = PART_PLANS[i]!;
    const n = counts[plan.at]!;
    if (n <= 0) continue;
    let billed = false;
    for (const step of plan.ladder) {
      if (p[step.slot]! >= 0) {
        tokens[step.part] += n;
        apart[plan.total] += n;
        if (step.flag !== null) flags.push(step.flag);
        billed = true;
        break;
      }
    }
    if (!billed) flags.push(plan.unpricedFlag);
  }
  for (let t = 0; t < TOTALS.length; t++) tokens[TOTALS[t]!.part] = counts[TOTALS[t]!.at]! - apart[t]!;
  tokens[REQUESTS] = p[SLOT.request]! >= 0 ? 1 : 0;

  for (let t = 0; t < TOTALS.length; t++) {
    const total = TOTALS[t]!;
    if (tokens[total.part]! < 0)
      return notPriced(
        rate,
        rateVersionId,
        flags,
        'error',
        OVERLAP[total.field](apart[t]!, counts[total.at]!, rate),
      );
  }
  for (const total of TOTALS) {
    const n = tokens[total.part]!;
    if (n > 0 && p[total.slot]! < 0)
      return notPriced(
        rate,
        rateVersionId,
        flags,
        'unpriced_component',
        `no ${total.price} price for model "${rate.model}" from provider "${rate.provider}": ${n} ${total.price} tokens cannot be priced`,
      );
  }

  // Exact integer arithmetic at 10^-scale USD: doubles while the total is a safe integer (then
  // every product and partial sum is one too, and exact), BigInt beyond.
  const values = VALUES.fill(0);
  let total = 0;
  for (let i = 0; i < PART_COUNT; i++) {
    if (tokens[i] === 0) continue;
    const v = tokens[i]! * p[PARTS[i]!.slot]!;
    values[i] = v;
    total += v;
  }
  const breakdown: Record<string, Decimal> = {};
  let totalUsd: Decimal;
  if (prices.safe && total <= MAX_SAFE) {
    for (let i = 0; i < PART_COUNT; i++)
      if (tokens[i] !== 0) breakdown[PARTS[i]!.name] = scaledToDecimal(values[i]!, prices.scale);
    totalUsd = scaledToDecimal(total, prices.scale);
  } else {
    let bigTotal = 0n;
    for (let i = 0; i < PART_COUNT; i++) {
      if (tokens[i] === 0) continue;
      const v = BigInt(tokens[i]!) * prices.big[PARTS[i]!.slot]!;
      bigTotal += v;
      breakdown[PARTS[i]!.name] = bigScaledToDecimal(v, prices.scale);
    }
    totalUsd = bigScaledToDecimal(bigTotal, prices.scale);
  }
  return {
    status: 'priced',
    reason: null,
    totalUsd,
    breakdown,
    rateVersionId,
    pricedModel: rate.model,
    pricedProvider: rate.provider,
    flags,
  };
}

function notPriced(
  rate: Rate,
  rateVersionId: string,
  flags: string[],
  status: PricingStatus,
  reason: string,
): PricingResult {
  return {
    status,
    reason,
    totalUsd: null,
    breakdown: null,
    rateVersionId,
    pricedModel: rate.model,
    pricedProvider: rate.provider,
    flags,
  };
}
