import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { isUuid } from '../accounts/scope';
import { ROLLUP_COUNTERS } from '../ingest/rollup.sql';

/**
 * What spend can be grouped by: six dimensions, the values of one tag key, and three time buckets
 * (GraphQL `SpendDimension`).
 */
export const SPEND_DIMENSIONS = [
  'PROJECT',
  'PROVIDER',
  'MODEL',
  'FEATURE',
  'CUSTOMER',
  'ENVIRONMENT',
  'TAG',
  'HOUR',
  'DAY',
  'MONTH',
] as const;
export type SpendGrouping = (typeof SPEND_DIMENSIONS)[number];
export type SpendTimeBucket = Extract<SpendGrouping, 'HOUR' | 'DAY' | 'MONTH'>;

export type SpendDim =
  'project' | 'provider' | 'model' | 'feature' | 'customer' | 'environment' | 'tag' | 'apiKey';
/** The dimensions a filter can restrict by value (projects by id, tags by key and value, API keys by id). */
export type SpendValueDim = Exclude<SpendDim, 'project' | 'tag' | 'apiKey'>;

const DIM_OF: Partial<Record<SpendGrouping, SpendDim>> = {
  PROJECT: 'project',
  PROVIDER: 'provider',
  MODEL: 'model',
  FEATURE: 'feature',
  CUSTOMER: 'customer',
  ENVIRONMENT: 'environment',
  TAG: 'tag',
};

/** The rollup column of each dimension. */
export const SPEND_COLUMN: Record<SpendDim, string> = {
  project: 'project_id',
  provider: 'provider',
  model: 'model',
  feature: 'feature',
  customer: 'customer_id',
  environment: 'environment',
  tag: 'tag_value',
  apiKey: 'api_key_id',
};

const VALUE_DIMS: readonly SpendValueDim[] = ['provider', 'model', 'feature', 'customer', 'environment'];

interface RollupTable {
  name: string;
  bucket: 'hour' | 'day';
  dims: readonly SpendDim[];
}

/** The table of tag questions: project × hour × tag key × tag value (tag-rollup.sql.ts). */
export const TAG_ROLLUP_TABLE: RollupTable = {
  name: 'tag_rollups',
  bucket: 'hour',
  dims: ['project', 'tag'],
};

/** The table of questions about the API key that sent the events: project × hour × key. */
export const API_KEY_ROLLUP_TABLE: RollupTable = {
  name: 'api_key_rollups',
  bucket: 'hour',
  dims: ['project', 'apiKey'],
};

/** Coarsest first: the planner takes the first table that has every needed dimension. */
export const ROLLUP_TABLES: readonly RollupTable[] = [
  { name: 'daily_rollups', bucket: 'day', dims: ['project', 'provider', 'model', 'feature', 'environment'] },
  {
    name: 'daily_customer_rollups',
    bucket: 'day',
    dims: ['project', 'customer', 'provider', 'model', 'feature', 'environment'],
  },
  {
    name: 'hourly_rollups',
    bucket: 'hour',
    dims: ['project', 'provider', 'model', 'feature', 'customer', 'environment'],
  },
];

export const MAX_SPEND_ROWS = 10_000;
export const MAX_SPEND_RANGE_DAYS = 3 * 366;

/** The shape of a spend question, before projects are resolved: what can be checked without a database. */
export interface SpendArgs {
  from: Date;
  to: Date;
  groupBy: readonly SpendGrouping[];
  /** IANA zone of DAY and MONTH buckets. */
  timeZone: string;
  limit: number;
}

/** A spend question with the projects resolved to ids: everything the planner needs. */
export interface SpendQuery extends SpendArgs {
  organizationId: string;
  /** Restrict to these projects; null for the whole organization. */
  projectIds: readonly string[] | null;
  /** Restrict each dimension to these values ("" selects usage without one); empty = no restriction. */
  values: Partial<Record<SpendValueDim, readonly string[] | null | undefined>>;
  /** Restrict to usage carrying one of these tags (all of one key: a value of that key). */
  tags?: readonly SpendTag[] | null;
  /** The key whose values `TAG` groups by. */
  tagKey?: string | null;
  /**
   * The counter columns to sum (ROLLUP_COUNTERS' columns; cost is always summed). Omitted: all of
   * them. A reader that shows a few (GraphQL asks for what its selection names) sums only those.
   */
  counters?: readonly string[] | null;
  /** Restrict to usage sent with one of these API keys (ids); usage with no key recorded never matches. */
  apiKeyIds?: readonly string[] | null;
}

