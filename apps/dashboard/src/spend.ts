import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useOrg } from './org';
import {
  seriesQuery,
  spendQuery,
  spendVariables,
  type SeriesRow,
  type SpendDimension,
  type SpendRow,
  type SpendVariables,
} from './spend-query';

export {
  SPEND,
  spendQuery,
  spendVariables,
  type SeriesRow,
  type SpendRow,
  type SpendVariables,
} from './spend-query';

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
  const variables = spendVariables(org.slug, filter, groupBy, options);
  return useQuery<SpendRow[], Error, SpendRow[], readonly ['spend', SpendVariables]>({
    ...spendQuery(variables),
    // While a new answer loads, the previous one stays drawn (stale-while-revalidate).
    // Only while the grouping is the same: rows of another grouping would be mislabelled.
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameGrouping(previousQuery.queryKey[1], variables)
        ? keepPreviousData(previous)
        : undefined,
    enabled: options.enabled ?? true,
  });
}

/** A chart's `spend`: the dimensions, bucket and cost only (SPEND_SERIES), cached like useSpend. */
export function useSpendSeries(
  filter: SpendVariables['filter'],
  groupBy: SpendDimension[],
  options: { limit?: number; timeZone?: string; enabled?: boolean } = {},
) {
  const org = useOrg();
  const variables = spendVariables(org.slug, filter, groupBy, options);
  return useQuery<SeriesRow[], Error, SeriesRow[], readonly ['spend-series', SpendVariables]>({
    ...seriesQuery(variables),
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameGrouping(previousQuery.queryKey[1], variables)
        ? keepPreviousData(previous)
        : undefined,
    enabled: options.enabled ?? true,
  });
}
