import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { PrismaClient, ROLLUP_COUNTERS, type PgPool } from '@tokenledger/db';
import Decimal from 'decimal.js';
import { PG_READ_POOL } from '../../graphql/read-pool';
import type { OrgAccess } from '../access/principal';
import { SpendDimension, type SpendFilter } from './dto/spend.input';
import type { SpendRow } from './models/spend-row.model';

type Dim = 'project' | 'provider' | 'model' | 'feature' | 'customer' | 'environment';

const DIM_OF: Partial<Record<SpendDimension, Dim>> = {
  PROJECT: 'project',
  PROVIDER: 'provider',
  MODEL: 'model',
  FEATURE: 'feature',
  CUSTOMER: 'customer',
  ENVIRONMENT: 'environment',
};
const COLUMN: Record<Dim, string> = {
  project: 'project_id',
  provider: 'provider',
  model: 'model',
  feature: 'feature',
  customer: 'customer_id',
  environment: 'environment',
};
const FILTER_OF: Record<Exclude<Dim, 'project'>, keyof SpendFilter> = {
  provider: 'providers',
  model: 'models',
  feature: 'features',
  customer: 'customers',
  environment: 'environments',
};

interface Table {
  name: string;
  bucket: 'hour' | 'day';
  dims: readonly Dim[];
}

/** Coarsest first: the planner takes the first table that has every needed dimension. */
const TABLES: readonly Table[] = [
  { name: 'daily_rollups', bucket: 'day', dims: ['project', 'provider', 'model', 'feature', 'environment'] },
  { name: 'daily_customer_rollups', bucket: 'day', dims: ['project', 'customer', 'provider', 'model'] },
  {
    name: 'hourly_rollups',
    bucket: 'hour',
    dims: ['project', 'provider', 'model', 'feature', 'customer', 'environment'],
  },
];

export const MAX_SPEND_ROWS = 10_000;
const MAX_RANGE_DAYS = 3 * 366;

