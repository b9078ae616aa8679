import { TOKEN_KINDS, type UsageField } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import type { ProjectsRepository } from '../accounts/projects.repository';
import type { OrgScope } from '../accounts/scope';
import { ROLLUP_COUNTERS } from '../ingest/rollup.sql';
import type { PgPool } from '../pg';
import {
  checkSpendArgs,
  planSpend,
  SPEND_COLUMN,
  type SpendArgs,
  type SpendDim,
  type SpendPlan,
  type SpendTag,
  type SpendValueDim,
} from './spend-plan';

/** A spend question as a reader asks it: projects by slug, the other dimensions by value. */
export interface SpendRequest extends SpendArgs {
  projects?: readonly string[] | null;
  values?: Partial<Record<SpendValueDim, readonly string[] | null | undefined>>;
  tags?: readonly SpendTag[] | null;
  tagKey?: string | null;
  /**
   * The SpendTotals fields the reader will look at (a GraphQL selection): only their counters are
   * summed, the others read as 0. Omitted: every field.
   */
  fields?: ReadonlySet<string> | null;
  /** API key ids (api_key_rollups); ids of another organization's keys simply match nothing. */
  apiKeyIds?: readonly string[] | null;
}

/** Totals of one group, with tokens by kind (`inputTokens`, …). Dimensions not grouped by are null. */
export interface SpendTotals extends Record<UsageField, number> {
  project: string | null;
  provider: string | null;
  model: string | null;
  feature: string | null;
  customer: string | null;
  environment: string | null;
  /** The value of the grouped tag key. */
  tag: string | null;
  period: Date | null;
  costUsd: Decimal;
  requests: number;
  pricedRequests: number;
  unpricedRequests: number;
  errorRequests: number;
  unpricedInputTokens: number;
  unpricedOutputTokens: number;
  avgLatencyMs: number | null;
}

type Row = Record<string, string | Date | null>;

/** Spend totals from the rollup tables (the planner in spend-plan.ts picks which). */
export class SpendRepository {
  constructor(
    private readonly pool: PgPool,
    private readonly projects: ProjectsRepository,
  ) {}

  async totals(scope: OrgScope, request: SpendRequest): Promise<SpendTotals[]> {
    const plan = await this.plan(scope, request);
    const { rows } = await this.pool.query<Row>(plan.sql, plan.params);
    const slugs = plan.dims.includes('project')
      ? await this.projects.slugsById(scope.organizationId)
      : new Map<string, string>();
    return rows.map((r) => toTotals(r, plan.dims, slugs));
  }

  /** The plan `totals` runs: the arguments checked first, then the projects resolved. */
  async plan(scope: OrgScope, request: SpendRequest): Promise<SpendPlan> {
    checkSpendArgs(request);
    const projectIds = await this.projects.idsForFilter(scope, request.projects);
    return planSpend({
      ...request,
      organizationId: scope.organizationId,
      projectIds,
      values: request.values ?? {},
      counters: request.fields ? countersFor(request.fields) : null,
    });
  }
}

/** The rollup counters behind some SpendTotals fields (`avgLatencyMs` needs two). */
export function countersFor(fields: ReadonlySet<string>): string[] {
  return ROLLUP_COUNTERS.filter(
    ([, field]) =>
      fields.has(field) ||
      ((field === 'latencyMsSum' || field === 'latencyCount') && fields.has('avgLatencyMs')),
  ).map(([column]) => column);
}

function toTotals(r: Row, dims: SpendDim[], slugs: Map<string, string>): SpendTotals {
  const text = (dim: SpendDim): string | null => {
    if (!dims.includes(dim)) return null;
    const value = r[SPEND_COLUMN[dim]] as string;
    if (dim === 'project') return slugs.get(value) ?? value;
    return value === '' ? null : value;
  };
  const n = (c: string) => Number(r[c] ?? 0);
  const latencyCount = n('latency_count');
  const totals = {
    project: text('project'),
    provider: text('provider'),
    model: text('model'),
    feature: text('feature'),
    customer: text('customer'),
    environment: text('environment'),
    tag: text('tag'),
    period: (r.period as Date | null | undefined) ?? null,
    costUsd: new Decimal((r.cost_usd as string | null) ?? '0'),
    requests: n('requests'),
    pricedRequests: n('priced_requests'),
    unpricedRequests: n('unpriced_requests'),
    errorRequests: n('error_requests'),
    unpricedInputTokens: n('unpriced_input_tokens'),
    unpricedOutputTokens: n('unpriced_output_tokens'),
    avgLatencyMs: latencyCount > 0 ? n('latency_ms_sum') / latencyCount : null,
  } as SpendTotals;
  for (const kind of TOKEN_KINDS) totals[kind.field] = n(kind.column);
  return totals;
}
