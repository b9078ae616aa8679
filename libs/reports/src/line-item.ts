import type Decimal from 'decimal.js';

/**
 * One line of a monthly report: day × project × provider × model × feature × customer ×
 * environment. Empty string means "not set" for feature and customer. Token counts follow the
 * API's convention (parts are included in their totals).
 */
export interface LineItem {
  /** YYYY-MM-DD in the report's time zone. */
  day: string;
  project: string;
  provider: string;
  model: string;
  feature: string;
  customer: string;
  environment: string;
  requests: number;
  unpricedRequests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  inputAudioTokens: number;
  outputAudioTokens: number;
  inputImageTokens: number;
  unpricedInputTokens: number;
  unpricedOutputTokens: number;
  costUsd: Decimal;
}

/** The token counters of a line item, in column order. */
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
] as const satisfies readonly (keyof LineItem)[];

export type TokenField = (typeof TOKEN_FIELDS)[number];

/** The line-item columns every tabular format writes, with their header. */
export const LINE_ITEM_COLUMNS = [
  ['day', 'day'],
  ['project', 'project'],
  ['provider', 'provider'],
  ['model', 'model'],
  ['feature', 'feature'],
  ['customer', 'customer'],
  ['environment', 'environment'],
  ['requests', 'requests'],
  ['unpricedRequests', 'unpriced_requests'],
  ['inputTokens', 'input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['cacheReadTokens', 'cache_read_tokens'],
  ['cacheWriteTokens', 'cache_write_tokens'],
  ['cacheWrite1hTokens', 'cache_write_1h_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['inputAudioTokens', 'input_audio_tokens'],
  ['outputAudioTokens', 'output_audio_tokens'],
  ['inputImageTokens', 'input_image_tokens'],
  ['costUsd', 'cost_usd'],
] as const satisfies readonly (readonly [keyof LineItem, string])[];

export const TEXT_COLUMNS = new Set<keyof LineItem>([
  'day',
  'project',
  'provider',
  'model',
  'feature',
  'customer',
  'environment',
]);
