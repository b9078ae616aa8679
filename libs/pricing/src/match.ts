import type { MatchPattern, ModelMatch } from './rate-card';

/**
 * Model-name matching. Names are compared lower-cased and trimmed. The most specific match wins:
 *
 *   exact id or alias  >  exact after writing a compact date as ISO (-20260424 → -2026-04-24)
 *   >  exact after removing a trailing date (gpt-5.5-2026-04-24 → gpt-5.5, a dated snapshot)
 *   >  prefix or suffix  >  contains  >  regex  >  every model of the provider
 *
 * and among patterns of one kind, the longer literal wins. Two different rates that match a name
 * equally well are ambiguous: an error, never a silent choice (see `findAmbiguities`).
 */

export const SCORE_KIND = {
  exact: 6,
  exactIsoDate: 5,
  snapshot: 4,
  affix: 3,
  contains: 2,
  regex: 1,
  allModels: 0,
} as const;

const KIND_WEIGHT = 1000;

export function kindOf(score: number): number {
  return Math.floor(score / KIND_WEIGHT);
}

export function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** `claude-3-5-sonnet-20241022` → `claude-3-5-sonnet-2024-10-22` (as @pydantic/genai-prices does). */
export function isoDateVariant(name: string): string {
  return name.replace(COMPACT_DATE, (all, dash: string, y: string, m: string, d: string) =>
    validDate(y, m, d) ? `${dash}${y}-${m}-${d}` : all,
  );
}

const TRAILING_DATE = /[-@](\d{4})-?(\d{2})-?(\d{2})$/;

/** `gpt-5.5-2026-04-24` → `gpt-5.5`; null when the name does not end in a valid date. */
export function stripSnapshotDate(name: string): string | null {
  const m = TRAILING_DATE.exec(name);
  if (!m || !validDate(m[1]!, m[2]!, m[3]!)) return null;
  const base = name.slice(0, m.index);
  return base.length > 0 ? base : null;
}

/** A compiled pattern returns its specificity score for a name, or -1. */
export type PatternTest = (name: string) => number;

const score = (kind: number, length: number) => kind * KIND_WEIGHT + Math.min(length, KIND_WEIGHT - 1);

export function compilePattern(pattern: MatchPattern): PatternTest {
  if ('equals' in pattern) {
    const v = normalizeName(pattern.equals);
    const s = score(SCORE_KIND.exact, v.length);
    return (n) => (n === v ? s : -1);
  }
  if ('startsWith' in pattern) {
    const v = pattern.startsWith.toLowerCase();
    const s = score(SCORE_KIND.affix, v.length);
    return (n) => (n.startsWith(v) ? s : -1);
  }
  if ('endsWith' in pattern) {
    const v = pattern.endsWith.toLowerCase();
    const s = score(SCORE_KIND.affix, v.length);
    return (n) => (n.endsWith(v) ? s : -1);
  }
  if ('contains' in pattern) {
    const v = pattern.contains.toLowerCase();
    const s = score(SCORE_KIND.contains, v.length);
    return (n) => (n.includes(v) ? s : -1);
  }
  if ('regex' in pattern) {
    const re = new RegExp(pattern.regex);
    const s = score(SCORE_KIND.regex, pattern.regex.length);
    return (n) => (re.test(n) ? s : -1);
  }
  if ('allOf' in pattern) {
    const parts = pattern.allOf.map(compilePattern);
    return (n) => {
      let kind = 0;
      let length = 0;
      for (const part of parts) {
        const s = part(n);
        if (s < 0) return -1;
        kind = Math.max(kind, kindOf(s));
        length += s % KIND_WEIGHT;
      }
      return score(kind, length);
    };
  }
  const parts = pattern.anyOf.map(compilePattern);
  return (n) => {
    let best = -1;
    for (const part of parts) best = Math.max(best, part(n));
    return best;
  };
}

/** Literal strings in a pattern, used as probe names when looking for ambiguities. */
export function patternLiterals(pattern: MatchPattern, out: string[] = []): string[] {
  if ('allOf' in pattern) pattern.allOf.forEach((p) => patternLiterals(p, out));
  else if ('anyOf' in pattern) pattern.anyOf.forEach((p) => patternLiterals(p, out));
  else if ('equals' in pattern) out.push(normalizeName(pattern.equals));
  else if ('startsWith' in pattern) out.push(pattern.startsWith.toLowerCase());
  else if ('endsWith' in pattern) out.push(pattern.endsWith.toLowerCase());
  else if ('contains' in pattern) out.push(pattern.contains.toLowerCase());
  return out;
}

export interface MatchHit<T> {
  entry: T;
  score: number;
  /** How the name matched, for the result's flags. */
  how: 'exact' | 'iso-date' | 'snapshot' | 'pattern' | 'all-models';
  /** What matched: the id a snapshot or ISO date was read as, or the pattern (`startsWith(gpt-5.5-)`). */
  detail?: string;
}

