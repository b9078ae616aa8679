import type { Redis } from 'ioredis';

/** What the check endpoint needs of one budget: its kind, its scope and whether it is spent. */
export interface BudgetState {
  id: string;
  name: string;
  kind: string;
  scopeKind: string;
  projectId: string | null;
  scopeKey: string | null;
  scopeValue: string | null;
  amountUsd: string;
  spentUsd: string;
  periodEnd: string;
  exceeded: boolean;
}

/** The labels of a call about to be made (GET /v1/budgets/check). */
export interface BudgetLabels {
  projectId: string | null;
  /** The API key asking (its id): budgets scoped to this key bind its calls. */
  apiKeyId?: string | null;
  feature?: string | null;
  customerId?: string | null;
  environment?: string | null;
  model?: string | null;
  tags?: Record<string, string>;
}

const key = (organizationId: string) => `tl:budgets:state:{${organizationId}}`;

/** The hard budgets that apply to a call with these labels. */
export function bindingBudgets(states: readonly BudgetState[], labels: BudgetLabels): BudgetState[] {
  return states.filter((b) => {
    if (b.kind !== 'hard') return false;
    switch (b.scopeKind) {
      case 'organization':
        return true;
      case 'project':
        return b.projectId === labels.projectId;
      case 'feature':
        return labels.feature === b.scopeValue;
      case 'customer':
        return labels.customerId === b.scopeValue;
      case 'environment':
        return (labels.environment ?? 'production') === b.scopeValue;
      case 'model':
        return labels.model === b.scopeValue;
      case 'tag':
        return b.scopeKey !== null && labels.tags?.[b.scopeKey] === b.scopeValue;
      case 'api_key':
        return labels.apiKeyId != null && labels.apiKeyId === b.scopeValue;
      default:
        return false;
    }
  });
}

/**
 * Budgets' state per organization in Redis: the worker writes it after every evaluation (each
 * minute, and after each ingest write of an organization with budgets), the API after a budget
 * changes; the check endpoint reads it with one GET. It is as fresh as ingestion (seconds), not
 * exact to the cent.
 */
export class BudgetStateCache {
  constructor(private readonly redis: Redis) {}

  async write(organizationId: string, states: readonly BudgetState[]): Promise<void> {
    await this.redis.set(key(organizationId), JSON.stringify(states), 'EX', 24 * 3600);
  }

  async read(organizationId: string): Promise<BudgetState[]> {
    const raw = await this.redis.get(key(organizationId));
    return raw ? (JSON.parse(raw) as BudgetState[]) : [];
  }

  /** Whether the organization has budgets (the ingest path asks before scheduling an evaluation). */
  async hasBudgets(organizationId: string): Promise<boolean> {
    return (await this.redis.exists(key(organizationId))) === 1;
  }

  /** Forgets an organization's state (its last budget was deleted). */
  async clear(organizationId: string): Promise<void> {
    await this.redis.del(key(organizationId));
  }
}
