import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { graphql, request, type ResultOf, type VariablesOf } from './graphql';
import { useOrg } from './org';

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

export type SpendRow = ResultOf<typeof SPEND>['spend'][number];
export type SpendVariables = VariablesOf<typeof SPEND>;
type SpendDimension = NonNullable<SpendVariables['groupBy']>[number];

function sameGrouping(a: SpendVariables, b: SpendVariables): boolean {
  return (a.groupBy ?? []).join() === (b.groupBy ?? []).join();
}

/**
 * One `spend` query, cached by its variables: going back to a view draws it at once, and a new
 * answer replaces the previous one only when it arrives (the old stays on screen meanwhile).
 */
export function useSpend(
  filter: SpendVariables['filter'],
  groupBy: SpendDimension[],
  options: { limit?: number; timeZone?: string; enabled?: boolean } = {},
) {
  const org = useOrg();
  const variables: SpendVariables = {
    org: org.slug,
    filter,
    groupBy,
    limit: options.limit ?? 1000,
    timeZone: options.timeZone ?? 'UTC',
  };
  return useQuery<SpendRow[], Error, SpendRow[], readonly ['spend', SpendVariables]>({
    queryKey: ['spend', variables],
    queryFn: ({ signal }) => request(SPEND, variables, signal).then((d) => d.spend),
    // While a new answer loads, the previous one stays drawn (stale-while-revalidate).
    // Only while the grouping is the same: rows of another grouping would be mislabelled.
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameGrouping(previousQuery.queryKey[1], variables)
        ? keepPreviousData(previous)
        : undefined,
    enabled: options.enabled ?? true,
  });
}
