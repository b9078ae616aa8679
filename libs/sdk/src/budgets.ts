import type { EventContext } from './event.js';

/** The labels of a call about to be made, as `GET /v1/budgets/check` takes them. */
export interface BudgetLabels extends EventContext {
  model?: string;
}

/** A hard budget that applies to the labels checked. */
export interface BindingBudget {
  id: string;
  name: string;
  scope: { kind: string; key: string | null; value: string | null };
  amountUsd: string;
  spentUsd: string;
  exceeded: boolean;
  periodEnd: string;
}

/**
 * The answer of `checkBudget`. Enforcement is as fresh as ingestion (seconds), not exact to the
 * cent. When Tokenledger cannot be asked, the answer is `allowed` with `unavailable` set: budgets
 * never take an application down.
 */
export interface BudgetCheck {
  allowed: boolean;
  budgets: BindingBudget[];
  unavailable?: string;
}

/** Thrown by wrapped clients with `enforceBudgets` before the provider is called. */
export class BudgetExceededError extends Error {
  readonly code = 'BUDGET_EXCEEDED' as const;
  constructor(
    /** The exceeded budgets among those that bind. */
    readonly budgets: BindingBudget[],
    readonly labels: BudgetLabels,
  ) {
    super(`over budget: ${budgets.map((b) => `"${b.name}" ($${b.spentUsd} of $${b.amountUsd})`).join(', ')}`);
    this.name = 'BudgetExceededError';
  }
}

/** The query string of a check: feature, customerId, environment, model, tag.<key>. */
export function budgetQuery(labels: BudgetLabels): string {
  const q = new URLSearchParams();
  for (const name of ['feature', 'customerId', 'environment', 'model'] as const) {
    const v = labels[name];
    if (typeof v === 'string' && v.length > 0) q.set(name, v);
  }
  for (const [k, v] of Object.entries(labels.tags ?? {})) q.set(`tag.${k}`, v);
  return q.toString();
}
