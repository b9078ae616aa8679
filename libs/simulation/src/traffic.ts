import type Decimal from 'decimal.js';

/**
 * Token counters of a slice of traffic, summed over its requests. Parts are included in their
 * totals (API.md): cache reads and writes, input audio and images are part of `inputTokens`;
 * reasoning and output audio are part of `outputTokens`.
 */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  inputAudioTokens: number;
  outputAudioTokens: number;
  inputImageTokens: number;
}

export const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'reasoningTokens',
  'inputAudioTokens',
  'outputAudioTokens',
  'inputImageTokens',
] as const satisfies readonly (keyof TokenCounts)[];

/**
 * One row of the traffic mix (the rollups' companion, `daily_traffic_mix`): the requests of one
 * UTC day, source model and feature that fall in one prompt-size bucket, one output-size bucket,
 * one input-modality set, one service tier and one time-of-day window class. Every request of a
 * slice is on the same side of every context-window, output-limit and price-tier threshold the
 * layout knew, and in the same price window, so pricing the slice's sums is exact.
 */
export interface TrafficSlice extends TokenCounts {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  provider: string;
  model: string;
  /** "" when the usage named no feature. */
  feature: string;
  /** The smallest prompt (input tokens) of the bucket: every request has inputTokens ≥ this. */
  inputMin: number;
  /** The smallest output of the output bucket. */
  outputMin: number;
  /** Input modalities, sorted (["image", "text"]). */
  modalities: string[];
  serviceTier: string;
  /** A minute of the day (UTC) in the slice's time-window class on that day: where its prices are looked up. */
  windowMinute: number;
  requests: number;
  /** Requests that were priced (the rest have no recorded cost). */
  pricedRequests: number;
  /** Recorded cost of the priced requests. */
  costUsd: Decimal;
}

/**
 * Where the traffic mix cuts: prompt-size and output-size bucket floors (sorted, starting at 0),
 * and for each minute of the week (Monday 00:00 UTC = 0) a representative minute of that day in
 * the same window class.
 */
export interface MixLayout {
  inputFloors: number[];
  outputFloors: number[];
  /** 10,080 entries; empty when the catalog has no time-of-day windows (every minute is 0). */
  windowMinutes: number[];
}

/** The largest prompt of the bucket starting at `min` (Infinity for the last bucket). */
export function bucketMax(floors: readonly number[], min: number): number {
  for (const f of floors) if (f > min) return f - 1;
  return Infinity;
}

export function totalTokens(t: TokenCounts): number {
  return t.inputTokens + t.outputTokens;
}
