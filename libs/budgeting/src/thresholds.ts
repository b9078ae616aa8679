import Decimal from 'decimal.js';

/** The thresholds (percentages of `amount`) that `spent` has reached, lowest first. */
export function crossedThresholds(thresholds: readonly number[], spent: Decimal, amount: Decimal): number[] {
  return [...thresholds].sort((a, b) => a - b).filter((t) => spent.gte(amount.times(t).div(100)));
}

/** Spend against a budget's amount: what status shows. */
export interface BudgetUsage {
  spentUsd: Decimal;
  remainingUsd: Decimal;
  /** Percentage of the amount spent (may pass 100). */
  percentUsed: number;
  exceeded: boolean;
}

export function budgetUsage(spent: Decimal, amount: Decimal): BudgetUsage {
  return {
    spentUsd: spent,
    remainingUsd: Decimal.max(0, amount.minus(spent)),
    percentUsed: spent.div(amount).times(100).toDecimalPlaces(2).toNumber(),
    exceeded: spent.gte(amount),
  };
}
