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

/** Whether two `spend` questions group alike (a previous answer may stand in while the new loads). */
export function sameGrouping(a: SpendVariables, b: SpendVariables): boolean {
  return (a.groupBy ?? []).join() === (b.groupBy ?? []).join();
}

type SpendOptions = { limit?: number; timeZone?: string; enabled?: boolean };

/**
 * One `spend` question, cached by its variables: going back to a view draws it at once, and a new
 * answer replaces the previous one only when it arrives (the old stays on screen meanwhile).
 */
function useSpendOf<Row, Kind extends string>(
  query: (variables: SpendVariables) => {
    queryKey: readonly [Kind, SpendVariables];
    queryFn: (context: { signal: AbortSignal }) => Promise<Row[]>;
  },
  filter: SpendVariables['filter'],
  groupBy: SpendDimension[],
  options: SpendOptions,
) {
  const org = useOrg();
  const variables = spendVariables(org.slug, filter, groupBy, options);
  return useQuery<Row[], Error, Row[], readonly [Kind, SpendVariables]>({
    ...query(variables),
    // While a new answer loads, the previous one stays drawn (stale-while-revalidate).
    // Only while the grouping is the same: rows of another grouping would be mislabelled.
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameGrouping(previousQuery.queryKey[1], variables)
        ? keepPreviousData(previous)
        : undefined,
    enabled: options.enabled ?? true,
  });
}

/** Every figure of a `spend` question (SPEND). */
export function useSpend(
  filter: SpendVariables['filter'],
  groupBy: SpendDimension[],
  options: SpendOptions = {},
) {
  return useSpendOf<SpendRow, 'spend'>(spendQuery, filter, groupBy, options);
}

/** A chart's `spend`: the dimensions, bucket and cost only (SPEND_SERIES). */
export function useSpendSeries(
  filter: SpendVariables['filter'],
  groupBy: SpendDimension[],
  options: SpendOptions = {},
) {
  return useSpendOf<SeriesRow, 'spend-series'>(seriesQuery, filter, groupBy, options);
}
