import { isAdjustment, parseRateCard, parseTimeOfDay, type PriceSet, type Rule } from '@tokenledger/pricing';
import type { MixLayout } from './traffic';

/** What the layout needs of a model's facts. */
export interface LimitFacts {
  contextWindow: number | null;
  maxOutputTokens: number | null;
}

/**
 * Prompt sizes users route by ("prompts of at most 8,000 tokens"): buckets also cut there, so such a
 * move is exact at these sizes. Other limits are applied at the nearest cut below them.
 */
export const ROUTING_PROMPT_SIZES = [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000] as const;

export const MINUTES_PER_WEEK = 7 * 1440;

/**
 * The cuts the traffic mix keeps, from every model fact and rate card in the catalog: a prompt
 * bucket starts just above every context window and every tier threshold (`aboveInputTokens`),
 * an output bucket just above every output limit, and the minutes of a week fall into classes by
 * which time-of-day windows (rules with `timeOfDay` or `weekdays`) contain them.
 */
export function mixLayout(facts: readonly LimitFacts[], cards: readonly unknown[]): MixLayout {
  const input = new Set<number>([0, ...ROUTING_PROMPT_SIZES.map((n) => n + 1)]);
  const output = new Set<number>([0]);
  for (const f of facts) {
    if (f.contextWindow !== null && f.contextWindow > 0) input.add(f.contextWindow + 1);
    if (f.maxOutputTokens !== null && f.maxOutputTokens > 0) output.add(f.maxOutputTokens + 1);
  }
  const windows: { start: number; end: number; weekdays: number[] | null }[] = [];
  const seenWindows = new Set<string>();
  const addTiers = (set: PriceSet | undefined) => {
    for (const t of set?.tiers ?? []) input.add(t.aboveInputTokens + 1);
  };
  for (const raw of cards) {
    const parsed = parseRateCard(raw);
    if (!parsed.ok || isAdjustment(parsed.value)) continue;
    const card = parsed.value;
    addTiers(card);
    for (const rule of card.rules ?? []) {
      addTiers(rule);
      const w = windowOf(rule);
      if (w) {
        const key = JSON.stringify(w);
        if (!seenWindows.has(key)) {
          seenWindows.add(key);
          windows.push(w);
        }
      }
    }
    for (const st of Object.values(card.serviceTiers ?? {}))
      if (st && !('multiplier' in st)) addTiers(st as PriceSet);
  }
  return {
    inputFloors: [...input].sort((a, b) => a - b),
    outputFloors: [...output].sort((a, b) => a - b),
    windowMinutes: windows.length === 0 ? [] : windowClasses(windows),
  };
}

function windowOf(rule: Rule): { start: number; end: number; weekdays: number[] | null } | null {
  const { timeOfDay, weekdays } = rule.when;
  if (!timeOfDay && !weekdays) return null;
  const start = timeOfDay ? Math.floor(parseTimeOfDay(timeOfDay.start) / 60_000) : 0;
  const end = timeOfDay ? Math.floor(parseTimeOfDay(timeOfDay.end) / 60_000) : 1440;
  return { start, end, weekdays: weekdays ? [...weekdays].sort() : null };
}

/** For each minute of the week, the first minute of its day that every window treats the same way. */
function windowClasses(windows: { start: number; end: number; weekdays: number[] | null }[]): number[] {
  const out = new Array<number>(MINUTES_PER_WEEK);
  for (let day = 0; day < 7; day++) {
    const isoWeekday = day + 1;
    const first = new Map<string, number>();
    for (let minute = 0; minute < 1440; minute++) {
      let signature = '';
      for (const w of windows) {
        const onDay = w.weekdays === null || w.weekdays.includes(isoWeekday);
        const inTime =
          w.start < w.end ? minute >= w.start && minute < w.end : minute >= w.start || minute < w.end;
        signature += onDay && inTime ? '1' : '0';
      }
      let rep = first.get(signature);
      if (rep === undefined) first.set(signature, (rep = minute));
      out[day * 1440 + minute] = rep;
    }
  }
  return out;
}

/** The representative minute of the day for an instant (what the companion keys by). */
export function windowMinuteOf(layout: MixLayout, ms: number): number {
  if (layout.windowMinutes.length === 0) return 0;
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7;
  return layout.windowMinutes[day * 1440 + d.getUTCHours() * 60 + d.getUTCMinutes()]!;
}

/** The floor of the bucket a count falls in. */
export function floorOf(floors: readonly number[], tokens: number): number {
  let found = 0;
  for (const f of floors) {
    if (f <= tokens) found = f;
    else break;
  }
  return found;
}

/**
 * The window classes as runs: minute-of-week starts (the first is 0) and the representative minute
 * of each run — what the database keeps (a few dozen numbers instead of 10,080).
 */
export function windowRuns(layout: MixLayout): { starts: number[]; minutes: number[] } {
  if (layout.windowMinutes.length === 0) return { starts: [0], minutes: [0] };
  const starts: number[] = [];
  const minutes: number[] = [];
  layout.windowMinutes.forEach((rep, m) => {
    const startOfDay = m % 1440 === 0;
    if (startOfDay || rep !== layout.windowMinutes[m - 1]) {
      starts.push(m);
      minutes.push(rep);
    }
  });
  return { starts, minutes };
}

/**
 * The UTC days on which some price can change (a rate version takes effect, a rule starts or
 * ends): between two of them, a day's prices depend only on its weekday and time of day, so the
 * traffic mix may be summed over such a period per weekday and priced on one of its days.
 */
export function pricePeriodStarts(
  versions: readonly { effectiveFrom: Date | string; cards: readonly unknown[] }[],
): string[] {
  const days = new Set<string>(['1970-01-01']);
  const add = (value: string | Date | undefined) => {
    if (value === undefined) return;
    const ms = value instanceof Date ? value.getTime() : Date.parse(value);
    if (Number.isFinite(ms)) days.add(new Date(ms).toISOString().slice(0, 10));
  };
  for (const v of versions) {
    add(v.effectiveFrom);
    for (const raw of v.cards) {
      const parsed = parseRateCard(raw);
      if (!parsed.ok || isAdjustment(parsed.value)) continue;
      for (const rule of parsed.value.rules ?? []) {
        add(rule.when.from);
        add(rule.when.until);
      }
    }
  }
  return [...days].sort();
}
