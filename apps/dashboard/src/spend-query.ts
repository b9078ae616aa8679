// The `spend` query as plain data and a fetch, without React: the early request (early.ts) runs it
// before the app's code has loaded; spend.ts wraps it in a hook.
import { graphql, request, type ResultOf, type VariablesOf } from './graphql';

export const SPEND = graphql(`
  query Spend(
    $org: String
    $filter: SpendFilter!
    $groupBy: [SpendDimension!]
    $limit: Int!
    $timeZone: String!
  ) {
    spend(org: $org, filter: $filter, groupBy: $groupBy, limit: $limit, timeZone: $timeZone) {
      project
      provider
      model
      feature
      customer
      environment
      period
      costUsd
      requests
      unpricedRequests
      inputTokens
      outputTokens
      cacheReadTokens
      reasoningTokens
    }
  }
`);

/**
 * The same question with only what a chart draws (the dimensions, the bucket, the cost): a chart of
 * a day per customer is thousands of rows, and the API sums only the counters a query selects.
 */
export const SPEND_SERIES = graphql(`
  query SpendSeries(
    $org: String
    $filter: SpendFilter!
    $groupBy: [SpendDimension!]
    $limit: Int!
    $timeZone: String!
  ) {
    spend(org: $org, filter: $filter, groupBy: $groupBy, limit: $limit, timeZone: $timeZone) {
      project
      provider
      model
      feature
      customer
      environment
      period
      costUsd
    }
  }
`);

export type SpendRow = ResultOf<typeof SPEND>['spend'][number];
export type SeriesRow = ResultOf<typeof SPEND_SERIES>['spend'][number];
export type SpendVariables = VariablesOf<typeof SPEND>;
export type SpendDimension = NonNullable<SpendVariables['groupBy']>[number];

/** The variables of one `spend` query, as useSpend and a prefetch both build them. */
export function spendVariables(
  orgSlug: string,
  filter: SpendVariables['filter'],
  groupBy: SpendDimension[],
  options: { limit?: number; timeZone?: string } = {},
): SpendVariables {
  return {
    org: orgSlug,
    filter,
    groupBy,
    limit: options.limit ?? 1000,
    timeZone: options.timeZone ?? 'UTC',
  };
}

/** The cache key and fetch of one `spend` query: the same for the page and for a prefetch. */
export function spendQuery(variables: SpendVariables) {
  return {
    queryKey: ['spend', variables] as const,
    queryFn: ({ signal }: { signal: AbortSignal }) => request(SPEND, variables, signal).then((d) => d.spend),
  };
}

/** The cache key and fetch of one chart's `spend` (SPEND_SERIES). */
export function seriesQuery(variables: SpendVariables) {
  return {
    queryKey: ['spend-series', variables] as const,
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      request(SPEND_SERIES, variables, signal).then((d) => d.spend),
  };
}