export interface SpendTag {
  key: string;
  value: string;
}

/** The plan of one spend query: which rollup table, and the statement to send. */
export interface SpendPlan {
  table: string;
  sql: string;
  params: unknown[];
  dims: SpendDim[];
  time: SpendTimeBucket | null;
}

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

/** Refuses a spend question that no plan can answer, naming the argument at fault. */
export function checkSpendArgs(args: SpendArgs): SpendTimeBucket | null {
  const { from, to, timeZone, limit } = args;
  if (!(from < to))
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'filter.to: must be after filter.from');
  if (to.getTime() - from.getTime() > MAX_SPEND_RANGE_DAYS * 86_400_000) {
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `filter: a range may span at most ${MAX_SPEND_RANGE_DAYS} days`,
    );
  }
  if (!validTimeZone(timeZone))
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `timeZone: "${timeZone}" is not an IANA time zone`,
    );
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SPEND_ROWS)
    throw new TokenledgerError(ErrorCode.ValidationFailed, `limit: must be between 1 and ${MAX_SPEND_ROWS}`);
  const times = [
    ...new Set(
      args.groupBy.filter((g): g is SpendTimeBucket => g === 'HOUR' || g === 'DAY' || g === 'MONTH'),
    ),
  ];
  if (times.length > 1)
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'groupBy: use at most one of HOUR, DAY, MONTH');
  return times[0] ?? null;
}

/**
 * Plans a spend query over the rollup tables, never raw events: the coarsest table that holds every
 * dimension the query groups or filters by, and daily tables only when the range is whole UTC days
 * and no hour or non-UTC bucket is asked for. Pure: no database, no clock.
 */
export function planSpend(query: SpendQuery): SpendPlan {
  const time = checkSpendArgs(query);
  const { from, to, timeZone } = query;
  const dims = [
    ...new Set(query.groupBy.map((g) => DIM_OF[g]).filter((d): d is SpendDim => d !== undefined)),
  ];

  const needed = new Set<SpendDim>(dims);
  const where: string[] = ['organization_id = $1'];
  const params: unknown[] = [query.organizationId];
  const tagKey = tagKeyOf(query, dims.includes('tag'));
  if (tagKey !== null) {
    needed.add('tag');
    params.push(tagKey);
    where.push(`tag_key = $${params.length}`);
    const tagValues = (query.tags ?? []).map((t) => t.value);
    if (tagValues.length > 0) {
      params.push(tagValues);
      where.push(`tag_value = ANY($${params.length}::text[])`);
    }
  }
  if (query.projectIds) {
    needed.add('project');
    params.push([...query.projectIds]);
    where.push(`project_id = ANY($${params.length}::uuid[])`);
  }
  const apiKeyIds = query.apiKeyIds ?? [];
  if (apiKeyIds.length > 0) {
    for (const id of apiKeyIds)
      if (!isUuid(id))
        throw new TokenledgerError(ErrorCode.ValidationFailed, `apiKeyIds: "${id}" is not an API key id`);
    needed.add('apiKey');
    params.push([...apiKeyIds]);
    where.push(`api_key_id = ANY($${params.length}::uuid[])`);
  }
  for (const dim of VALUE_DIMS) {
    const values = query.values[dim];
    if (values && values.length > 0) {
      needed.add(dim);
      params.push([...values]);
      where.push(`${SPEND_COLUMN[dim]} = ANY($${params.length}::text[])`);
    }
  }

  const dayAligned = isMidnightUtc(from) && isMidnightUtc(to);
  const localBuckets = timeZone !== 'UTC' && (time === 'DAY' || time === 'MONTH');
  const table = needed.has('tag')
    ? tagTable(needed)
    : needed.has('apiKey')
      ? apiKeyTable(needed)
      : (ROLLUP_TABLES.find(
          (t) =>
            [...needed].every((d) => t.dims.includes(d)) &&
            (t.bucket === 'hour' || (dayAligned && time !== 'HOUR' && !localBuckets)),
        ) ?? ROLLUP_TABLES[ROLLUP_TABLES.length - 1]!);

  // A range that is not whole UTC days but spans some: its whole days from a daily table, its
  // partial first and last days from the hourly table, summed together (one answer, as if the
  // hourly table had been read throughout, at the cost of a few days of hours).
  const days = wholeDays(from, to);
  const daily =
    table.bucket === 'hour' &&
    !needed.has('tag') &&
    !needed.has('apiKey') &&
    !dayAligned &&
    time !== 'HOUR' &&
    !localBuckets &&
    days
      ? ROLLUP_TABLES.find((t) => t.bucket === 'day' && [...needed].every((d) => t.dims.includes(d)))
      : undefined;
  if (daily && days) return splitPlan(query, { daily, hourly: table, days, where, params, dims, time });

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
    if (table.bucket === 'day') period = dailyPeriod(unit);
    else if (unit === 'hour') period = 'hour';
    else {
      params.push(timeZone);
      const tz = `$${params.length}::text`;
      period = `date_trunc('${unit}', hour AT TIME ZONE ${tz}) AT TIME ZONE ${tz}`;
    }
  }

  const groupCols = dims.map((d) => SPEND_COLUMN[d]);
  const sql = groupedSql(
    groupCols,
    period,
    `FROM ${table.name}\nWHERE ${where.join(' AND ')}`,
    params,
    query,
  );
  return { table: table.name, sql, params, dims, time };
}

