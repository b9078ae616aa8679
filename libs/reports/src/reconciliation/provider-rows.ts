import type Decimal from 'decimal.js';

/** The providers whose organization usage and cost reports Tokenledger reconciles against. */
export const RECONCILE_PROVIDERS = ['openai', 'anthropic'] as const;
export type ReconcileProvider = (typeof RECONCILE_PROVIDERS)[number];

export function isReconcileProvider(value: string): value is ReconcileProvider {
  return (RECONCILE_PROVIDERS as readonly string[]).includes(value);
}

export const PROVIDER_LABELS: Record<ReconcileProvider, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
};

/**
 * The token kinds both sides are compared on, named as usage events and rollups name them
 * (inputTokens includes cache reads and writes; cacheWriteTokens are 5-minute writes).
 */
export const RECONCILE_TOKEN_KINDS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'inputAudioTokens',
  'outputAudioTokens',
] as const;
export type ReconcileTokenKind = (typeof RECONCILE_TOKEN_KINDS)[number];
export type TokenCounts = Record<ReconcileTokenKind, number>;

export function zeroTokens(): TokenCounts {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
  };
}

export function addTokens(into: TokenCounts, from: TokenCounts): TokenCounts {
  for (const k of RECONCILE_TOKEN_KINDS) into[k] += from[k];
  return into;
}

/** Input and output: every other kind is a part of one of them. */
export function totalTokens(t: TokenCounts): number {
  return t.inputTokens + t.outputTokens;
}

/**
 * One row of a provider's usage report, normalized: a UTC day × model × provider project
 * (OpenAI project, Anthropic workspace; "default" for Anthropic's default workspace) × API key ×
 * service tier. "" where the report was not grouped by that key.
 */
export interface ProviderUsageRow extends TokenCounts {
  day: string;
  model: string;
  externalProjectId: string;
  apiKeyId: string;
  serviceTier: string;
  requests: number;
  webSearchRequests: number;
}

/** usage: tokens; credit: a negative amount or a credit line; other: web search, code execution… */
export type ChargeKind = 'usage' | 'credit' | 'other';

/** One row of a provider's cost report, normalized to USD. */
export interface ProviderCostRow {
  day: string;
  /** "" when the line names no model. */
  model: string;
  externalProjectId: string;
  lineItem: string;
  serviceTier: string;
  chargeKind: ChargeKind;
  amountUsd: Decimal;
}

/** What one import (API pages or a file) holds, with the days it covers (empty buckets included). */
export interface ProviderImport {
  provider: ReconcileProvider;
  usage: ProviderUsageRow[];
  costs: ProviderCostRow[];
  /** Days whose usage the import states (an import replaces exactly these days). */
  usageDays: string[];
  costDays: string[];
}
