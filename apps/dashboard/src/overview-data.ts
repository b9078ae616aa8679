import type { QueryClient } from '@tanstack/react-query';
import { session } from './graphql';
import { ORG_KEY, pickOrg, rememberedMe } from './me';
import { spendQuery, spendVariables, type SpendRow, type SpendVariables } from './spend-query';
import { browserTimeZone, monthToDate, rangeDays, resolveRange, type RangeChoice } from './time-range';
import { parseRange } from './url-state';

type Grouping = NonNullable<SpendVariables['groupBy']>;

/** The spend the overview's first screen draws: totals, spend per day by model, spend by model. */
export const FIRST_SCREEN = {
  totals: { groupBy: [] as Grouping, limit: 1000 },
  daily: { groupBy: ['DAY', 'MODEL'] as Grouping, limit: 10_000 },
  models: { groupBy: ['PROVIDER', 'MODEL'] as Grouping, limit: 1000 },
} as const;

/** The overview's range seen from `now` in `timeZone`: the filter and its calendar days. */
export function overviewRange(range: RangeChoice, timeZone: string, now: Date) {
  return { filter: resolveRange(range, now, timeZone), days: rangeDays(range, now, timeZone) };
}

/**
 * The overview's first-screen `spend` questions on this load, exactly as the page asks them (same
 * variables, so the same cache keys): the three above and month to date against last month. None
 * when this load is not the overview of a session whose organization is known.
 */
export function firstScreenQuestions(now = new Date()): SpendVariables[] {
  if (!/^\/?$/.test(window.location.pathname)) return [];
  const org = pickOrg(rememberedMe(session.token)?.me.organizations ?? [], localStorage.getItem(ORG_KEY));
  if (!org) return [];
  const timeZone = browserTimeZone();
  const { filter } = overviewRange(parseRange(new URLSearchParams(window.location.search)), timeZone, now);
  const mtd = monthToDate(now, timeZone);
  return [
    ...Object.values(FIRST_SCREEN).map((q) =>
      spendVariables(org.slug, filter, q.groupBy, { ...q, timeZone }),
    ),
    spendVariables(org.slug, mtd.current, [], { timeZone }),
    spendVariables(org.slug, mtd.previous, [], { timeZone }),
  ];
}

type Early = Map<string, Promise<SpendRow[]>>;
const EARLY = '__tokenledgerEarly';

/**
 * Sends the overview's first-screen questions now: run by the small script index.html loads before
 * the app, so the answers are on their way while the app's code downloads and starts.
 */
export function askEarly(): void {
  const early: Early = new Map();
  for (const v of firstScreenQuestions()) {
    const answer = spendQuery(v).queryFn({ signal: new AbortController().signal });
    answer.catch(() => undefined); // the page asks again itself if this one failed
    early.set(JSON.stringify(v), answer);
  }
  (window as unknown as Record<string, Early>)[EARLY] = early;
}

/**
 * Puts the first-screen answers into the app's cache under the page's own keys: the early ones where
 * the early script sent them, else asked now.
 */
export function prefetchOverview(client: QueryClient): void {
  const early = (window as unknown as Record<string, Early | undefined>)[EARLY];
  for (const v of firstScreenQuestions()) {
    const query = spendQuery(v);
    const sent = early?.get(JSON.stringify(v));
    void client.prefetchQuery(sent ? { queryKey: query.queryKey, queryFn: () => sent } : query);
  }
}