/** A day bucket of a daily table as an instant (UTC midnight of the day or of its month's first day). */
function dailyPeriod(unit: string): string {
  return unit === 'day'
    ? `day::timestamp AT TIME ZONE 'UTC'`
    : `date_trunc('month', day)::timestamp AT TIME ZONE 'UTC'`;
}

/**
 * The statement every plan ends in: totals per group (and period) over `source` ("FROM … WHERE …"),
 * periods first, then the most spent; the limit bound as the last parameter.
 */
function groupedSql(
  groupCols: string[],
  period: string | null,
  source: string,
  params: unknown[],
  query: SpendQuery,
): string {
  const select = [
    ...groupCols,
    ...(period ? [`${period} AS period`] : []),
    'sum(cost_usd)::text AS cost_usd',
    ...countersOf(query).map((c) => `sum(${c})::text AS ${c}`),
  ];
  const groupExprs = [...groupCols, ...(period ? ['period'] : [])];
  params.push(query.limit);
  return [
    `SELECT ${select.join(', ')}`,
    source,
    groupExprs.length ? `GROUP BY ${groupExprs.join(', ')}` : '',
    groupExprs.length
      ? `ORDER BY ${period ? 'period ASC, ' : ''}sum(cost_usd) DESC${groupCols.length ? `, ${groupCols.join(', ')}` : ''}`
      : '',
    `LIMIT $${params.length}`,
  ]
    .filter(Boolean)
    .join('\n');
}

const ALL_COUNTERS = ROLLUP_COUNTERS.map(([c]) => c);

/** The counter columns a query sums: the ones it names (checked against the rollups'), else all. */
function countersOf(query: SpendQuery): readonly string[] {
  if (!query.counters) return ALL_COUNTERS;
  const unknown = query.counters.find((c) => !ALL_COUNTERS.includes(c));
  if (unknown !== undefined) throw new Error(`spend: no rollup counter named ${unknown}`);
  return ALL_COUNTERS.filter((c) => query.counters!.includes(c));
}

const DAY_MS = 86_400_000;

