import { validateUsageEvent, type UsageEvent, type UsageEventInput } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import type { EventPricing } from '@tokenledger/db';

let counter = 0;

/** A valid API.md event with sensible defaults; override anything. */
export function eventInput(
  overrides: Partial<UsageEventInput> = {},
  usage: Partial<UsageEventInput['usage']> = {},
): UsageEventInput {
  counter += 1;
  return {
    eventId: `evt-${process.pid}-${Date.now()}-${counter}`,
    occurredAt: '2026-06-01T12:00:00Z',
    provider: 'openai',
    model: 'gpt-5.5',
    usage: { inputTokens: 1000, outputTokens: 100, ...usage },
    ...overrides,
  };
}

/** The validated form the worker receives. */
export function usageEvent(
  overrides: Partial<UsageEventInput> = {},
  usage: Partial<UsageEventInput['usage']> = {},
): UsageEvent {
  const result = validateUsageEvent(eventInput(overrides, usage), new Date('2030-01-01T00:00:00Z'));
  if (!result.ok) throw new Error(`invalid test event: ${JSON.stringify(result.errors)}`);
  return result.event;
}

export function pricedAt(totalUsd: string, rateVersionId: string | null = null): EventPricing {
  return {
    status: 'priced',
    reason: null,
    totalUsd: new Decimal(totalUsd),
    breakdown: { output: new Decimal(totalUsd) },
    rateVersionId,
    pricedModel: 'gpt-5.5',
    flags: [],
  };
}

export const UNPRICED: EventPricing = {
  status: 'unpriced_model',
  reason: 'no rate for model "mystery" from provider "openai"',
  totalUsd: null,
  breakdown: null,
  rateVersionId: null,
  pricedModel: null,
  flags: [],
};