function isMidnightUtc(d: Date): boolean {
  return (
    d.getUTCHours() === 0 &&
    d.getUTCMinutes() === 0 &&
    d.getUTCSeconds() === 0 &&
    d.getUTCMilliseconds() === 0
  );
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The plan of one spend query: which rollup table, and why (exposed for tests and benchmarks). */
export interface SpendPlan {
  table: string;
  sql: string;
  params: unknown[];
  dims: Dim[];
  time: 'HOUR' | 'DAY' | 'MONTH' | null;
}

/**
 * Spend from the rollup tables, never from raw events. The planner picks the coarsest table that
 * holds every dimension the query groups or filters by, and daily tables only when the range is
 * whole UTC days and no hour or non-UTC bucket is asked for.
 */
@Injectable()
export class SpendService {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(PG_READ_POOL) private readonly pool: PgPool,
  ) {}

  async spend(
    access: OrgAccess,
    filter: SpendFilter,
    groupBy: SpendDimension[],
    timeZone: string,
    limit: number,
  ): Promise<SpendRow[]> {
    const plan = await this.plan(access, filter, groupBy, timeZone, limit);
    const { rows } = await this.pool.query<Record<string, string | Date | null>>(plan.sql, plan.params);
    const slugs = plan.dims.includes('project')
      ? await this.projectSlugs(access.organizationId)
      : new Map<string, string>();
    return rows.map((r) => this.toRow(r, plan.dims, slugs));
  }

  async plan(
    access: OrgAccess,
    filter: SpendFilter,
    groupBy: SpendDimension[],
    timeZone: string,
    limit: number,
  ): Promise<SpendPlan> {
    const from = filter.from;
    const to = filter.to;
    if (!(from < to))
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'filter.to: must be after filter.from');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `filter: a range may span at most ${MAX_RANGE_DAYS} days`,
      );
    }
    if (!validTimeZone(timeZone))
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `timeZone: "${timeZone}" is not an IANA time zone`,
      );
    if (limit < 1 || limit > MAX_SPEND_ROWS)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `limit: must be between 1 and ${MAX_SPEND_ROWS}`,
      );
    const times = [...new Set(groupBy.filter((g) => g === 'HOUR' || g === 'DAY' || g === 'MONTH'))] as (
      'HOUR' | 'DAY' | 'MONTH'
    )[];
    if (times.length > 1)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'groupBy: use at most one of HOUR, DAY, MONTH');
    const time = times[0] ?? null;
    const dims = [...new Set(groupBy.map((g) => DIM_OF[g]).filter((d): d is Dim => d !== undefined))];

    const needed = new Set<Dim>(dims);
    const where: string[] = ['organization_id = $1'];
    const params: unknown[] = [access.organizationId];
    const projectIds = await this.projectFilter(access, filter.projects);
    if (projectIds) {
      needed.add('project');
      params.push(projectIds);
      where.push(`project_id = ANY($${params.length}::uuid[])`);
    }
    for (const [dim, field] of Object.entries(FILTER_OF) as [Exclude<Dim, 'project'>, keyof SpendFilter][]) {
      const values = filter[field] as string[] | null | undefined;
      if (values && values.length > 0) {
        needed.add(dim);
        params.push(values);
        where.push(`${COLUMN[dim]} = ANY($${params.length}::text[])`);
      }
    }

    const dayAligned = isMidnightUtc(from) && isMidnightUtc(to);
    const localBuckets = timeZone !== 'UTC' && (time === 'DAY' || time === 'MONTH');
    const table =
      TABLES.find(
        (t) =>
          [...needed].every((d) => t.dims.includes(d)) &&
          (t.bucket === 'hour' || (dayAligned && time !== 'HOUR' && !localBuckets)),
      ) ?? TABLES[TABLES.length - 1]!;

    if (table.bucket === 'day') {
      params.push(from.toISOString().slice(0, 10), to.toISOString().slice(0, 10));
      where.push(`day >= $${params.length - 1}::date AND day < $${params.length}::date`);
    } else {
      params.push(from, to);
      where.push(
        `hour >= date_trunc('hour', $${params.length - 1}::timestamptz) AND hour < $${params.length}::timestamptz`,
      );
    }

    let period: string | null = null;
    if (time) {
      const unit = time.toLowerCase();
      if (table.bucket === 'day')
        period =
          unit === 'day'
            ? `day::timestamp AT TIME ZONE 'UTC'`
            : `date_trunc('month', day)::timestamp AT TIME ZONE 'UTC'`;
      else if (unit === 'hour') period = 'hour';
      else {
        params.push(timeZone);
        const tz = `$${params.length}::text`;
        period = `date_trunc('${unit}', hour AT TIME ZONE ${tz}) AT TIME ZONE ${tz}`;
      }
    }

    const groupCols = dims.map((d) => COLUMN[d]);
    const select = [
      ...groupCols,
      ...(period ? [`${period} AS period`] : []),
      'sum(cost_usd)::text AS cost_usd',
      ...ROLLUP_COUNTERS.map(([c]) => `sum(${c})::text AS ${c}`),
    ];
    const groupExprs = [...groupCols, ...(period ? ['period'] : [])];
    params.push(limit);
    const sql = [
      `SELECT ${select.join(', ')}`,
      `FROM ${table.name}`,
      `WHERE ${where.join(' AND ')}`,
      groupExprs.length ? `GROUP BY ${groupExprs.join(', ')}` : '',
      groupExprs.length
        ? `ORDER BY ${period ? 'period ASC, ' : ''}sum(cost_usd) DESC${groupCols.length ? `, ${groupCols.join(', ')}` : ''}`
        : '',
      `LIMIT $${params.length}`,
    ]
      .filter(Boolean)
      .join('\n');
    return { table: table.name, sql, params, dims, time };
  }

  /** Project ids to restrict to: the filter's slugs (each must exist), narrowed for project keys. */
  private async projectFilter(
    access: OrgAccess,
    slugs: string[] | null | undefined,
  ): Promise<string[] | null> {
    if (!slugs || slugs.length === 0) return access.projectId ? [access.projectId] : null;
    const found = await this.prisma.project.findMany({
      where: { organizationId: access.organizationId, slug: { in: slugs } },
      select: { id: true, slug: true },
    });
    const missing = slugs.filter((s) => !found.some((p) => p.slug === s));
    if (missing.length > 0)
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `filter.projects: no project ${missing.map((s) => `"${s}"`).join(', ')} in "${access.slug}"`,
      );
    const ids = found.map((p) => p.id).filter((id) => !access.projectId || id === access.projectId);
    if (ids.length === 0)
      throw new TokenledgerError(ErrorCode.NotFound, 'filter.projects: not visible to this key');
    return ids;
  }

  private async projectSlugs(organizationId: string): Promise<Map<string, string>> {
    const projects = await this.prisma.project.findMany({
      where: { organizationId },
      select: { id: true, slug: true },
    });
    return new Map(projects.map((p) => [p.id, p.slug]));
  }

  private toRow(r: Record<string, string | Date | null>, dims: Dim[], slugs: Map<string, string>): SpendRow {
    const text = (dim: Dim): string | null => {
      if (!dims.includes(dim)) return null;
      const value = r[COLUMN[dim]] as string;
      if (dim === 'project') return slugs.get(value) ?? value;
      return value === '' ? null : value;
    };
    const n = (c: string) => Number(r[c] ?? 0);
    const latencyCount = n('latency_count');
    return {
      project: text('project'),
      provider: text('provider'),
      model: text('model'),
      feature: text('feature'),
      customer: text('customer'),
      environment: text('environment'),
      period: (r.period as Date | null | undefined) ?? null,
      costUsd: new Decimal((r.cost_usd as string | null) ?? '0'),
      requests: n('requests'),
      pricedRequests: n('priced_requests'),
      unpricedRequests: n('unpriced_requests'),
      errorRequests: n('error_requests'),
      inputTokens: n('input_tokens'),
      outputTokens: n('output_tokens'),
      cacheReadTokens: n('cache_read_tokens'),
      cacheWriteTokens: n('cache_write_tokens'),
      cacheWrite1hTokens: n('cache_write_1h_tokens'),
      reasoningTokens: n('reasoning_tokens'),
      inputAudioTokens: n('input_audio_tokens'),
      outputAudioTokens: n('output_audio_tokens'),
      inputImageTokens: n('input_image_tokens'),
      unpricedInputTokens: n('unpriced_input_tokens'),
      unpricedOutputTokens: n('unpriced_output_tokens'),
      avgLatencyMs: latencyCount > 0 ? n('latency_ms_sum') / latencyCount : null,
    };
  }
}