/** The part of a pattern that matches `name`, in words (`startsWith(gpt-5.5-)`); null when none does. */
export function describeMatch(pattern: MatchPattern, name: string): string | null {
  if ('allOf' in pattern) {
    const parts = pattern.allOf.map((p) => describeMatch(p, name));
    return parts.every((p) => p !== null) ? parts.join('&') : null;
  }
  if ('anyOf' in pattern) {
    let best: { s: number; d: string } | null = null;
    for (const p of pattern.anyOf) {
      const s = compilePattern(p)(name);
      const d = s >= 0 ? describeMatch(p, name) : null;
      if (d !== null && (!best || s > best.s)) best = { s, d };
    }
    return best?.d ?? null;
  }
  if (compilePattern(pattern)(name) < 0) return null;
  const [kind, value] = Object.entries(pattern)[0] as [string, string];
  return `${kind}(${value})`;
}

export type MatchOutcome<T> =
  { kind: 'none' } | { kind: 'hit'; hit: MatchHit<T> } | { kind: 'ambiguous'; hits: MatchHit<T>[] };

interface PatternEntry<T> {
  entry: T;
  test: PatternTest;
  pattern: MatchPattern;
}

/** The rates of one provider in one version, indexed for matching. */
export class ModelIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly snapshotExact = new Map<string, T[]>();
  private readonly patterns: PatternEntry<T>[] = [];
  private readonly allModels: T[] = [];
  /** Probe names for the ambiguity check: every literal of every rate. */
  readonly literals = new Set<string>();

  add(entry: T, match: ModelMatch): void {
    for (const name of match.exact ?? []) {
      const n = normalizeName(name);
      push(this.exact, n, entry);
      if (match.snapshots !== false) push(this.snapshotExact, n, entry);
      this.literals.add(n);
    }
    for (const pattern of match.patterns ?? []) {
      this.patterns.push({ entry, test: compilePattern(pattern), pattern });
      for (const literal of patternLiterals(pattern)) this.literals.add(literal);
    }
    if (match.allModels) this.allModels.push(entry);
  }

  get size(): number {
    return this.exact.size + this.patterns.length + this.allModels.length;
  }

  get allModelsCount(): number {
    return this.allModels.length;
  }

  /** Every rate that matches `name`, with its best score. */
  hits(rawName: string): MatchHit<T>[] {
    const name = normalizeName(rawName);
    const best = new Map<T, MatchHit<T>>();
    const offer = (entry: T, s: number, how: MatchHit<T>['how'], detail?: () => string | undefined) => {
      const seen = best.get(entry);
      if (!seen || seen.score < s) best.set(entry, { entry, score: s, how, detail: detail?.() });
    };
    for (const entry of this.exact.get(name) ?? [])
      offer(entry, score(SCORE_KIND.exact, name.length), 'exact');
    const iso = isoDateVariant(name);
    if (iso !== name)
      for (const entry of this.exact.get(iso) ?? [])
        offer(entry, score(SCORE_KIND.exactIsoDate, iso.length), 'iso-date', () => iso);
    const base = stripSnapshotDate(iso);
    if (base !== null)
      for (const entry of this.snapshotExact.get(base) ?? [])
        offer(entry, score(SCORE_KIND.snapshot, base.length), 'snapshot', () => base);
    for (const { entry, test, pattern } of this.patterns) {
      const direct = test(name);
      const viaIso = iso !== name ? test(iso) : -1;
      const s = Math.max(direct, viaIso);
      // An `equals` inside a pattern counts as an exact name.
      if (s >= 0)
        offer(
          entry,
          s,
          kindOf(s) >= SCORE_KIND.exact ? 'exact' : 'pattern',
          () => describeMatch(pattern, direct >= viaIso ? name : iso) ?? undefined,
        );
    }
    for (const entry of this.allModels) offer(entry, score(SCORE_KIND.allModels, 0), 'all-models');
    return [...best.values()];
  }

  /** The most specific rate for `name`, or none, or the rates that tie for it. */
  match(name: string): MatchOutcome<T> {
    const hits = this.hits(name);
    if (hits.length === 0) return { kind: 'none' };
    let top = hits[0]!;
    for (const h of hits) if (h.score > top.score) top = h;
    const tied = hits.filter((h) => h.score === top.score);
    return tied.length === 1 ? { kind: 'hit', hit: top } : { kind: 'ambiguous', hits: tied };
  }

  /**
   * Names that two rates match equally well: the same exact alias twice, the same pattern twice,
   * or any literal of the index (an alias, a prefix, a contained string) on which the best matches
   * tie. Run when a catalog is loaded or a version is published.
   */
  findAmbiguities(): { name: string; entries: T[] }[] {
    const found: { name: string; entries: T[] }[] = [];
    for (const name of this.literals) {
      const outcome = this.match(name);
      if (outcome.kind === 'ambiguous') found.push({ name, entries: outcome.hits.map((h) => h.entry) });
    }
    return found;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}