/** The whole UTC days inside [from, to) (first day's midnight, end midnight), or null when none. */
function wholeDays(from: Date, to: Date): { first: Date; end: Date } | null {
  const hourStart = Math.floor(from.getTime() / 3_600_000) * 3_600_000;
  const first = Math.ceil(hourStart / DAY_MS) * DAY_MS;
  const end = Math.floor(to.getTime() / DAY_MS) * DAY_MS;
  return end > first ? { first: new Date(first), end: new Date(end) } : null;
}

/**
 * The union plan: the whole days from `daily`, the hours before the first and from the last
 * midnight from `hourly` (the same hours the hourly table alone would read), then grouped once.
 */
function splitPlan(
  query: SpendQuery,
  p: {
    daily: RollupTable;
    hourly: RollupTable;
    days: { first: Date; end: Date };
    where: string[];
    params: unknown[];
    dims: SpendDim[];
    time: SpendTimeBucket | null;
  },
): SpendPlan {
  const { params, dims, time } = p;
  const groupCols = dims.map((d) => SPEND_COLUMN[d]);
  const counters = countersOf(query);
  const unit = time?.toLowerCase();
  const hourlyPeriod = unit ? `date_trunc('${unit}', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` : null;
  const inner = (period: string | null) =>
    [...groupCols, ...(period ? [`${period} AS period`] : []), 'cost_usd', ...counters].join(', ');
  params.push(p.days.first.toISOString().slice(0, 10), p.days.end.toISOString().slice(0, 10));
  const dayRange = `day >= $${params.length - 1}::date AND day < $${params.length}::date`;
  params.push(query.from, p.days.first, p.days.end, query.to);
  const [from, first, end, to] = [params.length - 3, params.length - 2, params.length - 1, params.length];
  const hourRange = `((hour >= date_trunc('hour', $${from}::timestamptz) AND hour < $${first}::timestamptz) OR (hour >= $${end}::timestamptz AND hour < $${to}::timestamptz))`;
  const where = p.where.join(' AND ');
  const sql = groupedSql(
    groupCols,
    unit ? 'period' : null,
    [
      `FROM (SELECT ${inner(unit ? dailyPeriod(unit) : null)} FROM ${p.daily.name} WHERE ${where} AND ${dayRange}`,
      `UNION ALL SELECT ${inner(hourlyPeriod)} FROM ${p.hourly.name} WHERE ${where} AND ${hourRange}) AS u`,
    ].join('\n'),
    params,
    query,
  );
  return { table: `${p.daily.name}+${p.hourly.name}`, sql, params, dims, time };
}

/**
 * The one tag key a query restricts or groups by, or null when it asks nothing of tags. Tag rollups
 * keep one key per row, so a query names at most one key: its filter's and its grouping's.
 */
function tagKeyOf(query: SpendQuery, groupsByTag: boolean): string | null {
  const keys = new Set((query.tags ?? []).map((t) => t.key));
  if (query.tagKey) keys.add(query.tagKey);
  else if (groupsByTag)
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'tagKey: required when grouping by TAG');
  for (const k of keys)
    if (k.length === 0 || k.length > 128)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'tags.key: must be 1 to 128 characters');
  if (keys.size > 1)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `tags: a query may filter and group by one tag key, not ${keys.size} (${[...keys].join(', ')})`,
    );
  return keys.size === 1 ? [...keys][0]! : null;
}

/** Tag questions read tag_rollups, which keeps projects and hours beside the tag and nothing else. */
function tagTable(needed: Set<SpendDim>): RollupTable {
  const other = [...needed].filter((d) => !TAG_ROLLUP_TABLE.dims.includes(d));
  if (other.length > 0)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `tags: spend by tag can be combined with projects and time buckets, not with ${other.join(', ')}`,
    );
  return TAG_ROLLUP_TABLE;
}

/** API key questions read api_key_rollups, which keeps projects and hours beside the key and nothing else. */
function apiKeyTable(needed: Set<SpendDim>): RollupTable {
  const other = [...needed].filter((d) => !API_KEY_ROLLUP_TABLE.dims.includes(d));
  if (other.length > 0)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `apiKeyIds: spend by API key can be combined with projects and time buckets, not with ${other.join(', ')}`,
    );
  return API_KEY_ROLLUP_TABLE;
}
